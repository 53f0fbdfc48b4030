#include "masterapi.h"

#include "mpi_backend/jobs/jobservice.h"
#include "mpi_backend/transfer/fileservice.h"

namespace starling::mpi {

MasterApi::MasterApi(JobService &jobs, FileService &files, MasterApiAccess access)
    : m_jobs(jobs), m_files(files), m_auth(std::move(access.token)),
      m_requireFileToken(access.requireFileToken)
{}

MasterApi::~MasterApi()
{
    stop();
}

Expected<quint16> MasterApi::listen(const QHostAddress &bind, quint16 port, qint64 maxBodyBytes,
                                    const http::TlsPem &tls)
{
    if (!m_auth.hasToken())
        return Error{QStringLiteral("no cluster token (STARLING_CLUSTER_TOKEN): the API would "
                                    "serve jobs to anyone, so it does not start")};
    http::HttpServerLimits limits;
    // Relays and plans block their connection's thread (waiting for slaves, hashing a file),
    // so every connection gets its own; the limit bounds the threads.
    limits.threadPerConnection = true;
    limits.connectionLimit = 512;
    limits.maxBodyBytes = maxBodyBytes;
    m_files.applyConnectionLimits(limits); // per-address cap, minimum relay rate (issue 15)
    m_server = std::make_unique<http::HttpServer>(
        [this](const http::HttpRequest &request) { return route(request); }, limits);
    // A job upload is checked and takes its slots before its body is read: a stranger's
    // upload costs neither memory nor an upload slot (JobService::admit).
    m_server->setAdmissionHook([this](const http::HttpRequest &request) {
        if (needsToken(request) && !m_auth.admits(request))
            return http::HttpServer::Admission{http::BearerAuth::unauthorized(request), {}};
        return m_jobs.admit(request);
    });
    m_server->setTls(tls);
    return m_server->listen(bind, port);
}

void MasterApi::stop()
{
    if (m_server)
        m_server->stop();
}

void MasterApi::setSnapshot(const QByteArray &json)
{
    std::lock_guard lock(m_mutex);
    m_snapshotJson = json;
}

http::HttpResponse MasterApi::clusterSnapshot() const
{
    std::lock_guard lock(m_mutex);
    http::HttpResponse response = http::HttpResponse::text(
        m_snapshotJson.isEmpty() ? 503 : 200, m_snapshotJson.isEmpty()
                                                  ? QByteArray("{\"error\":\"no snapshot yet\"}\n")
                                                  : m_snapshotJson);
    response.contentType = "application/json";
    return response;
}

bool MasterApi::needsToken(const http::HttpRequest &request) const
{
    const QByteArray &path = request.path;
    const bool jobsOrCluster =
        path == "/api/v1/cluster" || path == "/api/v1/jobs" || path.startsWith("/api/v1/jobs/");
    return jobsOrCluster || m_requireFileToken;
}

http::HttpResponse MasterApi::route(const http::HttpRequest &request)
{
    if (request.path == "/healthz")
        return http::HttpResponse::text(200, "ok\n");
    if (needsToken(request) && !m_auth.admits(request))
        return http::BearerAuth::unauthorized(request);
    if (request.path == "/api/v1/cluster")
        return clusterSnapshot();
    if (auto answer = m_jobs.handle(request))
        return std::move(*answer);
    if (request.method == "POST")
        return http::HttpResponse::text(405, "POST goes to /api/v1/jobs\n");
    if (auto answer = m_files.handle(request))
        return std::move(*answer);
    return http::HttpResponse::text(404, "not found: try /, /files/<path>, /api/v1/files, "
                                         "/api/v1/plan, /api/v1/jobs or /api/v1/cluster\n");
}

} // namespace starling::mpi
