#pragma once

// A stand-in for the monitor's bridge in console tests: a QTcpServer on 127.0.0.1 (free port)
// that speaks enough of PROTOCOL.md to be a peer: it checks the hello's token, welcomes,
// answers pings, records commands and answers them (ack by default, or an error the test
// chose), and lets the test push snapshots, events or raw garbage to every client, drop all
// connections, and stop or resume listening on the same port. Given a history (setHistory), it
// answers the console's `history_page` requests from it, as the monitor does.
#include "bridge/historypage.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

namespace starling::testing {

class FakeMonitor
{
public:
    explicit FakeMonitor(QByteArray token) : m_token(std::move(token))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] { accept(); });
    }
    ~FakeMonitor() { dropAll(); }
    FakeMonitor(const FakeMonitor &) = delete;
    FakeMonitor &operator=(const FakeMonitor &) = delete;

    bool listen(quint16 port = 0)
    {
        if (!m_server.listen(QHostAddress::LocalHost, port))
            return false;
        m_port = m_server.serverPort();
        return true;
    }
    void stopListening() { m_server.close(); }
    quint16 port() const { return m_port; }
    QByteArray token() const { return m_token; }

    // How a command is answered: an object {"result": {...}} for an ack, or {"code", "message"}
    // for an error, or {"silent": true} for no answer at all. Default: ack with the command's
    // fields echoed as the result.
    std::function<QJsonObject(const QJsonObject &command)> answer;

    using History = std::map<QString, std::vector<cluster::HistorySample>>;
    void setHistory(History history) { m_history = std::move(history); }
    int historyRequests() const { return m_historyRequests; }
    // Pages no longer than this, as the monitor cuts them to a client's buffer.
    void setPageLimit(int samples) { m_pageLimit = samples; }

    void sendToAll(const QByteArray &line)
    {
        for (const QPointer<QTcpSocket> &s : m_welcomed) {
            if (s)
                s->write(line);
        }
    }
    void sendSnapshot(const QJsonObject &snapshot)
    {
        sendToAll(compact({{QStringLiteral("type"), QStringLiteral("snapshot")},
                           {QStringLiteral("snapshot"), snapshot}}));
    }
    void sendEvent(const QJsonObject &event)
    {
        sendToAll(compact(
            {{QStringLiteral("type"), QStringLiteral("event")}, {QStringLiteral("event"), event}}));
    }
    void dropAll()
    {
        const auto all = m_sockets;
        for (const QPointer<QTcpSocket> &s : all) {
            if (s)
                s->abort();
        }
        m_sockets.clear();
        m_welcomed.clear();
    }

    // Bytes written to clients and not yet taken by the kernel (flow control for floods).
    qint64 pendingBytes() const
    {
        qint64 pending = 0;
        for (const QPointer<QTcpSocket> &s : m_welcomed)
            pending += s ? s->bytesToWrite() : 0;
        return pending;
    }

    int helloCount() const { return m_hellos; }
    int welcomedCount() const { return int(m_welcomed.size()); }
    const QList<QJsonObject> &commands() const { return m_commands; }
    int pings() const { return m_pings; }

    static QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            m_sockets.append(socket);
            QObject::connect(socket, &QTcpSocket::readyRead, socket,
                             [this, socket] { read(socket); });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void read(QTcpSocket *socket)
    {
        while (socket->canReadLine()) {
            const QJsonObject m = QJsonDocument::fromJson(socket->readLine().trimmed()).object();
            const QString type = m.value(u"type").toString();
            const bool welcomed = m_welcomed.contains(socket);
            if (!welcomed) {
                ++m_hellos;
                if (type != u"hello" || m.value(u"token").toString().toLatin1() != m_token) {
                    socket->write(
                        compact({{QStringLiteral("type"), QStringLiteral("error")},
                                 {QStringLiteral("id"), QJsonValue::Null},
                                 {QStringLiteral("code"), QStringLiteral("unauthorized")},
                                 {QStringLiteral("message"), QStringLiteral("wrong token")}}));
                    socket->disconnectFromHost();
                    return;
                }
                m_welcomed.append(socket);
                socket->write(compact({{QStringLiteral("type"), QStringLiteral("welcome")},
                                       {QStringLiteral("protocol"), 1},
                                       {QStringLiteral("server"), QStringLiteral("fake-monitor")},
                                       {QStringLiteral("client_id"), m_hellos}}));
                continue;
            }
            if (type == u"ping") {
                ++m_pings;
                socket->write(compact({{QStringLiteral("type"), QStringLiteral("pong")},
                                       {QStringLiteral("id"), m.value(u"id")}}));
            } else if (type == u"command") {
                m_commands.append(m);
                QJsonObject a = answer ? answer(m) : QJsonObject{{QStringLiteral("result"), m}};
                if (!m_history.empty() && bridge::HistoryRequest::isHistoryRequest(m))
                    a = historyAnswer(m);
                if (a.value(u"silent").toBool())
                    continue;
                if (a.contains(u"code")) {
                    a.insert(QStringLiteral("type"), QStringLiteral("error"));
                } else {
                    a.insert(QStringLiteral("type"), QStringLiteral("ack"));
                    if (!a.contains(u"result"))
                        a.insert(QStringLiteral("result"), QJsonObject{});
                }
                a.insert(QStringLiteral("id"), m.value(u"id"));
                socket->write(compact(a));
            }
        }
    }

    QJsonObject historyAnswer(const QJsonObject &command)
    {
        ++m_historyRequests;
        const auto request = bridge::HistoryRequest::fromCommand(command);
        if (!request)
            return {{QStringLiteral("code"), request.errorCode()},
                    {QStringLiteral("message"), request.error()}};
        const auto found = m_history.find(request->node);
        if (found == m_history.end())
            return {{QStringLiteral("code"), QStringLiteral("unknown_node")},
                    {QStringLiteral("message"), QStringLiteral("unknown node")}};
        const auto &all = found->second;
        auto from = std::upper_bound(
            all.begin(), all.end(), request->afterMs,
            [](qint64 t, const cluster::HistorySample &s) { return t < s.timeMs; });
        const int limit = std::min(request->limit, m_pageLimit);
        const auto to = from + std::min<std::ptrdiff_t>(limit, all.end() - from);
        bridge::HistoryPage page{request->node, {from, to}, to != all.end()};
        return {{QStringLiteral("result"), page.toJson()}};
    }

    QByteArray m_token;
    History m_history;
    int m_historyRequests = 0;
    int m_pageLimit = bridge::HistoryRequest::kMaxLimit;
    QTcpServer m_server;
    quint16 m_port = 0;
    QList<QPointer<QTcpSocket>> m_sockets;
    QList<QPointer<QTcpSocket>> m_welcomed;
    QList<QJsonObject> m_commands;
    int m_hellos = 0;
    int m_pings = 0;
};

