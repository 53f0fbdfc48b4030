// Who may do what on a real cluster (`starling up`, 2 slaves): the master's job API and snapshot
// answer 401 without the cluster token and serve with it; `starling job` finds the token in the
// state file and says so in one line (exit 2) when given a wrong one; a slave's data server
// reports a block only for tags the master signed (a stranger's ?t=&b= and a tampered signature
// are served but never become transfer_block events on the bridge), while `starling get` still
// produces them; with require_file_token the file API of the master and the slaves is closed to
// plain GETs and `starling get` still works.
#include "bridge/bridgeclient.h"
#include "clusterclient.h"
#include "clusterharness.h"
#include "image/imagecodec.h"
#include "protocol/eventkind.h"
#include "protocol/transferevents.h"
#include "testimages.h"
#include "testutil.h"
#include "transfer/transferplan.h"

#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>
#include <tuple>

using namespace starling;
using starling::testing::CliResult;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using starling::testing::withToken;

namespace {

constexpr int kFileBytes = 3 * 1024 * 1024 + 17; // several blocks
constexpr const char *kConfig = R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
                                    "down_after_ms": 2000, "snapshot_hz": 10,
                                    "startup_timeout_s": 120%1})";

} // namespace

class TestClusterAuth final : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;
    std::unique_ptr<bridge::BridgeClient> m_bridge;
    QList<QJsonObject> m_events;
    QByteArray m_data;

    QUrl master() const { return QUrl(m_cluster.state().masterUrl); }
    QUrl authorized() const { return withToken(master(), m_cluster.state().token); }

    bool up(bool requireFileToken)
    {
        m_cluster.writeConfig(QString::fromLatin1(kConfig)
                                  .arg(requireFileToken
                                           ? QStringLiteral(", \"require_file_token\": true")
                                           : QString())
                                  .toUtf8());
        if (!m_cluster.up(2, QString()))
            return false;
        // The master plans only for slaves it has seen in a snapshot.
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 30000) {
            if (exchange(authorized(), "GET", "/api/v1/plan?path=auth.bin").status == 200)
                return true;
            QTest::qWait(100);
        }
        return false;
    }

    bool connectBridge()
    {
        m_bridge = std::make_unique<bridge::BridgeClient>();
        m_events.clear();
        connect(m_bridge.get(), &bridge::BridgeClient::eventReceived, this,
                [this](const QJsonObject &e) { m_events.append(e); });
        QSignalSpy welcomed(m_bridge.get(), &bridge::BridgeClient::welcomed);
        const cluster::ClusterStateFile s = m_cluster.state();
        m_bridge->connectToBridge(s.bridgeHost, s.bridgePort, s.token.toLatin1(),
                                  QStringLiteral("tst-clusterauth"));
        return welcomed.wait(10000);
    }

    std::vector<protocol::TransferBlockEvent> blockEvents(const QString &transferId) const
    {
        std::vector<protocol::TransferBlockEvent> found;
        for (const QJsonObject &e : m_events) {
            if (protocol::kindOf(e) != protocol::EventKind::TransferBlock)
                continue;
            const auto block = protocol::TransferBlockEvent::fromJson(e);
            if (block && block->transferId == transferId)
                found.push_back(*block);
        }
        return found;
    }

    // The id and block count of the newest transfer_planned event seen.
    std::pair<QString, qint64> newestPlan() const
    {
        std::pair<QString, qint64> newest;
        for (const QJsonObject &e : m_events) {
            if (protocol::kindOf(e) != protocol::EventKind::TransferPlanned)
                continue;
            if (const auto planned = protocol::TransferPlannedEvent::fromJson(e))
                newest = {planned->transferId, planned->blocks};
        }
        return newest;
    }

    std::optional<transfer::TransferPlan> plan(const QUrl &base)
    {
        const auto reply = exchange(base, "GET", "/api/v1/plan?path=auth.bin");
        if (reply.status != 200)
            return std::nullopt;
        auto parsed = transfer::TransferPlan::fromJson(reply.json());
        return parsed ? std::optional(*parsed) : std::nullopt;
    }

    // One GET straight to a data server (no token), as curl would send it.
    static testing::HttpReply dataGet(const QUrl &server, const QByteArray &target,
                                      const QByteArray &token = {})
    {
        return exchange(token.isEmpty() ? server : withToken(server, QString::fromLatin1(token)),
                        "GET", target);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        QVERIFY(QDir().mkpath(m_cluster.exportDir()));
        m_data = randomBytes(kFileBytes, 15);
        QVERIFY(writeFile(m_cluster.exportDir() + QStringLiteral("/auth.bin"), m_data));
        QVERIFY(up(false));
        QVERIFY(connectBridge());
    }

    void cleanupTestCase()
    {
        m_bridge.reset();
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    void protectedRoutesNeedTheToken_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("cluster") << QByteArray("GET") << QByteArray("/api/v1/cluster");
        QTest::newRow("job list") << QByteArray("GET") << QByteArray("/api/v1/jobs");
        QTest::newRow("job status") << QByteArray("GET") << QByteArray("/api/v1/jobs/job-1");
        QTest::newRow("job result")
            << QByteArray("GET") << QByteArray("/api/v1/jobs/job-1/result?format=png");
        QTest::newRow("submit") << QByteArray("POST") << QByteArray("/api/v1/jobs?op=grey");
    }

    // Without or with a wrong token: 401 and nothing runs (a submitted image is not queued).
    void protectedRoutesNeedTheToken()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        const QByteArray image = *image::encodeImage(starling::testing::noiseImage(16, 16, 1, 3),
                                                     image::ImageFormat::Pgm);
        const QByteArray body = method == "POST" ? image : QByteArray();
        for (const QUrl &base : {master(), withToken(master(), QString(64, u'0'))}) {
            const auto reply = exchange(base, method, target, body);
            QCOMPARE(reply.status, 401);
            QCOMPARE(reply.json().value(u"code").toString(), QStringLiteral("unauthorized"));
        }
        const auto list = exchange(authorized(), "GET", "/api/v1/jobs");
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json().value(u"jobs").toArray().size(), 0);
        QCOMPARE(exchange(master(), "GET", "/healthz").status, 200);
        QCOMPARE(exchange(authorized(), "GET", "/api/v1/cluster").status, 200);
    }

    void jobCliUsesTheStateFileToken()
    {
        const QString input = m_cluster.path(QStringLiteral("in.pgm"));
        QVERIFY(writeFile(input, *image::encodeImage(starling::testing::noiseImage(64, 48, 1, 5),
                                                     image::ImageFormat::Pgm)));
        const QString out = m_cluster.path(QStringLiteral("out.pgm"));
        const CliResult ok = m_cluster.run(
            {QStringLiteral("job"), QStringLiteral("grey"), input, QStringLiteral("-o"), out});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
        QVERIFY(QFile::exists(out));
        const QString token = m_cluster.state().token;
        QVERIFY(!ok.out.contains(token) && !ok.err.contains(token));

        const QString denied = m_cluster.path(QStringLiteral("denied.pgm"));
        const CliResult wrong = m_cluster.run(
            {QStringLiteral("job"), QStringLiteral("grey"), input, QStringLiteral("-o"), denied,
             QStringLiteral("--token"), QStringLiteral("wrong-but-secret")});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains(QStringLiteral("HTTP 401")), qPrintable(wrong.err));
        QCOMPARE(wrong.err.trimmed().count(u'\n'), 0);
        QVERIFY(!wrong.err.contains(QStringLiteral("wrong-but-secret")));
        QVERIFY(!QFile::exists(denied));
    }

    // A stranger's tag and a tampered one are served (curl works) but never reach the bridge.
    void forgedBlockTagsAreNotReported()
    {
        const auto signedPlan = plan(master());
        QVERIFY(signedPlan);
        QVERIFY(signedPlan->blocks.size() >= 2);
        const transfer::PlanBlock &first = signedPlan->blocks[0];
        const transfer::PlanBlock &second = signedPlan->blocks[1];
        QVERIFY(!first.tag.isEmpty());
        const QUrl slave = signedPlan->sources[0].url;
        const QByteArray id = signedPlan->transferId.toLatin1();

        const auto forged = dataGet(slave, "/files/auth.bin?t=forged-x&b=0");
        QCOMPARE(forged.status, 200);
        QCOMPARE(forged.body, m_data);
        QByteArray tampered = first.tag;
        tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
        QCOMPARE(dataGet(slave, "/files/auth.bin?t=" + id + "&b=1&s=" + tampered).status, 200);
        // Block 0's genuine signature does not make block 1 a block the master issued.
        QCOMPARE(dataGet(slave, "/files/auth.bin?t=" + id + "&b=1&s=" + first.tag).status, 200);
        QVERIFY(second.tag != first.tag);

        // The signed request goes to the same slave after them: its report travels the same
        // path in order, so once it is on the bridge the forged ones would be too.
        const QUrl genuine = signedPlan->blockUrl(first, 0);
        QCOMPARE(
            dataGet(slave, genuine.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority)).status,
            200);
        QTRY_VERIFY_WITH_TIMEOUT(!blockEvents(signedPlan->transferId).empty(), 20000);
        const auto reported = blockEvents(signedPlan->transferId);
        QCOMPARE(reported.size(), size_t(1));
        QCOMPARE(reported[0].block, qint64(0));
        QVERIFY(blockEvents(QStringLiteral("forged-x")).empty());
    }

    // `starling get` is the master's client: each of its blocks is reported.
    void getStillReportsEveryBlock()
    {
        QSet<QString> planned;
        for (const QJsonObject &e : std::as_const(m_events)) {
            const auto p = protocol::TransferPlannedEvent::fromJson(e);
            if (protocol::kindOf(e) == protocol::EventKind::TransferPlanned && p)
                planned.insert(p->transferId);
        }
        const QString out = m_cluster.path(QStringLiteral("got.bin"));
        const CliResult got = m_cluster.run({QStringLiteral("get"), QStringLiteral("auth.bin"),
                                             QStringLiteral("-o"), out, QStringLiteral("--json")});
        QVERIFY2(got.exitCode == 0, qPrintable(got.err));
        QCOMPARE(testing::fileSha(out),
                 testing::fileSha(m_cluster.exportDir() + QStringLiteral("/auth.bin")));
        const QJsonObject summary =
            QJsonDocument::fromJson(got.out.trimmed().split(u'\n').last().toUtf8()).object();
        QVERIFY(summary.value(u"ok").toBool());
        // The get's plan is the one made after every plan this test asked for itself.
        QString transferId;
        qint64 blocks = 0;
        const auto getPlanned = [&] {
            std::tie(transferId, blocks) = newestPlan();
            return !transferId.isEmpty() && !planned.contains(transferId);
        };
        QTRY_VERIFY_WITH_TIMEOUT(getPlanned(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(qint64(blockEvents(transferId).size()) >= blocks, 20000);
    }

    // require_file_token: the master's file API and the slaves' data servers want the token;
    // `starling get` sends the state file's.
    void fileTokenClosesFilesToPlainClients()
    {
        m_bridge.reset();
        QVERIFY(m_cluster.down());
        QVERIFY(up(true));
        const QString token = m_cluster.state().token;
        for (const QByteArray &target : {QByteArray("/files/auth.bin"), QByteArray("/api/v1/files"),
                                         QByteArray("/api/v1/plan?path=auth.bin"), QByteArray("/"),
                                         QByteArray("/files/auth.bin.meta4")}) {
            const auto bare = exchange(master(), "GET", target);
            QVERIFY2(bare.status == 401, target.constData());
            QVERIFY2(exchange(authorized(), "GET", target).status == 200, target.constData());
        }
        const auto signedPlan = plan(authorized());
        QVERIFY(signedPlan);
        const QUrl slave = signedPlan->sources[0].url;
        QCOMPARE(dataGet(slave, "/files/auth.bin").status, 401);
        QCOMPARE(dataGet(slave, "/files/auth.bin", "0123").status, 401);
        const auto served = dataGet(slave, "/files/auth.bin", token.toLatin1());
        QCOMPARE(served.status, 200);
        QCOMPARE(served.body, m_data);

        const QString out = m_cluster.path(QStringLiteral("closed.bin"));
        const CliResult got = m_cluster.run(
            {QStringLiteral("get"), QStringLiteral("auth.bin"), QStringLiteral("-o"), out});
        QVERIFY2(got.exitCode == 0, qPrintable(got.err));
        QCOMPARE(testing::fileSha(out),
                 testing::fileSha(m_cluster.exportDir() + QStringLiteral("/auth.bin")));
        // Given only the URL and no token, it cannot plan: one line, exit 2.
        const CliResult denied = testing::runCli(
            {QStringLiteral("get"),
             QStringLiteral("http://%1:%2/files/auth.bin")
                 .arg(master().host())
                 .arg(master().port()),
             QStringLiteral("-o"), m_cluster.path(QStringLiteral("denied.bin")),
             QStringLiteral("--run-dir"), m_cluster.path(QStringLiteral("elsewhere"))});
        QCOMPARE(denied.exitCode, 2);
        QVERIFY2(denied.err.contains(QStringLiteral("HTTP 401")), qPrintable(denied.err));
    }
};

QTEST_GUILESS_MAIN(TestClusterAuth)
#include "tst_clusterauth.moc"
