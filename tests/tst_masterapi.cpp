// The master's HTTP API without a cluster: its routes on their own, and the same answers over a
// real socket from a server bound to a free port.
#include "faketransport.h"
#include "httptestclient.h"
#include "jobs/jobboard.h"
#include "mpi_backend/jobs/jobservice.h"
#include "mpi_backend/roles/masterapi.h"
#include "mpi_backend/transfer/fileservice.h"
#include "mpi_backend/transfer/relayservice.h"
#include "transfer/exportroot.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace starling;
using starling::testing::FakeTransport;

namespace {

http::HttpRequest request(const QByteArray &method, const QByteArray &path)
{
    http::HttpRequest r;
    r.method = method;
    r.path = path;
    r.peer = QHostAddress::LocalHost;
    return r;
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
        m_files = std::make_unique<mpi::FileService>(std::move(root).value(), *m_relay);
        m_board = std::make_unique<jobs::JobBoard>(jobs::JobBoard::Limits{4, 4});
        m_jobs = std::make_unique<mpi::JobService>(*m_board, image::DecodeLimits{});
        m_api = std::make_unique<mpi::MasterApi>(*m_jobs, *m_files);
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
        const httptest::Reply cluster = httptest::get(*port, "/api/v1/cluster");
        QCOMPARE(cluster.status, 200);
        QCOMPARE(cluster.body, QByteArray(R"({"sequence":1})"));
        m_api->stop();
        QVERIFY(!httptest::get(*port, "/healthz").connected);
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
