// TaskLedger: who holds which task under which epoch; late completions are refused so no task
// completes twice, and a DOWN node's tasks go back to the front of the queue.
#include "cluster/taskledger.h"

#include <QTest>

#include <stdexcept>

using namespace starling;
using namespace starling::cluster;

namespace {

std::vector<std::int64_t> ids(std::initializer_list<std::int64_t> list)
{
    return list;
}

} // namespace

class TestTaskLedger : public QObject
{
    Q_OBJECT

private slots:
    void addWaitsInOrder();
    void assignComplete();
    void assignFromTheMiddleOfTheQueue();
    void takeWaitingPeeksTheFront();
    void refusedCompletion_data();
    void refusedCompletion();
    void doubleCompletionRefused();
    void unknownTaskRefused();
    void reclaimReturnsTasksToTheFront();
    void lateCompletionAfterReclaim();
    void sameNodeBackWithNewEpoch();
    void reclaimCountsEveryReassignment();
    void reclaimOfIdleNode();
    void assignedToAndCost();
    void assignUnknownTaskThrows();
};

void TestTaskLedger::addWaitsInOrder()
{
    TaskLedger ledger;
    QCOMPARE(ledger.waitingCount(), size_t(0));
    QCOMPARE(ledger.takeWaiting(), std::int64_t(0));
    const std::int64_t a = ledger.add(10);
    const std::int64_t b = ledger.add(20);
    const std::int64_t c = ledger.add(30);
    QCOMPARE(a, std::int64_t(1));
    QCOMPARE(b, std::int64_t(2));
    QCOMPARE(c, std::int64_t(3));
    QCOMPARE(ledger.waiting(), ids({1, 2, 3}));
    QCOMPARE(ledger.waitingCount(), size_t(3));
    const Task *task = ledger.find(b);
    QVERIFY(task);
    QCOMPARE(task->id, b);
    QCOMPARE(task->costMs, 20.0);
    QCOMPARE(task->owner, -1);
    QCOMPARE(task->epoch, std::int64_t(0));
    QCOMPARE(task->reassignments, 0);
    QCOMPARE(ledger.completed(), std::int64_t(0));
    QVERIFY(!ledger.find(4));
    QVERIFY(!ledger.find(0));
}

void TestTaskLedger::assignComplete()
{
    TaskLedger ledger;
    const std::int64_t id = ledger.add(125);
    ledger.add(5);
    ledger.assign(id, 3, 2);
    QCOMPARE(ledger.find(id)->owner, 3);
    QCOMPARE(ledger.find(id)->epoch, std::int64_t(2));
    QCOMPARE(ledger.waiting(), ids({2}));
    QCOMPARE(ledger.assignedTo(3), 1);

    const auto done = ledger.complete(id, 3, 2);
    QVERIFY2(done.hasValue(), qPrintable(done ? QString() : done.error()));
    QCOMPARE(done->id, id);
    QCOMPARE(done->costMs, 125.0);
    QCOMPARE(done->owner, 3);
    QCOMPARE(done->epoch, std::int64_t(2));
    QCOMPARE(ledger.completed(), std::int64_t(1));
    QVERIFY(!ledger.find(id));
    QCOMPARE(ledger.assignedTo(3), 0);
    QCOMPARE(ledger.assignedCostMs(3), 0.0);
    QCOMPARE(ledger.waiting(), ids({2}));
}

void TestTaskLedger::assignFromTheMiddleOfTheQueue()
{
    TaskLedger ledger;
    for (int i = 0; i < 5; ++i)
        ledger.add(1);
    ledger.assign(3, 2, 0);
    QCOMPARE(ledger.waiting(), ids({1, 2, 4, 5}));
    ledger.assign(5, 2, 0);
    ledger.assign(1, 4, 0);
    QCOMPARE(ledger.waiting(), ids({2, 4}));
    QCOMPARE(ledger.assignedTo(2), 2);
    QCOMPARE(ledger.assignedTo(4), 1);
}

void TestTaskLedger::takeWaitingPeeksTheFront()
{
    // takeWaiting names the next task; the task leaves the queue only when it is assigned, so a
    // caller that finds no slave for it loses nothing.
    TaskLedger ledger;
    ledger.add(1);
    ledger.add(2);
    QCOMPARE(ledger.takeWaiting(), std::int64_t(1));
    QCOMPARE(ledger.takeWaiting(), std::int64_t(1));
    QCOMPARE(ledger.waitingCount(), size_t(2));
    ledger.assign(ledger.takeWaiting(), 2, 0);
    QCOMPARE(ledger.takeWaiting(), std::int64_t(2));
    ledger.assign(ledger.takeWaiting(), 3, 0);
    QCOMPARE(ledger.takeWaiting(), std::int64_t(0));
    QCOMPARE(ledger.waitingCount(), size_t(0));
}

