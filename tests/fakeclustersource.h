#pragma once

// A scripted ClusterSource for console tests: the test pushes snapshots, events and link
// changes, and sees every command the console sends; answers go back when the test says.
#include "consolemodel/clustersource.h"

#include <QJsonArray>
#include <QList>
#include <QTimer>

namespace starling::testing {

class FakeClusterSource final : public consolemodel::ClusterSource
{
public:
    void start() override
    {
        ++starts;
        setLink(consolemodel::LinkState::Connected, QStringLiteral("connected to the fake cluster"));
    }
    void stop() override
    {
        ++stops;
        setLink(consolemodel::LinkState::Disconnected, QStringLiteral("stopped"));
    }
    consolemodel::LinkState linkState() const override { return m_link; }
    bool acceptsCommands() const override { return commandsAccepted; }
    QString sendCommand(const QJsonObject &command) override
    {
        const QString id = QStringLiteral("f%1").arg(++m_next);
        QJsonObject c = command;
        c.insert(QStringLiteral("id"), id);
        commands.append(c);
        return id;
    }

    void setLink(consolemodel::LinkState link, const QString &detail)
    {
        m_link = link;
        emit linkStateChanged(link, detail);
    }
    void push(const cluster::ClusterSnapshot &s) { emit snapshotReceived(s); }
    void pushEvent(const QJsonObject &e) { emit eventReceived(e); }
    void ack(const QJsonObject &command, const QJsonObject &result)
    {
        emit commandAnswered(command.value(u"id").toString(), true, result, {}, {});
    }
    void refuse(const QJsonObject &command, const QString &code, const QString &message)
    {
        emit commandAnswered(command.value(u"id").toString(), false, {}, code, message);
    }

    QList<QJsonObject> commands;
    bool commandsAccepted = true; // false: a replay, which takes no commands
    int starts = 0;
    int stops = 0;

private:
    consolemodel::LinkState m_link = consolemodel::LinkState::Disconnected;
    int m_next = 0;
};

// A cluster of `slaves` slaves (ranks 2..) at time `timeMs`, with a per-slave pattern that
// moves over time so charts have lines: slave i's CPU, memory, bytes and tasks grow with t.
inline cluster::ClusterSnapshot fakeSnapshot(int slaves, qint64 seq, qint64 timeMs)
{
    cluster::ClusterSnapshot s;
    s.sequence = seq;
    s.timeMs = timeMs;
    s.strategy = QStringLiteral("pdds");
    const auto add = [&](int rank, const QString &name, cluster::NodeRole role) {
        cluster::NodeView n;
        n.rank = rank;
        n.name = name;
        n.role = role;
        n.heartbeatAgeMs = 100;
        s.nodes.push_back(n);
        return &s.nodes.back();
    };
    add(0, QStringLiteral("master"), cluster::NodeRole::Master);
    add(1, QStringLiteral("monitor"), cluster::NodeRole::Monitor);
    for (int i = 0; i < slaves; ++i) {
        cluster::NodeView *n =
            add(2 + i, QStringLiteral("slave-%1").arg(2 + i), cluster::NodeRole::Slave);
        const double t = double(seq);
        n->weight = 1;
        n->load = 0.1 * i + 0.01 * t;
        n->stats.sequence = seq;
        n->stats.sampledAtMs = timeMs;
        n->stats.pid = 1000 + i;
        n->stats.processCpu = 0.05 + 0.5 * ((i + seq) % 10) / 10.0;
        n->stats.processRssBytes = std::int64_t(30 + i) * 1024 * 1024 + 1024 * seq;
        n->stats.txBytesTotal = std::int64_t(i + 1) * 100000 * seq;
        n->stats.rxBytesTotal = std::int64_t(i + 1) * 20000 * seq;
        n->stats.tasksDone = std::int64_t(i + 1) * seq;
        n->stats.unitComputeS = 0.04 * (1 + i % 4);
        n->stats.bandwidthMBps = 10.0 * (1 + i % 4);
    }
    // Ranks by load: lightest first (all ACTIVE).
    for (int i = 0; i < slaves; ++i)
        s.nodes[size_t(2 + i)].loadRank = i;
    return s;
}

} // namespace starling::testing
