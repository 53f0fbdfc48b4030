// RelayBudget: the bytes all relays may hold at once. A reservation that fits is granted at
// once, one that does not waits (bounded) and is refused, and one freed on another thread lets a
// waiting one in; a lease outliving its budget is harmless.
#include "transfer/relaybudget.h"

#include <QTest>

#include <chrono>
#include <thread>

using namespace starling::transfer;
using namespace std::chrono_literals;

namespace {

// Returns once a reserve() is blocked in the budget (or after 10 s), so the other thread acts
// on a real waiter rather than after a guessed delay.
void waitForWaiter(const RelayBudget &budget)
{
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (budget.waiting() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
}

} // namespace

class TestRelayBudget : public QObject
{
    Q_OBJECT

private slots:
    void reservesUntilFullThenRefuses()
    {
        RelayBudget budget(100);
        auto a = budget.reserve(60, 0ms);
        QVERIFY(a);
        QCOMPARE(budget.reserved(), 60);
        QVERIFY(!budget.reserve(41, 20ms)); // waits its bound, then gives up
        auto b = budget.reserve(40, 0ms);
        QVERIFY(b);
        QCOMPARE(budget.reserved(), 100);
        a.reset();
        QCOMPARE(budget.reserved(), 40);
    }

    void oversizeAndTinyAreClamped()
    {
        RelayBudget budget(100);
        auto huge = budget.reserve(1 << 30, 0ms); // runs alone rather than never
        QVERIFY(huge);
        QCOMPARE(huge->bytes(), 100);
        huge.reset();
        QCOMPARE(budget.reserve(0, 0ms)->bytes(), 1);
    }

    void releaseOnAnotherThreadWakesAWaiter()
    {
        RelayBudget budget(100);
        auto held = budget.reserve(100, 0ms);
        std::thread releaser([&budget, &held] {
            waitForWaiter(budget);
            held.reset();
        });
        auto waited = budget.reserve(50, 10s); // returns as soon as the other is freed
        releaser.join();
        QVERIFY(waited);
        QCOMPARE(budget.reserved(), 50);
    }

    void closeWakesWaitersAndRefusesLater()
    {
        RelayBudget budget(10);
        auto held = budget.reserve(10, 0ms);
        std::thread closer([&budget] {
            waitForWaiter(budget);
            budget.close();
        });
        QVERIFY(!budget.reserve(5, 10s));
        closer.join();
        held.reset();
        QVERIFY(!budget.reserve(5, 0ms));
    }

    void leaseMayOutliveItsBudget()
    {
        std::shared_ptr<RelayBudget::Lease> lease;
        {
            RelayBudget budget(10);
            lease = budget.reserve(5, 0ms);
            QVERIFY(lease);
        }
        lease.reset(); // no crash, no use after free (ASan would say)
    }
};

QTEST_GUILESS_MAIN(TestRelayBudget)
#include "tst_relaybudget.moc"