void TestTaskLedger::refusedCompletion_data()
{
    QTest::addColumn<int>("rank");
    QTest::addColumn<qint64>("epoch");
    // The task is assigned to rank 3 under epoch 2.
    QTest::newRow("wrong rank") << 4 << qint64(2);
    QTest::newRow("old epoch") << 3 << qint64(1);
    QTest::newRow("future epoch") << 3 << qint64(3);
    QTest::newRow("wrong rank and epoch") << 5 << qint64(0);
    QTest::newRow("the master") << 0 << qint64(2);
}

void TestTaskLedger::refusedCompletion()
{
    QFETCH(int, rank);
    QFETCH(qint64, epoch);
    TaskLedger ledger;
    ledger.add(1);
    const std::int64_t id = ledger.add(40);
    ledger.assign(id, 3, 2);

    const auto refused = ledger.complete(id, rank, epoch);
    QVERIFY(!refused.hasValue());
    QCOMPARE(refused.error(), QStringLiteral("task 2 from rank %1 epoch %2, but it belongs to "
                                             "rank 3 epoch 2")
                                  .arg(rank)
                                  .arg(epoch));
    // Still live and still the owner's.
    QVERIFY(ledger.find(id));
    QCOMPARE(ledger.find(id)->owner, 3);
    QCOMPARE(ledger.assignedTo(3), 1);
    QCOMPARE(ledger.completed(), std::int64_t(0));
    QVERIFY(ledger.complete(id, 3, 2).hasValue());
    QCOMPARE(ledger.completed(), std::int64_t(1));
}

void TestTaskLedger::doubleCompletionRefused()
{
    TaskLedger ledger;
    const std::int64_t id = ledger.add(1);
    ledger.assign(id, 2, 0);
    QVERIFY(ledger.complete(id, 2, 0).hasValue());
    const auto again = ledger.complete(id, 2, 0);
    QVERIFY(!again.hasValue());
    QCOMPARE(again.error(), QStringLiteral("task 1 is not live (already done or never issued)"));
    QCOMPARE(ledger.completed(), std::int64_t(1));
}

void TestTaskLedger::unknownTaskRefused()
{
    TaskLedger ledger;
    ledger.add(1);
    const auto never = ledger.complete(99, 2, 0);
    QVERIFY(!never.hasValue());
    QVERIFY2(never.error().contains(QLatin1String("task 99 is not live")),
             qPrintable(never.error()));
    // A task still waiting at the master cannot be completed by any slave.
    const auto waiting = ledger.complete(1, 2, 0);
    QVERIFY(!waiting.hasValue());
    QVERIFY2(waiting.error().contains(QLatin1String("belongs to rank -1")),
             qPrintable(waiting.error()));
    QCOMPARE(ledger.waiting(), ids({1}));
    QCOMPARE(ledger.completed(), std::int64_t(0));
}

void TestTaskLedger::reclaimReturnsTasksToTheFront()
{
    TaskLedger ledger;
    for (int i = 1; i <= 7; ++i)
        ledger.add(i * 10);
    ledger.assign(1, 2, 0);
    ledger.assign(4, 2, 0);
    ledger.assign(2, 3, 0);
    ledger.assign(3, 2, 0);
    QCOMPARE(ledger.waiting(), ids({5, 6, 7}));

    const auto reclaimed = ledger.reclaim(2);
    QCOMPARE(reclaimed, ids({1, 3, 4}));
    // In task order, ahead of everything that was already waiting.
    QCOMPARE(ledger.waiting(), ids({1, 3, 4, 5, 6, 7}));
    QCOMPARE(ledger.takeWaiting(), std::int64_t(1));
    QCOMPARE(ledger.assignedTo(2), 0);
    QCOMPARE(ledger.assignedCostMs(2), 0.0);
    QCOMPARE(ledger.assignedTo(3), 1);
    for (std::int64_t id : reclaimed) {
        QCOMPARE(ledger.find(id)->owner, -1);
        QCOMPARE(ledger.find(id)->reassignments, 1);
    }
    QCOMPARE(ledger.find(2)->reassignments, 0);
    QCOMPARE(ledger.find(5)->reassignments, 0);

    // A second node going down later: its tasks go in front of the first node's.
    QCOMPARE(ledger.reclaim(3), ids({2}));
    QCOMPARE(ledger.waiting(), ids({2, 1, 3, 4, 5, 6, 7}));
}

