// starling-console's command line: garbage, missing and out-of-range values are one line each;
// good values land in ConsoleOptions with the node table's thresholds in its own units.
#include "consoleoptions.h"

#include <QTest>

using namespace starling;
using namespace starling::console;

namespace {

Expected<ConsoleOptions> parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeConsoleOptions(parser);
    if (!parser.parse(QStringList{QStringLiteral("starling-console")} + arguments))
        return Error{parser.errorText()};
    return parseConsoleOptions(parser);
}

} // namespace

class TestConsoleOptions : public QObject
{
    Q_OBJECT

private slots:
    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("error");
        const QString thresholds = QStringLiteral(
            "thresholds want numbers, warn <= critical (CPU in % of one core, memory in MiB)");
        QTest::newRow("positional") << QStringList{QStringLiteral("extra")}
                                    << QStringLiteral("unexpected argument \"extra\"");
        QTest::newRow("demo and connect")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--connect"),
                           QStringLiteral("h:1")}
            << QStringLiteral("--demo starts its own cluster; drop --connect");
        for (const char *minutes : {"0", "0.4", "1441", "x", "nan"})
            QTest::newRow(qPrintable(QStringLiteral("drain alert %1").arg(QLatin1String(minutes))))
                << QStringList{QStringLiteral("--drain-alert-min"), QLatin1String(minutes)}
                << QStringLiteral("--drain-alert-min wants minutes from 0.5 to 1440");
        QTest::newRow("slaves garbage")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("x")}
            << QStringLiteral("--slaves wants a number from 1 to 64");
        QTest::newRow("slaves too many")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("65")}
            << QStringLiteral("--slaves wants a number from 1 to 64");
        QTest::newRow("timeout zero")
            << QStringList{QStringLiteral("--timeout-s"), QStringLiteral("0")}
            << QStringLiteral("--timeout-s wants seconds from 1 to 86400");
        QTest::newRow("after not below timeout")
            << QStringList{QStringLiteral("--timeout-s"), QStringLiteral("10"),
                           QStringLiteral("--screenshot-after-s"), QStringLiteral("10")}
            << QStringLiteral("--screenshot-after-s wants seconds from 0 to below --timeout-s");
        QTest::newRow("after negative")
            << QStringList{QStringLiteral("--screenshot-after-s"), QStringLiteral("-1")}
            << QStringLiteral("--screenshot-after-s wants seconds from 0 to below --timeout-s");
        QTest::newRow("cpu warn garbage")
            << QStringList{QStringLiteral("--cpu-warn"), QStringLiteral("hot")} << thresholds;
        QTest::newRow("cpu warn above critical")
            << QStringList{QStringLiteral("--cpu-warn"), QStringLiteral("99"),
                           QStringLiteral("--cpu-critical"), QStringLiteral("98")}
            << thresholds;
        QTest::newRow("tls pin without connect")
            << QStringList{QStringLiteral("--tls-pin"), QStringLiteral("sha256//x")}
            << QStringLiteral("--tls-ca and --tls-pin go with --connect (a state file names its "
                              "own trust)");
        QTest::newRow("tls pin garbage")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("h:1"),
                           QStringLiteral("--tls-pin"), QStringLiteral("sha256//not-base64!")}
            << QStringLiteral("--tls-pin wants \"sha256//\" and the base64 of 32 bytes");
        QTest::newRow("tls pin too short")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("h:1"),
                           QStringLiteral("--tls-pin"), QStringLiteral("sha256//AAAA")}
            << QStringLiteral("--tls-pin wants \"sha256//\" and the base64 of 32 bytes");
        QTest::newRow("tls ca missing")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("h:1"),
                           QStringLiteral("--tls-ca"), QStringLiteral("/nonexistent/ca.pem")}
            << QStringLiteral("--tls-ca /nonexistent/ca.pem: cannot read it");
        QTest::newRow("reset layout with a value")
            << QStringList{QStringLiteral("--reset-layout=yes")}
            << QStringLiteral("Unexpected value after '--reset-layout'.");
        QTest::newRow("memory out of range")
            << QStringList{QStringLiteral("--mem-critical"), QStringLiteral("2e9")} << thresholds;
    }

    void badArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, error);
        const auto options = parse(arguments);
        QVERIFY(!options);
        QCOMPARE(options.error(), error);
    }

    void defaults()
    {
        const auto options = parse({});
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(options->slaves, 4);
        QCOMPARE(options->timeoutS, 120);
        QCOMPARE(options->screenshotAfterS, 0);
        QVERIFY(!options->demo && !options->connectTo && !options->screenshot);
        const ui::NodeTableModel::Thresholds defaults;
        QCOMPARE(options->thresholds.cpuWarn, defaults.cpuWarn);
        QCOMPARE(options->thresholds.memCriticalBytes, defaults.memCriticalBytes);
        QCOMPARE(options->drainAlertMin, 5.0);
        QVERIFY(!options->thresholdsGiven); // the saved thresholds, if any, are used
        QVERIFY(!options->resetLayout);
    }

    // Any threshold on the command line wins over the saved ones for the run.
    void thresholdsGiven_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("given");
        QTest::newRow("none") << QStringList{QStringLiteral("--demo")} << false;
        QTest::newRow("the default value, given")
            << QStringList{QStringLiteral("--cpu-warn"), QStringLiteral("75")} << true;
        QTest::newRow("cpu critical")
            << QStringList{QStringLiteral("--cpu-critical"), QStringLiteral("99")} << true;
        QTest::newRow("mem warn") << QStringList{QStringLiteral("--mem-warn"), QStringLiteral("10")}
                                  << true;
        QTest::newRow("mem critical")
            << QStringList{QStringLiteral("--mem-critical"), QStringLiteral("4096")} << true;
    }

    void thresholdsGiven()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, given);
        const auto options = parse(arguments);
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(options->thresholdsGiven, given);
    }

    void resetLayout_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("reset");
        QTest::newRow("absent") << QStringList{} << false;
        QTest::newRow("alone") << QStringList{QStringLiteral("--reset-layout")} << true;
        QTest::newRow("with the demo and a view")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--reset-layout"),
                           QStringLiteral("--show"), QStringLiteral("Events")}
            << true;
    }

    void resetLayout()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, reset);
        const auto options = parse(arguments);
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(options->resetLayout, reset);
    }

    void goodValues()
    {
        const auto options =
            parse({QStringLiteral("--demo"), QStringLiteral("--slaves"), QStringLiteral("2"),
                   QStringLiteral("--cpu-warn"), QStringLiteral("50"), QStringLiteral("--mem-warn"),
                   QStringLiteral("512"), QStringLiteral("--show"), QStringLiteral("Load"),
                   QStringLiteral("--drain-alert-min"), QStringLiteral("1.5")});
        QVERIFY2(options, qPrintable(options.error()));
        QVERIFY(options->demo);
        QCOMPARE(options->slaves, 2);
        QCOMPARE(options->thresholds.cpuWarn, 0.5);
        QCOMPARE(options->thresholds.memWarnBytes, 512.0 * 1048576);
        QCOMPARE(options->showTab, std::optional<QString>(QStringLiteral("Load")));
        QCOMPARE(options->drainAlertMin, 1.5);
    }

    // Replay slice: a moment in a recording, seconds or m:ss, at most a week.
    void playbackTimes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1: refused
        QTest::newRow("seconds") << "90" << qint64(90000);
        QTest::newRow("fraction") << "12.5" << qint64(12500);
        QTest::newRow("zero") << "0" << qint64(0);
        QTest::newRow("m:ss") << "1:30" << qint64(90000);
        QTest::newRow("long m:ss") << "125:05" << qint64(7505000);
        QTest::newRow("spaces") << " 2:00 " << qint64(120000);
        QTest::newRow("a week") << "604800" << qint64(604800000);
        QTest::newRow("past a week") << "604801" << qint64(-1);
        QTest::newRow("seconds 60") << "1:60" << qint64(-1);
        QTest::newRow("negative") << "-1" << qint64(-1);
        QTest::newRow("negative minutes") << "-1:00" << qint64(-1);
        QTest::newRow("h:mm:ss") << "1:00:00" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("words") << "soon" << qint64(-1);
        QTest::newRow("nan") << "nan" << qint64(-1);
        QTest::newRow("inf") << "inf" << qint64(-1);
        QTest::newRow("huge") << "1e300" << qint64(-1);
    }

    void playbackTimes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        const std::optional<qint64> got = parsePlaybackTime(text);
        QCOMPARE(got.value_or(-1), ms);
    }

    void replayOptions()
    {
        const auto options = parse({QStringLiteral("--replay"), QStringLiteral("r.strec"),
                                    QStringLiteral("--screenshot"), QStringLiteral("r.png"),
                                    QStringLiteral("--screenshot-at"), QStringLiteral("0:42")});
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(*options->replay, QStringLiteral("r.strec"));
        QCOMPARE(*options->screenshotAtMs, 42000);
        QVERIFY(!options->record);
        const auto record = parse(
            {QStringLiteral("--demo"), QStringLiteral("--record"), QStringLiteral("d.strec")});
        QVERIFY2(record, qPrintable(record.error()));
        QCOMPARE(*record->record, QStringLiteral("d.strec"));
        QVERIFY(!parse({QStringLiteral("--record"), QString()}));
        QVERIFY(!parse({QStringLiteral("--replay"), QStringLiteral("r"),
                        QStringLiteral("--connect"), QStringLiteral("a:1")}));
    }

    void tlsTrustForConnect()
    {
        const QString pin =
            QStringLiteral("sha256//") + QString::fromLatin1(QByteArray(32, '\x01').toBase64());
        const auto options = parse({QStringLiteral("--connect"), QStringLiteral("10.0.0.1:4000"),
                                    QStringLiteral("--tls-pin"), pin});
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(options->tls.publicKeyPin, pin);
        QVERIFY(options->tls.isEnabled());
    }
};

QTEST_GUILESS_MAIN(TestConsoleOptions)
#include "tst_consoleoptions.moc"
