// The roles' handling of a dead peer, without processes: each role runs on a FakeTransport
// that reports a peer lost the way MpiTransport does when a send to a dead process fails.
#include "cluster/clustersnapshot.h"
#include "cluster/adminstatetable.h"
#include "cluster/peerloss.h"
#include "faketransport.h"
#include "mpi_backend/roles/masterrole.h"
#include "mpi_backend/roles/monitorrole.h"
#include "mpi_backend/roles/slaverole.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using mpi::Tag;
using testing::FakeTransport;

class TestPeerLoss : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void masterWatchesEveryRank();
    void masterMovesAnExitedSlavesTasks();
    void masterIgnoresTheDetectorForAnExitedSlave();
    void masterShutdownSkipsTheLost();
    void masterEndsWithoutTheMonitor();
    void monitorShowsAnExitedSlaveDownAtOnce();
    void monitorEndsWithoutTheMaster();
    void slaveLeavesWithoutTheMaster();
    void slaveStopsOnShutdown();

private:
    mpi::NodeOptions options();
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestPeerLoss::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("export"))));
}

mpi::NodeOptions TestPeerLoss::options()
{
    mpi::NodeOptions options;
    options.config.exportRoot = m_dir->filePath(QStringLiteral("export"));
    options.runDir = m_dir->filePath(QStringLiteral("run"));
    QDir().mkpath(options.runDir);
    options.config.peerProbeMs = 123;
    // The master's API refuses to start without the cluster token (issue 15).
    options.clusterToken = QByteArray(64, 'a');
    return options;
}

namespace {
QJsonObject loadCommand(int tasks)
{
    return {{QStringLiteral("client_id"), QStringLiteral("1")},
            {QStringLiteral("client"), QStringLiteral("test")},
            {QStringLiteral("command"), QJsonObject{{QStringLiteral("op"), QStringLiteral("load")},
                                                    {QStringLiteral("id"), QStringLiteral("c1")},
                                                    {QStringLiteral("tasks"), tasks},
                                                    {QStringLiteral("task_ms"), 1000}}}};
}

std::map<int, int> assignmentsByRank(const FakeTransport &transport)
{
    std::map<int, int> counts;
    for (const auto &sent : transport.sentWith(Tag::TaskAssign))
        ++counts[sent.destination];
    return counts;
}
} // namespace

void TestPeerLoss::masterWatchesEveryRank()
{
    FakeTransport transport(0, 5);
    const mpi::NodeOptions opts = options();
    mpi::MasterRole master(transport, opts);
    QVERIFY(master.start());
    QCOMPARE(transport.watched(), (std::vector<int>{1, 2, 3, 4}));
    QCOMPARE(transport.probeMs(), 123);
}

void TestPeerLoss::masterMovesAnExitedSlavesTasks()
{
    FakeTransport transport(0, 5);
    const mpi::NodeOptions opts = options();
    mpi::MasterRole master(transport, opts);
    QVERIFY(master.start());
    transport.deliver(1, Tag::Command, loadCommand(9));
    const std::map<int, int> before = assignmentsByRank(transport);
    QCOMPARE(before.at(3), 3); // equal loads: three each
    transport.clearSent();

    transport.lose(3);
    QCoreApplication::processEvents();
    // The monitor hears of it at once, with the reason.
    const auto losses = transport.sentWith(Tag::PeerLost, 1);
    QCOMPARE(losses.size(), size_t(1));
    const cluster::PeerLoss loss = cluster::PeerLoss::fromJson(losses.front().json());
    QCOMPARE(loss.rank, 3);
    QCOMPARE(loss.reason, QStringLiteral("exited"));
    const auto downs = transport.events(QStringLiteral("node_down"));
    QCOMPARE(downs.size(), size_t(1));
    QCOMPARE(downs.front().value(QLatin1String("node")).toString(), QStringLiteral("slave-3"));
    QCOMPARE(downs.front().value(QLatin1String("reason")).toString(), QStringLiteral("exited"));
    const auto reassigned = transport.events(QStringLiteral("task_reassigned"));
    QCOMPARE(reassigned.size(), size_t(1));
    QCOMPARE(reassigned.front().value(QLatin1String("count")).toInt(), 3);
    // Its three tasks went to the survivors, none to it.
    const std::map<int, int> after = assignmentsByRank(transport);
    QCOMPARE(after.count(3), size_t(0));
    QCOMPARE(after.at(2) + after.at(4), 3);
    // The table the monitor gets says DOWN.
    const auto tables = transport.sentWith(Tag::AdminState, 1);
    QVERIFY(!tables.empty());
    const QJsonArray nodes = tables.back().json().value(QLatin1String("nodes")).toArray();
    bool sawDown = false;
    for (const QJsonValue &node : nodes) {
        if (node.toObject().value(QLatin1String("rank")).toInt() == 3)
            sawDown =
                node.toObject().value(QLatin1String("state")).toString() == QLatin1String("DOWN");
    }
    QVERIFY2(sawDown, QJsonDocument(tables.back().json()).toJson().constData());
    // Losing it again changes nothing.
    transport.clearSent();
    emit transport.peerLost(3, QStringLiteral("again"));
    QCOMPARE(transport.events(QStringLiteral("node_down")).size(), size_t(0));
}

