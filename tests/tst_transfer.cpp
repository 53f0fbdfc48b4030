// File transfer end to end: a real cluster of 4 slaves whose data servers are paced to 8 MB/s
// each, serving files from a temporary export root. Downloads with `starling get`, plain curl
// through the master's relay and aria2c on the Metalink must give byte-identical files; a
// slave stopped mid-transfer, a file changed mid-transfer, a cluster restarted mid-download and
// hostile requests must each end as the README promises. Every wait is on a condition.
#include "clusterclient.h"
#include "clusterharness.h"
#include "transfer/sha256.h"
#include "transfer/transferplan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <csignal>

using namespace starling;
using starling::testing::CliResult;
using starling::testing::ClusterHarness;
using starling::testing::fileSha;
using starling::testing::runCli;
using starling::testing::summaryOf;

namespace {

constexpr qint64 kBig = 48 * 1024 * 1024;

QByteArray pattern(qint64 size, int seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    quint32 x = quint32(seed) * 2654435761u + 1;
    for (qint64 i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = char(x);
    }
    return bytes;
}

// One HTTP/1.1 request over a raw socket: status line and headers, then the body.
QByteArray rawRequest(const QUrl &base, const QByteArray &request, int timeoutMs = 10000)
{
    QTcpSocket socket;
    socket.connectToHost(base.host(), quint16(base.port()));
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray response;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs &&
           socket.waitForReadyRead(timeoutMs))
        response += socket.readAll();
    return response + socket.readAll();
}

} // namespace

