// AlignedTicker: ticks land on wall-clock multiples of the period, so every rank samples at the
// same instants.
#include "util/alignedticker.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using starling::AlignedTicker;

class TestAlignedTicker final : public QObject
{
    Q_OBJECT

private slots:
    void delayToNextTick_data()
    {
        QTest::addColumn<qint64>("now");
        QTest::addColumn<int>("period");
        QTest::addColumn<int>("delay");
        QTest::newRow("on a tick: the next one") << qint64(1000) << 500 << 500;
        QTest::newRow("just after a tick") << qint64(1001) << 500 << 499;
        QTest::newRow("mid-period") << qint64(1250) << 500 << 250;
        // Within a tenth of the period before a tick: that tick fired early, take the next.
        QTest::newRow("1 ms before a tick") << qint64(1499) << 500 << 501;
        QTest::newRow("a tenth before a tick") << qint64(1450) << 500 << 50;
        QTest::newRow("odd period") << qint64(10) << 7 << 4;
        QTest::newRow("real clock scale") << qint64(1795336336628) << 500 << 372;
    }

    void delayToNextTick()
    {
        QFETCH(qint64, now);
        QFETCH(int, period);
        QFETCH(int, delay);
        QCOMPARE(AlignedTicker::delayToNextTick(now, period), delay);
        QCOMPARE((now + delay) % period, qint64(0));
    }

    void ticksLandOnMultiplesOfThePeriod()
    {
        AlignedTicker ticker(100);
        std::vector<qint64> times;
        connect(&ticker, &AlignedTicker::tick, this,
                [&] { times.push_back(QDateTime::currentMSecsSinceEpoch()); });
        ticker.start();
        QTRY_VERIFY_WITH_TIMEOUT(times.size() >= 3, 5000);
        ticker.stop();
        for (size_t i = 1; i < times.size(); ++i)
            QVERIFY2(times[i] > times[i - 1], "ticks go forward");
        // Each tick fires at or after its multiple of 100 ms; how late depends on the machine,
        // so only the multiple it belongs to is checked: one per tick, none skipped twice.
        for (size_t i = 1; i < times.size(); ++i) {
            const qint64 step = times[i] / 100 - times[i - 1] / 100;
            QVERIFY2(step >= 1, qPrintable(QString::number(step)));
        }
    }
};

QTEST_GUILESS_MAIN(TestAlignedTicker)
#include "tst_alignedticker.moc"
