// A slave that dies costs only that slave (issue "many hosts"): a real cluster of five slaves
// started by `starling up` as a user would, one slave SIGKILLed in the middle of a parallel
// download, of a relay and of an image job. Each must finish with identical bytes, the victim
// must be DOWN with reason "exited" within 2 s, the cluster must keep serving, and `starling
// down` must stop the survivors in order. Every wait is on a condition.
#include "clusterclient.h"
#include "clusterharness.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "image/stripkernel.h"
#include "testimages.h"
#include "transfer/sha256.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTest>

#include <csignal>

using namespace starling;
using starling::testing::CliResult;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using starling::testing::fileSha;
using starling::testing::summaryOf;
using Reply = starling::testing::HttpReply;

namespace {

constexpr qint64 kBig = 64 * 1024 * 1024;

} // namespace

class TestCrash final : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;
    QByteArray m_bigSha;
    std::vector<int> m_killed;

    QUrl master() const
    {
        const cluster::ClusterStateFile s = m_cluster.state();
        return testing::withToken(QUrl(s.masterUrl), s.token);
    }
    QString out(const QString &name) const { return m_cluster.path(QStringLiteral("out/") + name); }

    QJsonObject nodeView(int rank) const
    {
        for (const QJsonValue &n :
             exchange(master(), "GET", "/api/v1/cluster").json().value(u"nodes").toArray()) {
            if (n.toObject().value(u"rank").toInt() == rank)
                return n.toObject();
        }
        return {};
    }

    bool isDownExited(int rank) const
    {
        const QJsonObject node = nodeView(rank);
        return node.value(u"state").toString() == QLatin1String("DOWN") &&
               node.value(u"state_reason").toString() == QLatin1String("exited");
    }

    // SIGKILL the slave of `rank`; it must be DOWN with reason "exited" within 2 s.
    void crash(int rank)
    {
        const qint64 pid = m_cluster.slavePid(rank);
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        m_killed.push_back(rank);
        QTRY_VERIFY_WITH_TIMEOUT(isDownExited(rank), 2000);
    }

    bool startGet(QProcess &process, const QStringList &arguments)
    {
        return testing::startGet(process, arguments, m_cluster.runDir());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        QVERIFY(QDir().mkpath(m_cluster.path(QStringLiteral("out"))));
        QDir().mkpath(m_cluster.exportDir());
        QByteArray big(kBig, Qt::Uninitialized);
        QRandomGenerator rng(7);
        rng.fillRange(reinterpret_cast<quint32 *>(big.data()), big.size() / 4);
        m_bigSha = transfer::Sha256::hexOf(big);
        QFile file(QDir(m_cluster.exportDir()).filePath(QStringLiteral("big.bin")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(big), big.size());
        file.close();
        // Slow heartbeats on purpose: a crash must be found by the failed sends, long before
        // the detector's 5 s of silence.
        m_cluster.writeConfig(R"({"heartbeat_ms": 500, "suspect_after_ms": 3000,
                                 "down_after_ms": 5000, "snapshot_hz": 4,
                                 "startup_timeout_s": 120, "image_standard_MBps": 2,
                                 "image_max_pixels": 4000000})");
        QFile profile(m_cluster.path(QStringLiteral("profile.json")));
        QVERIFY(profile.open(QIODevice::WriteOnly));
        profile.write(R"({"slaves": [{"link_MBps": 4}, {"link_MBps": 4}, {"link_MBps": 4},
                                     {"link_MBps": 4}, {"link_MBps": 4}]})");
        profile.close();
        QVERIFY(m_cluster.up(5, m_cluster.path(QStringLiteral("profile.json"))));
        QTRY_VERIFY_WITH_TIMEOUT(
            exchange(master(), "GET", "/api/v1/plan?path=big.bin").status == 200, 30000);
    }

    void cleanupTestCase()
    {
        const CliResult down = m_cluster.run({QStringLiteral("down")});
        const bool gone = m_cluster.allGone(15000);
        m_cluster.killLeftovers();
        QCOMPARE(down.exitCode, 0);
        QVERIFY(gone);
        // The survivors left in order, without waiting for the dead.
        QVERIFY2(!down.out.contains(QLatin1String("forced")), qPrintable(down.out));
    }

    void crashMidGet()
    {
        const QString target = out(QStringLiteral("get.bin"));
        QProcess getter;
        QVERIFY(startGet(getter, {QStringLiteral("big.bin"), QStringLiteral("-o"), target,
                                  QStringLiteral("--strategy"), QStringLiteral("equal")}));
        crash(2);
        QVERIFY(getter.waitForFinished(120000));
        const QByteArray output = getter.readAllStandardOutput();
        QVERIFY2(getter.exitCode() == 0, getter.readAllStandardError().constData());
        QCOMPARE(fileSha(target), m_bigSha);
        const QJsonObject summary = summaryOf(output);
        QVERIFY2(summary.value(u"reassignments").toInt() > 0,
                 QJsonDocument(summary).toJson().constData());
        // Plans stop naming it.
        const QJsonObject plan = exchange(master(), "GET", "/api/v1/plan?path=big.bin").json();
        QCOMPARE(plan.value(u"sources").toArray().size(), 4);
        for (const QJsonValue &source : plan.value(u"sources").toArray())
            QVERIFY(source.toObject().value(u"rank").toInt() != 2);
        QVERIFY(!exchange(master(), "GET", "/files/big.bin.meta4")
                     .body.contains(nodeView(2).value(u"data_url").toString().toUtf8()));
    }

    void crashMidRelay()
    {
        const QString target = out(QStringLiteral("relay.bin"));
        QProcess curl;
        // Rate-limited so the relay is still running when the slave dies.
        curl.start(QStringLiteral("curl"), {QStringLiteral("-sSf"), QStringLiteral("--limit-rate"),
                                            QStringLiteral("10M"), QStringLiteral("-o"), target,
                                            master().toString() + QStringLiteral("files/big.bin")});
        QVERIFY(curl.waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(target).size() > kBig / 6, 60000);
        crash(3);
        QVERIFY(curl.waitForFinished(120000));
        QVERIFY2(curl.exitCode() == 0, curl.readAllStandardError().constData());
        QCOMPARE(fileSha(target), m_bigSha);
    }

    void crashMidJob()
    {
        // 1200 x 2000 grey at 2 MB/s of standard compute: seconds of work over the slaves.
        const image::ImageBuffer input = testing::noiseImage(1200, 2000, 1, 11);
        const auto encoded = image::encodeImage(input, image::ImageFormat::Pgm);
        QVERIFY(encoded);
        // dynamic: every slave keeps asking for chunks, so the victim holds one when it dies.
        const Reply submitted = exchange(
            master(), "POST", "/api/v1/jobs?op=blur&sigma=1&tasks=100&strategy=dynamic", *encoded);
        QCOMPARE(submitted.status, 202);
        const QByteArray id = submitted.json().value(u"id").toString().toLatin1();
        QTRY_VERIFY_WITH_TIMEOUT(
            exchange(master(), "GET", "/api/v1/jobs/" + id).json().value(u"units_done").toInt() > 0,
            20000);
        crash(4);
        QJsonObject status;
        QTRY_VERIFY_WITH_TIMEOUT((status = exchange(master(), "GET", "/api/v1/jobs/" + id).json(),
                                  status.value(u"state") == QStringLiteral("done") ||
                                      status.value(u"state") == QStringLiteral("failed")),
                                 120000);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
        const Reply result = exchange(master(), "GET", "/api/v1/jobs/" + id + "/result?format=pgm");
        QCOMPARE(result.status, 200);
        const auto decoded = image::decodeImage(result.body, {});
        QVERIFY(decoded);
        const auto op = image::ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt);
        const auto expected = image::applyToImage(*op, input);
        QVERIFY(expected);
        QVERIFY(*decoded == *expected);
        QVERIFY2(status.value(u"timeline").toObject().value(u"reassigned_chunks").toInt() > 0,
                 qPrintable(QString::fromUtf8(QJsonDocument(status).toJson())));
    }

    // After three deaths the survivors still serve, and every way in still works.
    void theClusterStillServes()
    {
        QVERIFY(!m_killed.empty());
        const CliResult status =
            m_cluster.run({QStringLiteral("status"), QStringLiteral("--json")});
        QCOMPARE(status.exitCode, 0);
        const QJsonArray nodes =
            QJsonDocument::fromJson(status.out.toUtf8()).object().value(u"nodes").toArray();
        int exited = 0;
        for (const QJsonValue &n : nodes) {
            const QJsonObject node = n.toObject();
            if (node.value(u"state_reason").toString() == QLatin1String("exited"))
                ++exited;
        }
        QCOMPARE(exited, int(m_killed.size()));
        const Reply metrics = exchange(QUrl(m_cluster.state().metricsUrl), "GET", "/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("starling_"));
        const QString target = out(QStringLiteral("after.bin"));
        const CliResult get = m_cluster.run(
            {QStringLiteral("get"), QStringLiteral("big.bin"), QStringLiteral("-o"), target},
            120000);
        QVERIFY2(get.exitCode == 0, qPrintable(get.err));
        QCOMPARE(fileSha(target), m_bigSha);
    }

    // Last: `starling restart` brings the lost slaves back, with the operator's drain and the
    // jobs that were queued (or running) when it stopped.
    void restartBringsEveryoneBack()
    {
        const CliResult drained =
            m_cluster.run({QStringLiteral("drain"), QStringLiteral("slave-5"),
                           QStringLiteral("--reason"), QStringLiteral("kept over restart")});
        QVERIFY2(drained.exitCode == 0, qPrintable(drained.out + drained.err));
        std::vector<std::pair<QByteArray, image::ImageBuffer>> jobs;
        for (quint32 seed = 20; seed < 24; ++seed) {
            image::ImageBuffer input = testing::noiseImage(800, 1500, 1, seed);
            const auto encoded = image::encodeImage(input, image::ImageFormat::Pgm);
            QVERIFY(encoded);
            const Reply submitted =
                exchange(master(), "POST", "/api/v1/jobs?op=blur&sigma=2&tasks=60", *encoded);
            QCOMPARE(submitted.status, 202);
            jobs.emplace_back(submitted.json().value(u"id").toString().toLatin1(),
                              std::move(input));
        }
        const CliResult restarted = m_cluster.run({QStringLiteral("restart")}, 180000);
        QVERIFY2(restarted.exitCode == 0, qPrintable(restarted.out + restarted.err));
        m_cluster.adoptPids();
        QTRY_VERIFY_WITH_TIMEOUT(nodeView(6).value(u"state").toString() == QLatin1String("ACTIVE"),
                                 30000);
        for (int rank : m_killed)
            QTRY_COMPARE_WITH_TIMEOUT(nodeView(rank).value(u"state").toString(),
                                      QStringLiteral("ACTIVE"), 30000);
        QCOMPARE(nodeView(5).value(u"state").toString(), QStringLiteral("DRAINED"));
        // The new master found the jobs in the spool (the first few seconds of their work were
        // lost with the old one).
        QFile log(QDir(m_cluster.runDir()).filePath(QStringLiteral("node.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY2(log.readAll().contains("kept from before the restart"), "no job was restored");
        for (const auto &[id, input] : jobs) {
            QJsonObject status;
            QTRY_VERIFY_WITH_TIMEOUT(
                (status = exchange(master(), "GET", "/api/v1/jobs/" + id).json(),
                 status.value(u"state") == QStringLiteral("done")),
                120000);
            const Reply result =
                exchange(master(), "GET", "/api/v1/jobs/" + id + "/result?format=pgm");
            const auto decoded = image::decodeImage(result.body, {});
            QVERIFY(decoded);
            const auto expected = image::applyToImage(
                *image::ImageOp::make(QStringLiteral("blur"), 2.0, std::nullopt), input);
            QVERIFY(*decoded == *expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
