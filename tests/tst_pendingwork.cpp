// PendingWork: paper 1's sum of g1 over a node's queued and running requests, in its seconds.
#include "sched/costmodel.h"
#include "sched/pendingwork.h"
#include "sched/schedulingerror.h"

#include <QTest>

using namespace starling::sched;

namespace {
constexpr double kTol = 1e-12;
}

class TestPendingWork : public QObject
{
    Q_OBJECT

private slots:
    void emptyIsZero();
    void queuedByG1_data();
    void queuedByG1();
    void pricedRequestsScaleBySlowness();
    void runningCountsWhatIsLeft_data();
    void runningCountsWhatIsLeft();
    void sumsEverything();
    void negativeLengthThrows();
};

void TestPendingWork::emptyIsZero()
{
    const CostModel costs;
    QCOMPARE(PendingWork(costs).seconds(), 0.0);
}

void TestPendingWork::queuedByG1_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<double>("slowness");
    QTest::addColumn<double>("expected");
    // Default g1: block 1 ms + 100 MB/s, relay 2 ms + 50 MB/s, strip 5 ms + 20 MB/s.
    QTest::newRow("block 100 MB, standard")
        << int(RequestType::FileBlock) << qint64(100000000) << 1.0 << 1.001;
    QTest::newRow("block 100 MB, twice as slow")
        << int(RequestType::FileBlock) << qint64(100000000) << 2.0 << 2.002;
    QTest::newRow("relay empty, half as slow")
        << int(RequestType::FileRelay) << qint64(0) << 0.5 << 0.001;
    QTest::newRow("strip 10 MB, 3x slow")
        << int(RequestType::ImageStrip) << qint64(10000000) << 3.0 << 1.515;
}

void TestPendingWork::queuedByG1()
{
    QFETCH(int, type);
    QFETCH(qint64, length);
    QFETCH(double, slowness);
    QFETCH(double, expected);
    const CostModel costs;
    PendingWork work(costs);
    work.addQueued(RequestType(type), length, slowness);
    QVERIFY2(qAbs(work.seconds() - expected) < kTol,
             qPrintable(QString::number(work.seconds(), 'g', 17)));
}

void TestPendingWork::pricedRequestsScaleBySlowness()
{
    const CostModel costs;
    PendingWork work(costs);
    work.addQueued(0.5, 2.0);
    work.addQueued(0.25, 1.0);
    QVERIFY(qAbs(work.seconds() - 1.25) < kTol);

    // The cluster's g1 for strips: no fixed part, the configured standard throughput.
    CostModel cluster;
    cluster.setCost(RequestType::ImageStrip, {0, 2e6});
    PendingWork strips(cluster);
    strips.addQueued(RequestType::ImageStrip, 1000000, 1.5);
    QVERIFY(qAbs(strips.seconds() - 0.75) < kTol);
}

void TestPendingWork::runningCountsWhatIsLeft_data()
{
    QTest::addColumn<double>("standardS");
    QTest::addColumn<double>("slowness");
    QTest::addColumn<double>("elapsedS");
    QTest::addColumn<double>("expected");
    QTest::newRow("just started") << 2.0 << 1.0 << 0.0 << 2.0;
    QTest::newRow("half done") << 2.0 << 1.0 << 1.0 << 1.0;
    QTest::newRow("slow node") << 2.0 << 3.0 << 1.0 << 5.0;
    QTest::newRow("overdue") << 1.0 << 1.0 << 4.0 << 0.0;
}

void TestPendingWork::runningCountsWhatIsLeft()
{
    QFETCH(double, standardS);
    QFETCH(double, slowness);
    QFETCH(double, elapsedS);
    QFETCH(double, expected);
    const CostModel costs;
    PendingWork work(costs);
    work.addRunning(standardS, slowness, elapsedS);
    QVERIFY(qAbs(work.seconds() - expected) < kTol);
}

void TestPendingWork::sumsEverything()
{
    const CostModel costs;
    PendingWork work(costs);
    work.addQueued(RequestType::FileBlock, 0, 1.0); // 1 ms
    work.addQueued(0.1, 2.0);                       // 200 ms
    work.addRunning(0.5, 1.0, 0.2);                 // 300 ms left
    QVERIFY(qAbs(work.seconds() - 0.501) < kTol);
}

void TestPendingWork::negativeLengthThrows()
{
    const CostModel costs;
    PendingWork work(costs);
    QVERIFY_THROWS_EXCEPTION(SchedulingError, work.addQueued(RequestType::FileBlock, -1, 1.0));
}

QTEST_APPLESS_MAIN(TestPendingWork)
#include "tst_pendingwork.moc"
