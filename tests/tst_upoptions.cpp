// The command line of `starling up`: garbage, missing and out-of-range values are one line
// each, and a good one becomes the launch plan and the arguments `starling restart` replays.
#include "upoptions.h"

#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::cli;

class TestUpOptions : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString exportDir() const { return m_dir.filePath(QStringLiteral("export")); }
    QString runDir() const { return m_dir.filePath(QStringLiteral("run")); }

    Expected<UpOptions> parse(const QStringList &arguments) const
    {
        QCommandLineParser parser;
        describeUpCommand(parser);
        if (!parser.parse(QStringList{QStringLiteral("starling up"), QStringLiteral("--export"),
                                      exportDir(), QStringLiteral("--run-dir"), runDir()} +
                          arguments))
            return Error{parser.errorText()};
        return parseUpOptions(parser);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir().mkpath(exportDir()));
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("error");
        QTest::newRow("positional")
            << QStringList{QStringLiteral("now")}
            << QStringLiteral("up takes no arguments; see starling up --help");
        QTest::newRow("slaves, garbage")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("four")}
            << QStringLiteral("--slaves must be a whole number from 1 to 256, got \"four\"");
        QTest::newRow("slaves, zero")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("0")}
            << QStringLiteral("--slaves must be a whole number from 1 to 256, got \"0\"");
        QTest::newRow("slaves, too many")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("257")}
            << QStringLiteral("--slaves must be a whole number from 1 to 256, got \"257\"");
        QTest::newRow("hosts and hostfile")
            << QStringList{QStringLiteral("--hosts"), QStringLiteral("a,b"),
                           QStringLiteral("--hostfile"), QStringLiteral("/nonexistent")}
            << QStringLiteral("give --hostfile or --hosts, not both");
        QTest::newRow("missing hostfile")
            << QStringList{QStringLiteral("--hostfile"), QStringLiteral("/nonexistent/hosts")}
            << QStringLiteral("host file /nonexistent/hosts does not exist");
        QTest::newRow("launcher-exec not executable")
            << QStringList{QStringLiteral("--launcher-exec"), QStringLiteral("/nonexistent/ssh")}
            << QStringLiteral("--launcher-exec /nonexistent/ssh is not an executable file");
        QTest::newRow("bind-host garbage")
            << QStringList{QStringLiteral("--bind-host"), QStringLiteral("somewhere")}
            << QStringLiteral("--bind-host must be an IP address or \"host\", got \"somewhere\"");
        QTest::newRow("emulation garbage")
            << QStringList{QStringLiteral("--emulation"), QStringLiteral("maybe")}
            << QStringLiteral("--emulation must be on or off, got \"maybe\"");
        QTest::newRow("transport garbage")
            << QStringList{QStringLiteral("--mpi-transport"), QStringLiteral("udp")}
            << QStringLiteral("--mpi-transport must be tcp or shm, got \"udp\"");
        QTest::newRow("timeout zero")
            << QStringList{QStringLiteral("--timeout"), QStringLiteral("0")}
            << QStringLiteral("--timeout must be a number of seconds from 1 to 600");
        QTest::newRow("timeout too long")
            << QStringList{QStringLiteral("--timeout"), QStringLiteral("601")}
            << QStringLiteral("--timeout must be a number of seconds from 1 to 600");
        QTest::newRow("timeout garbage")
            << QStringList{QStringLiteral("--timeout"), QStringLiteral("soon")}
            << QStringLiteral("--timeout must be a number of seconds from 1 to 600");
    }

    void badArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, error);
        const auto up = parse(arguments);
        QVERIFY(!up);
        QCOMPARE(up.error(), error);
        QVERIFY(!up.error().contains(QLatin1Char('\n')));
    }

    void missingExportDirectory()
    {
        QCommandLineParser parser;
        describeUpCommand(parser);
        QVERIFY(parser.parse({QStringLiteral("starling up"), QStringLiteral("--export"),
                              QStringLiteral("/nonexistent/export")}));
        const auto up = parseUpOptions(parser);
        QVERIFY(!up);
        QCOMPARE(up.error(), QStringLiteral("export directory /nonexistent/export does not exist"));
    }

    void goodArgumentsAreReplayable()
    {
        const auto up =
            parse({QStringLiteral("--slaves"), QStringLiteral("3"), QStringLiteral("--emulation"),
                   QStringLiteral("off"), QStringLiteral("--timeout"), QStringLiteral("12"),
                   QStringLiteral("--detach")});
        QVERIFY2(up, qPrintable(up.error()));
        QCOMPARE(up->plan.slaves, 3);
        QCOMPARE(up->timeoutS, 12.0);
        QVERIFY(up->detach);
        QCOMPARE(up->runDir, runDir());
        QVERIFY(up->plan.nodeArguments.contains(QStringLiteral("--no-emulation")));
        QCOMPARE(up->normalized,
                 (QStringList{QStringLiteral("--slaves"), QStringLiteral("3"),
                              QStringLiteral("--export"), exportDir(), QStringLiteral("--run-dir"),
                              runDir(), QStringLiteral("--emulation"), QStringLiteral("off"),
                              QStringLiteral("--timeout"), QStringLiteral("12")}));
    }
};

QTEST_GUILESS_MAIN(TestUpOptions)
#include "tst_upoptions.moc"