void TestTaskLedger::lateCompletionAfterReclaim()
{
    TaskLedger ledger;
    const std::int64_t id = ledger.add(50);
    ledger.assign(id, 2, 0);
    QCOMPARE(ledger.reclaim(2), ids({id}));

    // slave-2 (declared DOWN) finishes after all: refused while the task waits...
    QVERIFY(!ledger.complete(id, 2, 0).hasValue());
    QCOMPARE(ledger.waiting(), ids({id}));
    // ...and after it went to slave-4.
    ledger.assign(id, 4, 0);
    const auto late = ledger.complete(id, 2, 0);
    QVERIFY(!late.hasValue());
    QCOMPARE(late.error(),
             QStringLiteral("task 1 from rank 2 epoch 0, but it belongs to rank 4 epoch 0"));
    QCOMPARE(ledger.find(id)->owner, 4);

    const auto done = ledger.complete(id, 4, 0);
    QVERIFY(done.hasValue());
    QCOMPARE(done->reassignments, 1);
    QCOMPARE(ledger.completed(), std::int64_t(1));
    // The late one still cannot complete it a second time.
    QVERIFY(!ledger.complete(id, 2, 0).hasValue());
    QCOMPARE(ledger.completed(), std::int64_t(1));
}

void TestTaskLedger::sameNodeBackWithNewEpoch()
{
    // slave-2 is declared DOWN (epoch 0 -> 1), comes back and is given its old task again: a
    // completion it sent under epoch 0 is stale, the one under epoch 1 counts.
    TaskLedger ledger;
    const std::int64_t id = ledger.add(50);
    ledger.assign(id, 2, 0);
    ledger.reclaim(2);
    ledger.assign(id, 2, 1);
    const auto stale = ledger.complete(id, 2, 0);
    QVERIFY(!stale.hasValue());
    QCOMPARE(stale.error(),
             QStringLiteral("task 1 from rank 2 epoch 0, but it belongs to rank 2 epoch 1"));
    QVERIFY(ledger.complete(id, 2, 1).hasValue());
    QCOMPARE(ledger.completed(), std::int64_t(1));
}

void TestTaskLedger::reclaimCountsEveryReassignment()
{
    TaskLedger ledger;
    const std::int64_t id = ledger.add(1);
    int owner = 2;
    for (int round = 1; round <= 4; ++round) {
        ledger.assign(id, owner, 0);
        QCOMPARE(ledger.reclaim(owner), ids({id}));
        QCOMPARE(ledger.find(id)->reassignments, round);
        QCOMPARE(ledger.waiting(), ids({id})); // never queued twice
        ++owner;
    }
}

void TestTaskLedger::reclaimOfIdleNode()
{
    TaskLedger ledger;
    ledger.add(1);
    ledger.add(2);
    ledger.assign(2, 3, 0);
    QVERIFY(ledger.reclaim(4).empty());
    QCOMPARE(ledger.waiting(), ids({1}));
    QCOMPARE(ledger.find(1)->reassignments, 0);
    QCOMPARE(ledger.find(2)->reassignments, 0);
    QCOMPARE(ledger.find(2)->owner, 3);
}

void TestTaskLedger::assignedToAndCost()
{
    TaskLedger ledger;
    const double costs[] = {12.5, 7.25, 100, 0.5, 3};
    for (double cost : costs)
        ledger.add(cost);
    ledger.assign(1, 2, 0);
    ledger.assign(3, 2, 0);
    ledger.assign(4, 5, 1);
    ledger.assign(5, 2, 0);
    QCOMPARE(ledger.assignedTo(2), 3);
    QCOMPARE(ledger.assignedCostMs(2), 12.5 + 100 + 3);
    QCOMPARE(ledger.assignedTo(5), 1);
    QCOMPARE(ledger.assignedCostMs(5), 0.5);
    QCOMPARE(ledger.assignedTo(3), 0);
    QCOMPARE(ledger.assignedCostMs(3), 0.0);
    // Waiting tasks are nobody's.
    QCOMPARE(ledger.waiting(), ids({2}));

    QVERIFY(ledger.complete(3, 2, 0).hasValue());
    QCOMPARE(ledger.assignedTo(2), 2);
    QCOMPARE(ledger.assignedCostMs(2), 15.5);
}

void TestTaskLedger::assignUnknownTaskThrows()
{
    // Assigning a task the ledger never issued (or already completed) is a master bug.
    TaskLedger ledger;
    const std::int64_t id = ledger.add(1);
    ledger.assign(id, 2, 0);
    QVERIFY(ledger.complete(id, 2, 0).hasValue());
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, ledger.assign(id, 3, 0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, ledger.assign(42, 3, 0));
}

QTEST_GUILESS_MAIN(TestTaskLedger)
#include "tst_taskledger.moc"
