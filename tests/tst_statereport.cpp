// StateReport: the monitor's one line to `starling up`, and finding it in node.log.
#include "cluster/statereport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace starling::cluster;

namespace {

ClusterStateFile sample()
{
    ClusterStateFile s;
    s.masterUrl = QStringLiteral("http://10.77.0.1:40001/");
    s.bridgeHost = QStringLiteral("127.0.0.1");
    s.bridgePort = 40002;
    s.metricsUrl = QStringLiteral("http://127.0.0.1:40003/metrics");
    s.token = generateToken();
    s.nodePids = {101, 102, 103};
    s.runDir = QStringLiteral("/tmp/run");
    s.startedAtMs = 1765000000000;
    s.slaves = 1;
    s.exportRoot = QStringLiteral("/srv/export");
    return s;
}

void writeLog(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(content), content.size());
}

} // namespace

class TestStateReport : public QObject
{
    Q_OBJECT

private slots:
    void roundTripWithoutTheToken()
    {
        const ClusterStateFile state = sample();
        const QByteArray line = StateReport::line(state);
        QVERIFY(line.startsWith(StateReport::kPrefix));
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        QVERIFY(!line.contains(state.token.toLatin1())); // never in a log
        const auto parsed = StateReport::parse(line, state.token, QStringLiteral("node.log"));
        QVERIFY2(parsed.hasValue(), qPrintable(parsed.error()));
        QCOMPARE(*parsed, state);
    }

    void rejectsBadLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        const QByteArray good = StateReport::line(sample());
        QTest::newRow("no prefix") << QByteArray("starling-node monitor: cluster ready\n");
        QTest::newRow("garbage") << QByteArray(StateReport::kPrefix) + "\x01\xff{{{";
        QTest::newRow("truncated") << good.left(good.size() / 2);
        QTest::newRow("an array") << QByteArray(StateReport::kPrefix) + "[1, 2]";
        QTest::newRow("a missing key") << QByteArray(StateReport::kPrefix) + "{\"slaves\": 1}";
        QTest::newRow("carries a token") << QByteArray(good).replace("{", "{\"token\":\"abc\",");
        QTest::newRow("oversized") << QByteArray(StateReport::kPrefix) +
                                          QByteArray(ClusterStateFile::kMaxFileBytes, ' ') + "{}";
    }
    void rejectsBadLines()
    {
        QFETCH(QByteArray, line);
        const auto parsed = StateReport::parse(line, generateToken(), QStringLiteral("node.log"));
        QVERIFY(!parsed.hasValue());
        QVERIFY2(parsed.error().startsWith(QLatin1String("node.log")), qPrintable(parsed.error()));
        QVERIFY(!parsed.error().contains(u'\n'));
    }

    void findsTheReportAmongOtherOutput()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("node.log"));
        QVERIFY(!StateReport::find(log, generateToken())); // no log yet: still waiting

        writeLog(log, "starting\nstarling-node rank 3: something\n");
        QVERIFY(!StateReport::find(log, generateToken())); // no report yet

        ClusterStateFile state = sample();
        const QByteArray line = StateReport::line(state);
        writeLog(log, "starting\n" + line.left(20)); // the monitor is halfway through the line
        QVERIFY(!StateReport::find(log, state.token));

        writeLog(log, "starting\n" + line + "starling-node monitor: cluster ready\n");
        const auto found = StateReport::find(log, state.token);
        QVERIFY(found);
        QVERIFY2(found->hasValue(), qPrintable(found->error()));
        QCOMPARE(found->value(), state);
    }

    void malformedReportIsAnError()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("node.log"));
        writeLog(log, QByteArray(StateReport::kPrefix) + "{not json}\n");
        const auto found = StateReport::find(log, generateToken());
        QVERIFY(found);
        QVERIFY(!found->hasValue());
    }

    void reportBeyondTheScanLimitIsNotRead()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("node.log"));
        QByteArray noise;
        const QByteArray noiseLine(1000, 'x');
        while (noise.size() <= StateReport::kMaxScanBytes)
            noise += noiseLine + '\n';
        writeLog(log, noise + StateReport::line(sample()));
        QVERIFY(!StateReport::find(log, generateToken()));
    }

    void tokenFromTheEnvironment()
    {
        const QByteArray given = generateToken().toLatin1();
        qputenv(StateReport::kTokenVariable, given);
        QCOMPARE(StateReport::tokenFromEnvironment().toLatin1(), given);
        QVERIFY(!qEnvironmentVariableIsSet(StateReport::kTokenVariable)); // not passed on

        // Anything but a generated token is replaced by a new one.
        for (const QByteArray &bad : {QByteArray("short"), QByteArray(64, 'Z'), QByteArray()}) {
            qputenv(StateReport::kTokenVariable, bad);
            const QString token = StateReport::tokenFromEnvironment();
            QCOMPARE(token.size(), 64);
            QVERIFY(token.toLatin1() != bad);
        }
    }
};

QTEST_GUILESS_MAIN(TestStateReport)
#include "tst_statereport.moc"
