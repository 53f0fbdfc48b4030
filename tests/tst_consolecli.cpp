// Bad command lines for starling-console and `starling demo`: each is refused before anything
// starts, with one line on stderr and exit code 2.
#include "processrun.h"

#include <QTemporaryDir>
#include <QTest>

using namespace starling;

namespace {

struct Run
{
    int code = -1;
    QString err;
};

Run run(const QString &program, const QStringList &arguments)
{
    const testing::CliResult r = testing::runProgram(program, arguments, 30000);
    return {r.exitCode, r.err.trimmed()};
}

} // namespace

class TestConsoleCli : public QObject
{
    Q_OBJECT

private slots:
    void consoleRefusesBadArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("positional")
            << QStringList{QStringLiteral("extra")} << "unexpected argument";
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("--frobnicate")} << "frobnicate";
        QTest::newRow("connect without port")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("localhost"),
                           QStringLiteral("--token-file"), QStringLiteral("/dev/null")}
            << "HOST:PORT";
        QTest::newRow("connect without token file")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("127.0.0.1:7070")}
            << "--token-file";
        QTest::newRow("token file missing")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("127.0.0.1:7070"),
                           QStringLiteral("--token-file"), QStringLiteral("/nonexistent/token")}
            << "cannot read the token file";
        QTest::newRow("token file not a token")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("127.0.0.1:7070"),
                           QStringLiteral("--token-file"), QStringLiteral("/dev/null")}
            << "64 hex characters";
        QTest::newRow("demo and connect")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--connect"),
                           QStringLiteral("a:1")}
            << "drop --connect";
        QTest::newRow("slaves zero")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("0")} << "--slaves";
        QTest::newRow("slaves garbage")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("lots")} << "--slaves";
        QTest::newRow("timeout zero")
            << QStringList{QStringLiteral("--timeout-s"), QStringLiteral("0")} << "--timeout-s";
        QTest::newRow("screenshot after timeout")
            << QStringList{QStringLiteral("--screenshot-after-s"), QStringLiteral("500")}
            << "--screenshot-after-s";
        QTest::newRow("warn above critical")
            << QStringList{QStringLiteral("--cpu-warn"), QStringLiteral("99"),
                           QStringLiteral("--cpu-critical"), QStringLiteral("50")}
            << "thresholds";
        QTest::newRow("threshold garbage")
            << QStringList{QStringLiteral("--mem-warn"), QStringLiteral("x")} << "thresholds";
        QTest::newRow("no such view")
            << QStringList{QStringLiteral("--show"), QStringLiteral("Nope")} << "no view";
    }

    void consoleRefusesBadArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Run r = run(QStringLiteral(STARLING_CONSOLE), arguments);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u'\n'), qPrintable(r.err));
    }

    void demoRefusesBadArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("seconds too few")
            << QStringList{QStringLiteral("--seconds"), QStringLiteral("1")} << "--seconds";
        QTest::newRow("seconds garbage")
            << QStringList{QStringLiteral("--seconds"), QStringLiteral("soon")} << "--seconds";
        QTest::newRow("slaves too many")
            << QStringList{QStringLiteral("--slaves"), QStringLiteral("1000")} << "--slaves";
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--fast")} << "fast";
    }

    void demoRefusesBadArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Run r =
            run(QStringLiteral(STARLING_CLI),
                QStringList{QStringLiteral("demo"), QStringLiteral("--run-dir"), dir.path()} +
                    arguments);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u'\n'), qPrintable(r.err));
    }

    void demoRefusesARunDirectoryWithACluster()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile state(dir.filePath(QStringLiteral("cluster.json")));
        QVERIFY(state.open(QIODevice::WriteOnly));
        state.write("{}");
        state.close();
        for (const QString &program :
             {QStringLiteral(STARLING_CLI), QStringLiteral(STARLING_CONSOLE)}) {
            const QStringList args =
                program == QLatin1String(STARLING_CLI)
                    ? QStringList{QStringLiteral("demo"), QStringLiteral("--run-dir"), dir.path()}
                    : QStringList{QStringLiteral("--demo"), QStringLiteral("--run-dir"),
                                  dir.path()};
            const Run r = run(program, args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(QLatin1String("already in")), qPrintable(r.err));
        }
    }
};

QTEST_GUILESS_MAIN(TestConsoleCli)
#include "tst_consolecli.moc"
