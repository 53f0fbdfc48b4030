// The one formatter of numbers for people: percentages, binary sizes and rates, durations and
// heartbeat ages, with "-" for values that are not measurements (negative, NaN, infinite).
#include "util/valueformat.h"

#include <QTest>

#include <limits>

using namespace starling;
using namespace starling::util;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double KiB = 1024;
constexpr double MiB = 1024 * KiB;
constexpr double GiB = 1024 * MiB;
} // namespace

class TestValueFormat : public QObject
{
    Q_OBJECT

private slots:
    void percent_data()
    {
        QTest::addColumn<double>("fraction");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0%");
        QTest::newRow("37%") << 0.37 << QStringLiteral("37%");
        QTest::newRow("rounds") << 0.996 << QStringLiteral("100%");
        QTest::newRow("over one core") << 1.5 << QStringLiteral("150%");
        QTest::newRow("negative") << -0.1 << QStringLiteral("-");
        QTest::newRow("NaN") << kNaN << QStringLiteral("-");
        QTest::newRow("infinite") << kInf << QStringLiteral("-");
    }
    void percent()
    {
        QFETCH(double, fraction);
        QFETCH(QString, expected);
        QCOMPARE(util::formatPercent(fraction), expected);
    }

    void bytes_data()
    {
        QTest::addColumn<double>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("0") << 0.0 << QStringLiteral("0 B");
        QTest::newRow("512") << 512.0 << QStringLiteral("512 B");
        QTest::newRow("1023") << 1023.0 << QStringLiteral("1023 B");
        QTest::newRow("1023.6 rounds up a unit") << 1023.6 << QStringLiteral("1.0 KiB");
        QTest::newRow("1024") << KiB << QStringLiteral("1.0 KiB");
        QTest::newRow("1.5 KiB") << 1.5 * KiB << QStringLiteral("1.5 KiB");
        QTest::newRow("3.2 MiB") << 3.2 * MiB << QStringLiteral("3.2 MiB");
        QTest::newRow("9.96 MiB reads 10") << 9.96 * MiB << QStringLiteral("10 MiB");
        QTest::newRow("10 MiB") << 10 * MiB << QStringLiteral("10 MiB");
        QTest::newRow("1023.9 KiB") << 1023.9 * KiB << QStringLiteral("1.0 MiB");
        QTest::newRow("3 GiB") << 3 * GiB << QStringLiteral("3.0 GiB");
        QTest::newRow("500 GiB") << 500 * GiB << QStringLiteral("500 GiB");
        QTest::newRow("2 TiB") << 2 * 1024 * GiB << QStringLiteral("2.0 TiB");
        QTest::newRow("huge stays in PiB") << 5e20 << QStringLiteral("444089 PiB");
        QTest::newRow("negative") << -5.0 << QStringLiteral("-");
        QTest::newRow("NaN") << kNaN << QStringLiteral("-");
        QTest::newRow("infinite") << kInf << QStringLiteral("-");
    }
    void bytes()
    {
        QFETCH(double, bytes);
        QFETCH(QString, expected);
        QCOMPARE(util::formatBytes(bytes), expected);
    }

    void rate_data()
    {
        QTest::addColumn<double>("bytesPerS");
        QTest::addColumn<QString>("expected");
        QTest::newRow("idle") << 0.0 << QStringLiteral("0 B/s");
        QTest::newRow("12.5 MB/s link") << 12.5e6 << QStringLiteral("12 MiB/s");
        QTest::newRow("1.5 MiB/s") << 1.5 * MiB << QStringLiteral("1.5 MiB/s");
        QTest::newRow("negative") << -1.0 << QStringLiteral("-");
        QTest::newRow("NaN") << kNaN << QStringLiteral("-");
    }
    void rate()
    {
        QFETCH(double, bytesPerS);
        QFETCH(QString, expected);
        QCOMPARE(util::formatRate(bytesPerS), expected);
    }

    void seconds_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0.00 s");
        QTest::newRow("4.2 ms") << 0.0042 << QStringLiteral("4.2 ms");
        QTest::newRow("40 ms") << 0.04 << QStringLiteral("40 ms");
        QTest::newRow("0.85 s") << 0.85 << QStringLiteral("0.85 s");
        QTest::newRow("1.72 s") << 1.72 << QStringLiteral("1.72 s");
        QTest::newRow("12.34 s") << 12.34 << QStringLiteral("12.3 s");
        QTest::newRow("59.97 s is a minute") << 59.97 << QStringLiteral("1 m 00 s");
        QTest::newRow("65 s") << 65.0 << QStringLiteral("1 m 05 s");
        QTest::newRow("59 m 59.6 s") << 3599.6 << QStringLiteral("1 h 00 m");
        QTest::newRow("2 h 3 m") << 2 * 3600.0 + 3 * 60 + 20 << QStringLiteral("2 h 03 m");
        QTest::newRow("negative") << -1.0 << QStringLiteral("-");
        QTest::newRow("NaN") << kNaN << QStringLiteral("-");
        QTest::newRow("infinite") << kInf << QStringLiteral("-");
    }
    void seconds()
    {
        QFETCH(double, seconds);
        QFETCH(QString, expected);
        QCOMPARE(util::formatSeconds(seconds), expected);
    }

    void age_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("expected");
        QTest::newRow("never") << qint64(-1) << QStringLiteral("-");
        QTest::newRow("other negative") << qint64(-500) << QStringLiteral("-");
        QTest::newRow("just now") << qint64(0) << QStringLiteral("0.0 s");
        QTest::newRow("0.3 s") << qint64(310) << QStringLiteral("0.3 s");
        QTest::newRow("9.9 s") << qint64(9900) << QStringLiteral("9.9 s");
        QTest::newRow("12 s") << qint64(12400) << QStringLiteral("12 s");
        QTest::newRow("65 s") << qint64(65000) << QStringLiteral("1 m 05 s");
        QTest::newRow("3 h") << qint64(3) * 3600 * 1000 << QStringLiteral("3 h 00 m");
    }
    void age()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, expected);
        QCOMPARE(util::formatAge(ms), expected);
    }
};

QTEST_GUILESS_MAIN(TestValueFormat)
#include "tst_valueformat.moc"