void TestPeerLoss::masterIgnoresTheDetectorForAnExitedSlave()
{
    FakeTransport transport(0, 4);
    const mpi::NodeOptions opts = options();
    mpi::MasterRole master(transport, opts);
    QVERIFY(master.start());
    transport.lose(2);
    transport.clearSent();
    // A late verdict from heartbeats must not bring an exited process back, or send it work.
    transport.deliver(
        1, Tag::Liveness,
        {{QStringLiteral("rank"), 2}, {QStringLiteral("liveness"), QStringLiteral("alive")}});
    transport.deliver(
        1, Tag::Liveness,
        {{QStringLiteral("rank"), 2}, {QStringLiteral("liveness"), QStringLiteral("suspect")}});
    QCOMPARE(transport.events(QStringLiteral("node_back")).size(), size_t(0));
    QCOMPARE(transport.events(QStringLiteral("node_suspect")).size(), size_t(0));
    transport.deliver(1, Tag::Command, loadCommand(4));
    const std::map<int, int> given = assignmentsByRank(transport);
    QCOMPARE(given.count(2), size_t(0));
    QCOMPARE(given.at(3), 4);
}

void TestPeerLoss::masterShutdownSkipsTheLost()
{
    FakeTransport transport(0, 4);
    const mpi::NodeOptions opts = options();
    mpi::MasterRole master(transport, opts);
    QVERIFY(master.start());
    QSignalSpy finished(&master, &mpi::MasterRole::finished);
    transport.lose(3);
    transport.clearSent();
    QJsonObject shutdown = loadCommand(1);
    shutdown[QStringLiteral("command")] =
        QJsonObject{{QStringLiteral("op"), QStringLiteral("shutdown")},
                    {QStringLiteral("id"), QStringLiteral("c2")}};
    transport.deliver(1, Tag::Command, shutdown);
    QCOMPARE(finished.count(), 1);
    const auto orders = transport.sentWith(Tag::Shutdown);
    // slave-2 first, the monitor (which closes the bridge) last; slave-3 is gone.
    QCOMPARE(orders.size(), size_t(2));
    QCOMPARE(orders.front().destination, 2);
    QCOMPARE(orders.back().destination, 1);
}

void TestPeerLoss::masterEndsWithoutTheMonitor()
{
    FakeTransport transport(0, 4);
    const mpi::NodeOptions opts = options();
    mpi::MasterRole master(transport, opts);
    QVERIFY(master.start());
    QSignalSpy finished(&master, &mpi::MasterRole::finished);
    transport.clearSent();
    transport.lose(1);
    QCOMPARE(finished.count(), 1);
    // Only the slaves are left to tell.
    const auto orders = transport.sentWith(Tag::Shutdown);
    QCOMPARE(orders.size(), size_t(2));
    for (const auto &order : orders)
        QVERIFY(order.destination >= 2);
}