// `span` of history for slave-2 .. slave-(slaves+1), one sample every `step` up to `endMs`,
// with values that move slowly (tasks done keep growing).
inline FakeMonitor::History syntheticHistory(int slaves, qint64 endMs, qint64 spanMs, qint64 stepMs)
{
    FakeMonitor::History history;
    const qint64 count = spanMs / stepMs + 1;
    for (int i = 0; i < slaves; ++i) {
        std::vector<cluster::HistorySample> &samples =
            history[QStringLiteral("slave-%1").arg(2 + i)];
        samples.reserve(size_t(count));
        for (qint64 k = 0; k < count; ++k) {
            cluster::HistorySample s;
            s.timeMs = endMs - (count - 1 - k) * stepMs;
            // Slow waves (ten minutes, a phase per slave), so a chart of the hour reads as one.
            s.cpu = 0.3 + 0.25 * std::sin(double(k) / 600.0 * 6.283185307 + i);
            s.rssBytes = qint64(30 + i) * 1024 * 1024 + 1024 * k;
            s.txRate = 100000.0 * (i + 1);
            s.rxRate = 20000.0 * (i + 1);
            s.load = 0.1 * i + 0.001 * double(k % 100);
            s.assigned = int(k % 3);
            s.tasksDone = qint64(i + 1) * k;
            samples.push_back(s);
        }
    }
    return history;
}

} // namespace starling::testing
