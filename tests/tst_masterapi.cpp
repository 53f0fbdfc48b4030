// The master's HTTP API without a cluster: its routes on their own, and the same answers over a
// real socket from a server bound to a free port; who may use which route (the cluster token).
#include "faketransport.h"
#include "httptestclient.h"
#include "image/imagecodec.h"
#include "jobs/jobboard.h"
#include "mpi_backend/jobs/jobservice.h"
#include "mpi_backend/roles/masterapi.h"
#include "mpi_backend/transfer/fileservice.h"
#include "mpi_backend/transfer/relayservice.h"
#include "testimages.h"
#include "transfer/blocktagsigner.h"
#include "transfer/exportroot.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace starling;
using starling::testing::FakeTransport;

namespace {

const QByteArray kToken = QByteArray(64, 'a');

// A request as a client with the cluster token sends it (authorization = its header value;
// null: no header at all).
http::HttpRequest request(const QByteArray &method, const QByteArray &path,
                          const QByteArray &authorization = "Bearer " + kToken)
{
    http::HttpRequest r;
    r.method = method;
    r.path = path;
    r.peer = QHostAddress::LocalHost;
    if (!authorization.isNull())
        r.headers.append({QByteArray("Authorization"), authorization});
    return r;
}

void verifyUnauthorized(const http::HttpResponse &response)
{
    QCOMPARE(response.status, 401);
    QVERIFY(
        response.headers.contains(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer"))));
    const QJsonObject error = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("unauthorized"));
    QVERIFY(!error.value(QLatin1String("error")).toString().isEmpty());
    QVERIFY(!response.body.contains(kToken));
}

} // namespace

class MasterApiTest : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString exportDir = m_dir->filePath(QStringLiteral("export"));
        QVERIFY(QDir().mkpath(exportDir));
        QFile file(exportDir + QStringLiteral("/hello.txt"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello\n");
        file.close();
        auto root = transfer::ExportRoot::open(exportDir);
        QVERIFY2(root, qPrintable(root ? QString() : root.error()));
        m_transport = std::make_unique<FakeTransport>(0, 4);
        m_relay = std::make_unique<mpi::RelayService>(*m_transport, mpi::RelayService::Settings{});
        m_files = std::make_unique<mpi::FileService>(std::move(root).value(), *m_relay,
                                                     transfer::BlockTagSigner(kToken));
        m_board = std::make_unique<jobs::JobBoard>(jobs::JobBoard::Limits{4, 4});
        m_jobs = std::make_unique<mpi::JobService>(*m_board, image::DecodeLimits{});
        m_api = std::make_unique<mpi::MasterApi>(*m_jobs, *m_files,
                                                 mpi::MasterApiAccess{kToken, false});
    }
    void cleanup()
    {
        m_api.reset();
        m_jobs.reset();
        m_board.reset();
        if (m_files)
            m_files->stop();
        m_files.reset();
        if (m_relay)
            m_relay->stop();
        m_relay.reset();
        m_transport.reset();
        m_dir.reset();
    }

    void snapshotIsServedAsItArrived()
    {
        http::HttpResponse before = m_api->route(request("GET", "/api/v1/cluster"));
        QCOMPARE(before.status, 503);
        QCOMPARE(QJsonDocument::fromJson(before.body).object().value(QLatin1String("error")),
                 QStringLiteral("no snapshot yet"));
        const QByteArray snapshot = R"({"sequence":7,"nodes":[]})";
        m_api->setSnapshot(snapshot);
        http::HttpResponse after = m_api->route(request("GET", "/api/v1/cluster"));
        QCOMPARE(after.status, 200);
        QCOMPARE(after.body, snapshot);
        QCOMPARE(after.contentType, QByteArray("application/json"));
    }

    void routesReachTheirService()
    {
        QCOMPARE(m_api->route(request("GET", "/healthz")).body, QByteArray("ok\n"));
        // Jobs: the (empty) list is JobService's answer.
        http::HttpResponse jobs = m_api->route(request("GET", "/api/v1/jobs"));
        QCOMPARE(jobs.status, 200);
        QVERIFY(QJsonDocument::fromJson(jobs.body).isObject() ||
                QJsonDocument::fromJson(jobs.body).isArray());
        // Files: the listing names the exported file.
        http::HttpResponse listing = m_api->route(request("GET", "/api/v1/files"));
        QCOMPARE(listing.status, 200);
        QVERIFY2(listing.body.contains("hello.txt"), listing.body.constData());
    }

    void strangersGetAClearAnswer()
    {
        http::HttpResponse post = m_api->route(request("POST", "/api/v1/files"));
        QCOMPARE(post.status, 405);
        QCOMPARE(post.body, QByteArray("POST goes to /api/v1/jobs\n"));
        http::HttpResponse missing = m_api->route(request("GET", "/nothing/here"));
        QCOMPARE(missing.status, 404);
        QVERIFY(missing.body.startsWith("not found: try /"));
    }

    void servesOverAFreePort()
    {
        const auto port = m_api->listen(QHostAddress::LocalHost, 0, 1 << 20);
        QVERIFY2(port, qPrintable(port ? QString() : port.error()));
        QVERIFY(*port > 0);
        const httptest::Reply health = httptest::get(*port, "/healthz");
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body, QByteArray("ok\n"));
        m_api->setSnapshot(R"({"sequence":1})");
        const httptest::Reply stranger = httptest::get(*port, "/api/v1/cluster");
        QCOMPARE(stranger.status, 401);
        QCOMPARE(stranger.header("WWW-Authenticate"), QByteArray("Bearer"));
        QVERIFY(!stranger.body.contains("sequence"));
        const httptest::Reply cluster = httptest::get(*port, "/api/v1/cluster", "GET",
                                                      "Authorization: Bearer " + kToken + "\r\n");
        QCOMPARE(cluster.status, 200);
        QCOMPARE(cluster.body, QByteArray(R"({"sequence":1})"));
        m_api->stop();
        QVERIFY(!httptest::get(*port, "/healthz").connected);
    }

