// RateFloor: the minimum transfer rate averaged over a sliding window, the paper-free arithmetic
// behind closing slow readers. Rows: never judged before one window, a steady reader above and
// below the floor, a burst followed by silence, an excuse restarting the window, no floor.
#include "http/ratefloor.h"

#include <QTest>

using starling::http::RateFloor;

class TestRateFloor : public QObject
{
    Q_OBJECT

private slots:
    void judgesTheLastWindow_data()
    {
        QTest::addColumn<qint64>("minRate");   // bytes per second
        QTest::addColumn<qint64>("perSecond"); // what the reader moves each second after a burst
        QTest::addColumn<qint64>("burst");     // moved in the first second
        QTest::addColumn<int>("slowAtSecond"); // first second judged too slow, 0 = never (of 10)
        // Window 3 s, one observation per second.
        QTest::newRow("steady above") << qint64(1000) << qint64(1500) << qint64(1500) << 0;
        QTest::newRow("exactly at the floor") << qint64(1000) << qint64(1000) << qint64(1000) << 0;
        QTest::newRow("steady below") << qint64(1000) << qint64(500) << qint64(500) << 3;
        QTest::newRow("burst then silence") << qint64(1000) << qint64(0) << qint64(100000) << 4;
        QTest::newRow("no floor") << qint64(0) << qint64(0) << qint64(0) << 0;
    }

    void judgesTheLastWindow()
    {
        QFETCH(qint64, minRate);
        QFETCH(qint64, perSecond);
        QFETCH(qint64, burst);
        QFETCH(int, slowAtSecond);
        RateFloor floor(minRate, 3000);
        qint64 total = 0;
        int firstSlow = 0;
        QVERIFY(!floor.tooSlow(0, total));
        for (int second = 1; second <= 10 && firstSlow == 0; ++second) {
            total += second == 1 ? burst : perSecond;
            if (floor.tooSlow(second * 1000, total))
                firstSlow = second;
        }
        QCOMPARE(firstSlow, slowAtSecond);
    }

    void excuseRestartsTheWindow()
    {
        RateFloor floor(1000, 3000);
        QVERIFY(!floor.tooSlow(0, 0));
        QVERIFY(!floor.tooSlow(2000, 0));
        floor.excuse(2500, 0); // the server was the slow one
        QVERIFY(!floor.tooSlow(5000, 0));
        QVERIFY(floor.tooSlow(5500, 0));
        QCOMPARE(floor.bytesInWindow(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRateFloor)
#include "tst_ratefloor.moc"
