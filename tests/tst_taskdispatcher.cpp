// The master's task hand-out on a fake transport: who gets tasks, what waits, what moves when
// a slave is lost, and which completions are refused.
#include "cluster/adminstatetable.h"
#include "cluster/clustersnapshot.h"
#include "faketransport.h"
#include "mpi_backend/roles/taskdispatcher.h"
#include "protocol/eventkind.h"

#include <QJsonDocument>
#include <QTest>

using namespace starling;
using starling::testing::FakeTransport;

namespace {

constexpr int kWorld = 5; // master, monitor, slave-2 .. slave-4

cluster::OperatorCommand command(const QByteArray &json)
{
    const auto c = cluster::OperatorCommand::fromJson(QJsonDocument::fromJson(json).object(),
                                                      QStringLiteral("alice"));
    if (!c)
        qFatal("bad test command %s: %s", json.constData(), qPrintable(c.error()));
    return *c;
}

struct Fixture
{
    FakeTransport transport{cluster::kMasterRank, kWorld};
    cluster::AdminStateTable table{kWorld};
    cluster::ClusterSnapshot snapshot;
    mpi::TaskDispatcher dispatcher{transport, table, snapshot, 7};

    int assignedTo(int rank) const
    {
        return int(transport.sentWith(mpi::Tag::TaskAssign, rank).size());
    }
    std::vector<protocol::TaskAssignment> assignments(int rank) const
    {
        std::vector<protocol::TaskAssignment> out;
        for (const auto &sent : transport.sentWith(mpi::Tag::TaskAssign, rank))
            out.push_back(protocol::TaskAssignment::fromJson(sent.json()));
        return out;
    }
};

} // namespace

class TaskDispatcherTest : public QObject
{
    Q_OBJECT

private slots:
    void loadGoesToEverySlaveTakingWork()
    {
        Fixture f;
        const protocol::LoadEvent loaded = f.dispatcher.addLoad(6, 100, 1000);
        QCOMPARE(loaded.tasks, 6);
        QCOMPARE(loaded.waitingAtMaster, 0);
        int total = 0;
        for (int rank = cluster::kFirstSlaveRank; rank < kWorld; ++rank) {
            // Equal slaves, equal costs: the placer evens them out.
            QCOMPARE(f.assignedTo(rank), 2);
            QCOMPARE(loaded.assigned.at(cluster::nodeName(rank)), 2);
            QCOMPARE(f.table.node(rank).assigned, 2);
            total += f.assignedTo(rank);
        }
        QCOMPARE(total, 6);
        QCOMPARE(f.assignedTo(cluster::kMonitorRank), 0);
    }

    void drainedSlaveGetsNothingAndWorkWaitsWithoutSlaves()
    {
        Fixture f;
        const auto drained = f.table.apply(command(R"({"op":"drain","node":"slave-3"})"), 10);
        QVERIFY(drained);
        f.dispatcher.addLoad(4, 100, 1000);
        QCOMPARE(f.assignedTo(3), 0);
        QCOMPARE(f.assignedTo(2) + f.assignedTo(4), 4);

        for (const char *node : {"slave-2", "slave-4"}) {
            const QByteArray drain = "{\"op\":\"drain\",\"node\":\"" + QByteArray(node) + "\"}";
            const auto applied = f.table.apply(command(drain), 20);
            QVERIFY(applied);
        }
        f.transport.clearSent();
        const protocol::LoadEvent waiting = f.dispatcher.addLoad(3, 100, 2000);
        QCOMPARE(waiting.waitingAtMaster, 3);
        QCOMPARE(f.dispatcher.waitingCount(), 3);
        QVERIFY(f.transport.sentWith(mpi::Tag::TaskAssign).empty());

        const auto resumed = f.table.apply(command(R"({"op":"resume","node":"slave-3"})"), 30);
        QVERIFY(resumed);
        f.dispatcher.dispatchWaiting(3000);
        QCOMPARE(f.assignedTo(3), 3);
        QCOMPARE(f.dispatcher.waitingCount(), 0);
    }

    void lostSlavesWorkMovesAndIsReported()
    {
        Fixture f;
        f.dispatcher.addLoad(6, 100, 1000);
        const int held = f.assignedTo(2);
        QVERIFY(held > 0);
        f.table.setLiveness(2, cluster::Liveness::Down, 2000);
        f.transport.clearSent();
        f.dispatcher.takeWorkFrom(2, 2000);

        QCOMPARE(f.table.node(2).assigned, 0);
        QCOMPARE(f.assignedTo(2), 0);
        QCOMPARE(f.assignedTo(3) + f.assignedTo(4), held);
        const auto moved =
            f.transport.events(protocol::toString(protocol::EventKind::TaskReassigned));
        QCOMPARE(int(moved.size()), 1);
        const auto event = protocol::TaskReassignedEvent::fromJson(moved.front());
        QVERIFY(event);
        QCOMPARE(event->node, QStringLiteral("slave-2"));
        QCOMPARE(event->count, held);
    }

    void staleAndForeignCompletionsAreRefused()
    {
        Fixture f;
        f.dispatcher.addLoad(3, 100, 1000);
        const protocol::TaskAssignment given = f.assignments(2).front();

        // Another slave, or an older epoch, may not finish it.
        const protocol::TaskCompletion done{given.task, given.epoch, 50};
        const protocol::TaskCompletion stale{given.task, given.epoch - 1, 50};
        QVERIFY(!f.dispatcher.complete(3, done, 1100));
        QVERIFY(!f.dispatcher.complete(2, stale, 1100));
        QCOMPARE(f.dispatcher.lateDropped(), 2);
        QCOMPARE(f.dispatcher.completed(), 0);
        const QString late = protocol::toString(protocol::EventKind::LateMessageDropped);
        QCOMPARE(int(f.transport.events(late).size()), 2);

        QVERIFY(f.dispatcher.complete(2, done, 1200));
        QCOMPARE(f.dispatcher.completed(), 1);
        QCOMPARE(f.table.node(2).assigned, 0);
        // Finishing twice is late too.
        QVERIFY(!f.dispatcher.complete(2, done, 1300));
        QCOMPARE(f.dispatcher.lateDropped(), 3);
    }
};

QTEST_GUILESS_MAIN(TaskDispatcherTest)
#include "tst_taskdispatcher.moc"