    void jobsAndClusterNeedTheToken_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("authorization");
        const QList<QPair<QByteArray, QByteArray>> routes = {
            {"GET", "/api/v1/cluster"},    {"GET", "/api/v1/jobs"},
            {"GET", "/api/v1/jobs/"},      {"POST", "/api/v1/jobs"},
            {"GET", "/api/v1/jobs/job-1"}, {"GET", "/api/v1/jobs/job-1/result"},
            {"POST", "/api/v1/jobs/job-1"}};
        const QList<QPair<const char *, QByteArray>> wrongs = {
            {"none", QByteArray()},
            {"wrong token", "Bearer " + QByteArray(64, 'b')},
            {"token prefix", "Bearer " + kToken.left(63)},
            {"token and more", "Bearer " + kToken + 'a'},
            {"basic scheme", "Basic " + kToken},
            {"no scheme", kToken},
            {"empty bearer", "Bearer "}};
        for (const auto &[method, path] : routes) {
            for (const auto &[name, authorization] : wrongs) {
                QTest::addRow("%s %s, %s", method.constData(), path.constData(), name)
                    << method << path << authorization;
            }
        }
    }

    // Without the token no job route or snapshot runs: 401, and a submitted image is not queued.
    void jobsAndClusterNeedTheToken()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, authorization);
        m_api->setSnapshot(R"({"sequence":7,"nodes":[]})");
        http::HttpRequest r = request(method, path, authorization);
        if (method == "POST") {
            r.query = {{"op", "grey"}};
            r.body = *image::encodeImage(starling::testing::noiseImage(8, 8, 1, 1),
                                         image::ImageFormat::Pgm);
        }
        verifyUnauthorized(m_api->route(r));
        const http::HttpResponse list = m_api->route(request("GET", "/api/v1/jobs"));
        QCOMPARE(list.status, 200);
        QCOMPARE(QJsonDocument::fromJson(list.body).object().value(u"jobs").toArray().size(), 0);
    }

    // The same submission with the token is taken: the check is the only difference.
    void theTokenOpensTheJobRoutes()
    {
        http::HttpRequest post = request("POST", "/api/v1/jobs");
        post.query = {{"op", "grey"}};
        post.body =
            *image::encodeImage(starling::testing::noiseImage(8, 8, 1, 1), image::ImageFormat::Pgm);
        const http::HttpResponse accepted = m_api->route(post);
        QCOMPARE(accepted.status, 202);
        const QByteArray status =
            "/api/v1/jobs/" +
            QJsonDocument::fromJson(accepted.body).object().value(u"id").toString().toLatin1();
        QCOMPARE(m_api->route(request("GET", status)).status, 200);
        QCOMPARE(m_api->route(request("GET", status, "bearer " + kToken)).status,
                 200); // the scheme is case-insensitive (RFC 9110)
    }

    // Health and (by default) files stay open, so curl and aria2c work as before.
    void healthAndFilesStayOpenByDefault()
    {
        QCOMPARE(m_api->route(request("GET", "/healthz", QByteArray())).status, 200);
        QCOMPARE(m_api->route(request("GET", "/api/v1/files", QByteArray())).status, 200);
        QCOMPARE(m_api->route(request("GET", "/files/hello.txt", "Bearer wrong")).status, 200);
        QCOMPARE(m_api->route(request("GET", "/", QByteArray())).status, 200);
    }

    void fileTokenClosesTheFileApi_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("listing") << QByteArray("/");
        QTest::newRow("files json") << QByteArray("/api/v1/files");
        QTest::newRow("plan") << QByteArray("/api/v1/plan");
        QTest::newRow("relay") << QByteArray("/files/hello.txt");
        QTest::newRow("metalink") << QByteArray("/files/hello.txt.meta4");
        QTest::newRow("unknown") << QByteArray("/nothing/here");
    }

    void fileTokenClosesTheFileApi()
    {
        QFETCH(QByteArray, path);
        mpi::MasterApi api(*m_jobs, *m_files, mpi::MasterApiAccess{kToken, true});
        verifyUnauthorized(api.route(request("GET", path, QByteArray())));
        verifyUnauthorized(api.route(request("GET", path, "Bearer nope")));
        QVERIFY(api.route(request("GET", path)).status != 401);
        QCOMPARE(api.route(request("GET", "/healthz", QByteArray())).status, 200);
    }

    // An API that cannot tell who asks does not serve at all.
    void noTokenRefusesToStart()
    {
        mpi::MasterApi api(*m_jobs, *m_files, mpi::MasterApiAccess{});
        const auto port = api.listen(QHostAddress::LocalHost, 0, 1 << 20);
        QVERIFY(!port);
        QVERIFY2(port.error().contains(QStringLiteral("token")), qPrintable(port.error()));
    }

    // Every block of a plan carries the master's signature of its tag, in its URL too.
    void planBlocksCarrySignedTags()
    {
        mpi::FileService::Slave slave;
        slave.rank = 2;
        slave.name = QStringLiteral("slave-2");
        slave.dataUrl = QUrl(QStringLiteral("http://127.0.0.1:41000"));
        m_files->setSlaves({slave}, {});
        http::HttpRequest r = request("GET", "/api/v1/plan", QByteArray());
        r.query = {{"path", "hello.txt"}};
        const http::HttpResponse answer = m_api->route(r);
        QCOMPARE(answer.status, 200);
        const auto plan =
            transfer::TransferPlan::fromJson(QJsonDocument::fromJson(answer.body).object());
        QVERIFY2(plan, qPrintable(plan.error()));
        QVERIFY(!plan->blocks.empty());
        const transfer::BlockTagSigner signer(kToken);
        for (const transfer::PlanBlock &block : plan->blocks) {
            QVERIFY(signer.verifies(plan->transferId, block.index, plan->path, block.tag));
            QVERIFY(plan->blockUrl(block, 0).query().endsWith(QStringLiteral("&s=") +
                                                              QString::fromLatin1(block.tag)));
            QVERIFY(!transfer::BlockTagSigner(QByteArray(64, 'b'))
                         .verifies(plan->transferId, block.index, plan->path, block.tag));
        }
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<mpi::RelayService> m_relay;
    std::unique_ptr<mpi::FileService> m_files;
    std::unique_ptr<jobs::JobBoard> m_board;
    std::unique_ptr<mpi::JobService> m_jobs;
    std::unique_ptr<mpi::MasterApi> m_api;
};

QTEST_GUILESS_MAIN(MasterApiTest)
#include "tst_masterapi.moc"