class TestTransfer final : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;
    QByteArray m_bigSha;

    QString master() const { return m_cluster.state().masterUrl; }
    QString exportFile(const QString &name) const
    {
        return QDir(m_cluster.exportDir()).filePath(name);
    }
    QString out(const QString &name) const { return m_cluster.path(QStringLiteral("out/") + name); }

    void writeExport(const QString &name, const QByteArray &bytes)
    {
        QDir().mkpath(QFileInfo(exportFile(name)).absolutePath());
        QFile file(exportFile(name));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(bytes), bytes.size());
    }

    CliResult get(QStringList arguments, int timeoutMs = 120000)
    {
        return m_cluster.run(QStringList{QStringLiteral("get")} + arguments, timeoutMs);
    }

    bool startGet(QProcess &process, const QStringList &arguments)
    {
        return testing::startGet(process, arguments, m_cluster.runDir());
    }

    QStringList leftovers() const
    {
        return QDir(m_cluster.path(QStringLiteral("out")))
            .entryList({QStringLiteral("*.starling-part*")}, QDir::Files);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        QVERIFY(QDir().mkpath(m_cluster.path(QStringLiteral("out"))));
        QDir().mkpath(m_cluster.exportDir());
        const QByteArray big = pattern(kBig, 1);
        m_bigSha = transfer::Sha256::hexOf(big);
        writeExport(QStringLiteral("big.bin"), big);
        writeExport(QStringLiteral("odd.bin"), pattern(256 * 1024 + 1, 2));
        writeExport(QStringLiteral("empty.bin"), {});
        writeExport(QStringLiteral("dir/a b%&<x>.txt"), "hello, block world\n");
        m_cluster.writeConfig(R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
                                 "down_after_ms": 2000, "snapshot_hz": 10,
                                 "startup_timeout_s": 120})");
        QFile profile(m_cluster.path(QStringLiteral("profile.json")));
        QVERIFY(profile.open(QIODevice::WriteOnly));
        profile.write(R"({"slaves": [{"link_MBps": 8}, {"link_MBps": 8}, {"link_MBps": 8},
                                     {"link_MBps": 8}]})");
        profile.close();
        QVERIFY(m_cluster.up(4, m_cluster.path(QStringLiteral("profile.json"))));
        // Plans need every slave's data URL, which arrives with the first snapshots.
        QTRY_VERIFY_WITH_TIMEOUT(rawRequest(QUrl(master()),
                                            "GET /api/v1/plan?path=odd.bin HTTP/1.1\r\nHost: x\r\n"
                                            "Connection: close\r\n\r\n")
                                     .startsWith("HTTP/1.1 200"),
                                 20000);
    }

    void cleanupTestCase()
    {
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    void listingForPeopleAndPrograms()
    {
        const QByteArray html =
            rawRequest(QUrl(master()), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(html.startsWith("HTTP/1.1 200"), html.left(300).constData());
        QVERIFY(html.contains("big.bin"));
        QVERIFY(html.contains("dir/"));
        const QByteArray sub = rawRequest(
            QUrl(master()), "GET /dir/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(sub.contains("a b%&amp;&lt;x&gt;.txt"), sub.constData()); // escaped, not raw
        QVERIFY(!sub.contains("<x>"));
        const QByteArray json = rawRequest(
            QUrl(master()), "GET /api/v1/files HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const QJsonObject files =
            QJsonDocument::fromJson(json.mid(json.indexOf("\r\n\r\n") + 4)).object();
        QStringList paths;
        for (const QJsonValue &v : files.value(QLatin1String("files")).toArray()) {
            paths << v.toObject().value(QLatin1String("path")).toString();
            if (paths.last() == QLatin1String("big.bin"))
                QCOMPARE(v.toObject().value(QLatin1String("size")).toDouble(), double(kBig));
        }
        QVERIFY2(paths.contains(QStringLiteral("big.bin")) &&
                     paths.contains(QStringLiteral("dir/a b%&<x>.txt")),
                 qPrintable(paths.join(u',')));
    }

    void planSplitsTheFileOverTheSlaves()
    {
        const QByteArray response = rawRequest(
            QUrl(master()), "GET /api/v1/plan?path=big.bin&strategy=equal HTTP/1.1\r\nHost: x\r\n"
                            "Connection: close\r\n\r\n");
        QVERIFY2(response.startsWith("HTTP/1.1 200"), response.left(300).constData());
        const auto plan = transfer::TransferPlan::fromJson(
            QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object());
        QVERIFY2(plan, qPrintable(plan.error()));
        QCOMPARE(plan->size, kBig);
        QCOMPARE(plan->sha256, m_bigSha);
        QCOMPARE(plan->sources.size(), size_t(4));
        std::vector<int> perSource(4, 0);
        for (const auto &block : plan->blocks)
            ++perSource[size_t(block.source)];
        for (const int n : perSource)
            QCOMPARE(n, int(plan->blocks.size() / 4)); // 48 MiB in 1 MiB pieces: 12 each
    }

    void badPlanRequests_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArray>("status");
        QTest::newRow("no path") << QByteArray("strategy=bw") << QByteArray("400");
        QTest::newRow("unknown strategy")
            << QByteArray("path=big.bin&strategy=fastest") << QByteArray("400");
        QTest::newRow("missing file") << QByteArray("path=nope.bin") << QByteArray("404");
        QTest::newRow("escape") << QByteArray("path=../etc/passwd") << QByteArray("400");
        QTest::newRow("encoded escape")
            << QByteArray("path=%2e%2e%2fetc%2fpasswd") << QByteArray("400");
        QTest::newRow("directory") << QByteArray("path=dir") << QByteArray("400");
    }

    void badPlanRequests()
    {
        QFETCH(QByteArray, query);
        QFETCH(QByteArray, status);
        const QByteArray response =
            rawRequest(QUrl(master()), "GET /api/v1/plan?" + query +
                                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(response.startsWith(QByteArray(QByteArray("HTTP/1.1 ") + status)),
                 response.left(300).constData());
        const QJsonObject error =
            QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
        QVERIFY(!error.value(QLatin1String("error")).toString().isEmpty());
    }

    void getGivesIdenticalFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("strategy");
        QTest::newRow("big, equal") << QStringLiteral("big.bin") << QStringLiteral("equal");
        QTest::newRow("big, pdds") << QStringLiteral("big.bin") << QStringLiteral("pdds");
        QTest::newRow("one piece and a byte") << QStringLiteral("odd.bin") << QStringLiteral("bw");
        QTest::newRow("empty") << QStringLiteral("empty.bin") << QStringLiteral("optimal");
        QTest::newRow("odd name") << QStringLiteral("dir/a b%&<x>.txt") << QStringLiteral("bw");
    }

    void getGivesIdenticalFiles()
    {
        QFETCH(QString, name);
        QFETCH(QString, strategy);
        const QString target = out(QStringLiteral("got-") + QFileInfo(name).fileName());
        const CliResult result =
            get({name, QStringLiteral("-o"), target, QStringLiteral("--strategy"), strategy});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QCOMPARE(fileSha(target), fileSha(exportFile(name)));
        QVERIFY2(leftovers().isEmpty(), qPrintable(leftovers().join(u',')));
    }

    void getTakesAMasterUrl()
    {
        const QString url =
            master() + QStringLiteral("files/") +
            QString::fromLatin1(transfer::encodePath(QStringLiteral("dir/a b%&<x>.txt")));
        const QString target = out(QStringLiteral("by-url.txt"));
        const CliResult result = runCli({QStringLiteral("get"), url, QStringLiteral("-o"), target});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QCOMPARE(fileSha(target), fileSha(exportFile(QStringLiteral("dir/a b%&<x>.txt"))));
    }

    void relayServesPlainClients()
    {
        const QString target = out(QStringLiteral("relayed.bin"));
        QProcess curl;
        curl.start(QStringLiteral("curl"), {QStringLiteral("-sSf"), QStringLiteral("-o"), target,
                                            master() + QStringLiteral("files/big.bin")});
        QVERIFY(curl.waitForFinished(120000));
        QVERIFY2(curl.exitCode() == 0, curl.readAllStandardError().constData());
        QCOMPARE(fileSha(target), m_bigSha);

        const QUrl base(master());
        const QByteArray partial =
            rawRequest(base, "GET /files/odd.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=100-199\r\n"
                             "Connection: close\r\n\r\n");
        QVERIFY2(partial.startsWith("HTTP/1.1 206"), partial.left(300).constData());
        QVERIFY(partial.contains("Content-Range: bytes 100-199/262145"));
        QFile odd(exportFile(QStringLiteral("odd.bin")));
        QVERIFY(odd.open(QIODevice::ReadOnly));
        QCOMPARE(partial.mid(partial.indexOf("\r\n\r\n") + 4), odd.readAll().mid(100, 100));

        const QByteArray head = rawRequest(
            base, "HEAD /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(head.startsWith("HTTP/1.1 200"), head.constData());
        QVERIFY(
            head.contains(QByteArray(QByteArray("Content-Length: ") + QByteArray::number(kBig))));
        QVERIFY(head.contains("ETag: \""));
        QVERIFY(head.contains("Last-Modified: "));

        for (const QByteArray &range :
             {QByteArray("bytes=99999999-"), QByteArray("bytes=0-1,5-6"), QByteArray("bytes=zz")}) {
            const QByteArray refused =
                rawRequest(base, "GET /files/odd.bin HTTP/1.1\r\nHost: x\r\n"
                                 "Range: " +
                                     range + "\r\nConnection: close\r\n\r\n");
            QVERIFY2(refused.startsWith("HTTP/1.1 416"), refused.left(200).constData());
            QVERIFY(refused.contains("Content-Range: bytes */262145"));
        }
    }

    void aria2cUsesTheMetalink()
    {
        const QString dir = out(QStringLiteral("aria"));
        QVERIFY(QDir().mkpath(dir));
        QProcess aria;
        aria.start(
            QStringLiteral("aria2c"),
            {QStringLiteral("--console-log-level=warn"), QStringLiteral("--summary-interval=0"),
             QStringLiteral("-x4"), QStringLiteral("-s4"), QStringLiteral("-d"), dir,
             QStringLiteral("--allow-overwrite=true"), QStringLiteral("--follow-metalink=mem"),
             master() + QStringLiteral("files/big.bin.meta4")});
        QVERIFY(aria.waitForStarted(10000));
        if (!aria.waitForFinished(120000)) {
            aria.kill();
            aria.waitForFinished(5000);
            QFAIL("aria2c did not finish in 120 s");
        }
        QVERIFY2(aria.exitCode() == 0, aria.readAllStandardOutput().constData());
        QCOMPARE(fileSha(QDir(dir).filePath(QStringLiteral("big.bin"))), m_bigSha);
    }

    void hostileRequestsLeaveTheMasterServing_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("status");
        QTest::newRow("dot dot") << QByteArray("GET /files/../etc/passwd HTTP/1.1\r\n")
                                 << QByteArray("400");
        QTest::newRow("encoded dot dot")
            << QByteArray("GET /files/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n") << QByteArray("400");
        QTest::newRow("encoded slash")
            << QByteArray("GET /files/dir%2f..%2f..%2fx HTTP/1.1\r\n") << QByteArray("400");
        QTest::newRow("absolute") << QByteArray("GET /files//etc/passwd HTTP/1.1\r\n")
                                  << QByteArray("400");
        QTest::newRow("missing") << QByteArray("GET /files/nope.bin HTTP/1.1\r\n")
                                 << QByteArray("404");
        QTest::newRow("unknown method")
            << QByteArray("DELETE /files/big.bin HTTP/1.1\r\n") << QByteArray("405");
        QTest::newRow("changed since") << QByteArray("GET /files/odd.bin HTTP/1.1\r\n"
                                                     "If-Match: \"0-0\"\r\n")
                                       << QByteArray("412");
        QTest::newRow("oversized header") << QByteArray("GET /files/odd.bin HTTP/1.1\r\nX-Big: ") +
                                                 QByteArray(300000, 'a') + "\r\n"
                                          << QByteArray("431");
    }

    void hostileRequestsLeaveTheMasterServing()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, status);
        const QByteArray response =
            rawRequest(QUrl(master()), request + "Host: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(response.startsWith(QByteArray(QByteArray("HTTP/1.1 ") + status)),
                 response.left(300).constData());
        const QByteArray ok = rawRequest(
            QUrl(master()), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY(ok.startsWith("HTTP/1.1 200"));
    }

    void idleConnectionsDoNotBlockOthers()
    {
        // 50 idle connections from one address (past its cap of 32, so some are refused) do not
        // block a client from another address (all of 127/8 is loopback).
        const QUrl base(master());
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 50; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(base.host(), quint16(base.port()));
            QVERIFY(socket->waitForConnected(5000));
            socket->write("GET /files/odd.bin HTTP/1.1\r\nHost: x\r\n"); // never finished
            idle.push_back(std::move(socket));
        }
        QTcpSocket other;
        QVERIFY(other.bind(QHostAddress(QStringLiteral("127.0.0.2")), 0));
        other.connectToHost(base.host(), quint16(base.port()));
        QVERIFY(other.waitForConnected(5000));
        other.write("GET /files/odd.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QByteArray response;
        while (other.state() == QAbstractSocket::ConnectedState && other.waitForReadyRead(10000))
            response += other.readAll();
        response += other.readAll();
        QVERIFY2(response.startsWith("HTTP/1.1 200"), response.left(200).constData());
    }

    void stoppedSlaveMidGet()
    {
        const QString target = out(QStringLiteral("failover.bin"));
        QProcess getter;
        QVERIFY(startGet(getter, {QStringLiteral("big.bin"), QStringLiteral("-o"), target,
                                  QStringLiteral("--strategy"), QStringLiteral("equal")}));
        const qint64 pid = m_cluster.slavePid(3);
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
        const bool finished = getter.waitForFinished(120000);
        ::kill(pid_t(pid), SIGCONT);
        QVERIFY(finished);
        QByteArray output = getter.readAllStandardOutput();
        QVERIFY2(getter.exitCode() == 0, getter.readAllStandardError().constData());
        QCOMPARE(fileSha(target), m_bigSha);
        const QJsonObject summary = summaryOf(output);
        QVERIFY2(summary.value(QLatin1String("reassignments")).toInt() > 0,
                 QJsonDocument(summary).toJson().constData());
        // The stopped slave comes back: the next plan has four sources again.
        QTRY_VERIFY_WITH_TIMEOUT(rawRequest(QUrl(master()),
                                            "GET /api/v1/plan?path=odd.bin HTTP/1.1\r\nHost: x\r\n"
                                            "Connection: close\r\n\r\n")
                                         .count("\"rank\"") == 4,
                                 20000);
    }

    void stoppedSlaveMidRelay()
    {
        const QString target = out(QStringLiteral("relay-failover.bin"));
        QProcess curl;
        // Rate-limited so the relay is still running when the slave stops.
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-sSf"), QStringLiteral("--limit-rate"), QStringLiteral("12M"),
                    QStringLiteral("-o"), target, master() + QStringLiteral("files/big.bin")});
        QVERIFY(curl.waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(target).size() > kBig / 6, 60000);
        const qint64 pid = m_cluster.slavePid(4);
        QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
        const bool finished = curl.waitForFinished(120000);
        ::kill(pid_t(pid), SIGCONT);
        QVERIFY(finished);
        QVERIFY2(curl.exitCode() == 0, curl.readAllStandardError().constData());
        QCOMPARE(fileSha(target), m_bigSha);
    }

    void fileChangedMidGet()
    {
        writeExport(QStringLiteral("changing.bin"), pattern(kBig, 3));
        const QString target = out(QStringLiteral("changing.bin"));
        QProcess getter;
        QVERIFY(startGet(getter, {QStringLiteral("changing.bin"), QStringLiteral("-o"), target}));
        {
            QFile file(exportFile(QStringLiteral("changing.bin")));
            QVERIFY(file.open(QIODevice::Append));
            file.write("appended while it was being downloaded");
        }
        QVERIFY(getter.waitForFinished(120000));
        const QByteArray err = getter.readAllStandardError();
        QCOMPARE(getter.exitCode(), 1);
        QVERIFY2(err.contains("changed"), err.constData());
        QVERIFY(!QFile::exists(target)); // never a mixed file
    }

    // `starling restart` while a download runs: the client waits for the master, asks for a
    // new plan and resumes from its part file, ending with the right bytes.
    void getRidesThroughARestart()
    {
        const QString target = out(QStringLiteral("through-restart.bin"));
        QProcess getter;
        QVERIFY(startGet(getter, {QStringLiteral("big.bin"), QStringLiteral("-o"), target,
                                  QStringLiteral("--wait-cluster"), QStringLiteral("120")}));
        const CliResult restarted = m_cluster.run({QStringLiteral("restart")}, 180000);
        QVERIFY2(restarted.exitCode == 0, qPrintable(restarted.out + restarted.err));
        m_cluster.adoptPids();
        QVERIFY(getter.waitForFinished(180000));
        const QByteArray output = getter.readAllStandardOutput();
        QVERIFY2(getter.exitCode() == 0, getter.readAllStandardError().constData());
        QCOMPARE(fileSha(target), m_bigSha);
        const QJsonObject summary = summaryOf(output);
        QVERIFY2(summary.value(QLatin1String("ok")).toBool(true),
                 QJsonDocument(summary).toJson().constData());
        QVERIFY(leftovers().isEmpty());
    }

    // Last: it restarts the cluster.
    void resumeAfterTheClusterRestarts()
    {
        const QString target = out(QStringLiteral("resumed.bin"));
        QProcess getter;
        // Not waiting for the cluster: it fails, and --resume later keeps what was verified.
        QVERIFY(startGet(getter, {QStringLiteral("big.bin"), QStringLiteral("-o"), target,
                                  QStringLiteral("--wait-cluster"), QStringLiteral("0")}));
        // Hold the client still so the cluster surely goes away mid-download.
        QCOMPARE(::kill(pid_t(getter.processId()), SIGSTOP), 0);
        const bool stopped = m_cluster.down(); // MPICH ends every rank
        ::kill(pid_t(getter.processId()), SIGCONT);
        QVERIFY(stopped);
        QVERIFY(getter.waitForFinished(120000));
        QCOMPARE(getter.exitCode(), 1);
        QVERIFY(!leftovers().isEmpty()); // the part file and its record stay for --resume
        QVERIFY(m_cluster.up(4, m_cluster.path(QStringLiteral("profile.json"))));
        QTRY_VERIFY_WITH_TIMEOUT(rawRequest(QUrl(master()),
                                            "GET /api/v1/plan?path=odd.bin HTTP/1.1\r\nHost: x\r\n"
                                            "Connection: close\r\n\r\n")
                                     .startsWith("HTTP/1.1 200"),
                                 20000);
        const CliResult resumed = get({QStringLiteral("big.bin"), QStringLiteral("-o"), target,
                                       QStringLiteral("--resume"), QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(fileSha(target), m_bigSha);
        const QJsonObject summary = summaryOf(resumed.out.toUtf8());
        QVERIFY2(summary.value(QLatin1String("bytes_resumed")).toDouble() > 0,
                 QJsonDocument(summary).toJson().constData());
        QVERIFY(leftovers().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTransfer)
#include "tst_transfer.moc"
