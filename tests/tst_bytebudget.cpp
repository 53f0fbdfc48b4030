// ByteBudget: reservations fit in the capacity or take nothing, releases never go below zero,
// forced charges (jobs restored after a restart) may pass the capacity and then block new ones.
#include "jobs/bytebudget.h"

#include <QTest>

using starling::jobs::ByteBudget;

class TestByteBudget final : public QObject
{
    Q_OBJECT

private slots:
    void reservesWithinCapacity_data()
    {
        QTest::addColumn<qint64>("capacity");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("second");
        QTest::addColumn<bool>("secondFits");
        QTest::newRow("both fit") << qint64(100) << qint64(40) << qint64(60) << true;
        QTest::newRow("one byte over") << qint64(100) << qint64(40) << qint64(61) << false;
        QTest::newRow("zero always fits") << qint64(100) << qint64(100) << qint64(0) << true;
        QTest::newRow("negative never") << qint64(100) << qint64(0) << qint64(-1) << false;
        QTest::newRow("empty budget") << qint64(0) << qint64(0) << qint64(1) << false;
    }

    void reservesWithinCapacity()
    {
        QFETCH(qint64, capacity);
        QFETCH(qint64, first);
        QFETCH(qint64, second);
        QFETCH(bool, secondFits);
        ByteBudget budget(capacity);
        QVERIFY(budget.tryReserve(first));
        QCOMPARE(budget.tryReserve(second), secondFits);
        QCOMPARE(budget.used(), first + (secondFits ? second : 0));
        QCOMPARE(budget.available(), capacity - budget.used());
    }

    void releaseGivesBack()
    {
        ByteBudget budget(100);
        QVERIFY(budget.tryReserve(70));
        QVERIFY(!budget.tryReserve(40));
        budget.release(30);
        QVERIFY(budget.tryReserve(40));
        budget.release(1000); // more than is used: back to empty, not negative
        QCOMPARE(budget.used(), qint64(0));
        budget.release(-5);
        QCOMPARE(budget.used(), qint64(0));
    }

    void forcePassesCapacity()
    {
        ByteBudget budget(100);
        budget.force(150);
        QCOMPARE(budget.used(), qint64(150));
        QVERIFY(!budget.tryReserve(1));
        budget.release(60);
        QVERIFY(budget.tryReserve(10));
    }

    void negativeCapacityIsEmpty()
    {
        ByteBudget budget(-10);
        QCOMPARE(budget.capacity(), qint64(0));
        QVERIFY(!budget.tryReserve(1));
    }
};

QTEST_GUILESS_MAIN(TestByteBudget)
#include "tst_bytebudget.moc"