void TestPeerLoss::monitorShowsAnExitedSlaveDownAtOnce()
{
    FakeTransport transport(1, 4);
    const mpi::NodeOptions opts = options();
    mpi::MonitorRole monitor(transport, opts);
    QVERIFY(monitor.start());
    QCOMPARE(transport.watched(), std::vector<int>{0});
    transport.deliver(0, Tag::AdminState, cluster::AdminStateTable(4).toJson());
    cluster::NodeStats busy;
    busy.sequence = 9;
    busy.processCpu = 0.4;
    busy.txBytesPerS = 9e6;
    transport.deliver(3, Tag::Heartbeat, busy.toJson());
    transport.clearSent();
    transport.deliver(0, Tag::PeerLost, cluster::PeerLoss{3, QStringLiteral("exited")}.toJson());
    const auto snapshots = transport.sentWith(Tag::Snapshot, 0);
    QCOMPARE(snapshots.size(), size_t(1)); // published at once, not after down_after_ms
    const auto snapshot = cluster::ClusterSnapshot::fromJson(snapshots.front().json());
    QCOMPARE(int(snapshot.node(3)->state), int(cluster::NodeState::Down));
    QCOMPARE(snapshot.node(3)->stateReason, QStringLiteral("exited"));
    // Its last sample is not shown as if it were live.
    QCOMPARE(snapshot.node(3)->stats.sequence, std::int64_t(0));
    QCOMPARE(snapshot.node(3)->stats.txBytesPerS, 0.0);
    QCOMPARE(int(snapshot.node(2)->state), int(cluster::NodeState::Active));
    // Garbage and out-of-range ranks are ignored.
    transport.clearSent();
    transport.deliver(0, Tag::PeerLost, {{QStringLiteral("rank"), 99}});
    transport.deliver(0, Tag::PeerLost, {{QStringLiteral("rank"), QStringLiteral("x")}});
    transport.deliver(0, Tag::PeerLost, {{QStringLiteral("rank"), 1}});
    QCOMPARE(transport.sentWith(Tag::Snapshot).size(), size_t(0));
}

void TestPeerLoss::monitorEndsWithoutTheMaster()
{
    FakeTransport transport(1, 5);
    const mpi::NodeOptions opts = options();
    mpi::MonitorRole monitor(transport, opts);
    QVERIFY(monitor.start());
    QSignalSpy finished(&monitor, &mpi::MonitorRole::finished);
    transport.lose(3); // a slave: the monitor leaves that to the master
    QCOMPARE(finished.count(), 0);
    transport.lose(0);
    QCOMPARE(finished.count(), 1);
    const auto orders = transport.sentWith(Tag::Shutdown);
    QCOMPARE(orders.size(), size_t(2)); // slaves 2 and 4; 3 is gone
    QCOMPARE(orders.front().destination, 4);
    QCOMPARE(orders.back().destination, 2);
}

void TestPeerLoss::slaveLeavesWithoutTheMaster()
{
    for (int lost : {0, 1}) {
        FakeTransport transport(2, 4);
        const mpi::NodeOptions opts = options();
        mpi::SlaveRole slave(transport, opts);
        QVERIFY(slave.start());
        QCOMPARE(transport.watched(), (std::vector<int>{0, 1}));
        QSignalSpy finished(&slave, &mpi::SlaveRole::finished);
        transport.lose(3); // another slave: none of its business
        QCOMPARE(finished.count(), 0);
        transport.lose(lost);
        QCOMPARE(finished.count(), 1);
        transport.lose(1 - lost); // the other one too: still one end
        QCOMPARE(finished.count(), 1);
    }
}

void TestPeerLoss::slaveStopsOnShutdown()
{
    FakeTransport transport(3, 4);
    const mpi::NodeOptions opts = options();
    mpi::SlaveRole slave(transport, opts);
    QVERIFY(slave.start());
    QSignalSpy finished(&slave, &mpi::SlaveRole::finished);
    transport.deliver(0, Tag::Shutdown, {});
    QCOMPARE(finished.count(), 1);
    transport.lose(0); // the master leaving afterwards is no second end
    QCOMPARE(finished.count(), 1);
}

QTEST_GUILESS_MAIN(TestPeerLoss)
#include "tst_peerloss.moc"
