#include "masterapi.h"

#include "mpi_backend/jobs/jobservice.h"
#include "mpi_backend/transfer/fileservice.h"

namespace starling::mpi {

MasterApi::MasterApi(JobService &jobs, FileService &files) : m_jobs(jobs), m_files(files) {}

MasterApi::~MasterApi()
{
    stop();
}

Expected<quint16> MasterApi::listen(const QHostAddress &bind, quint16 port, qint64 maxBodyBytes,
                                    const http::TlsPem &tls)
{
    http::HttpServerLimits limits;
    // Relays and plans block their connection's thread (waiting for slaves, hashing a file),
    // so every connection gets its own; the limit bounds the threads.
    limits.threadPerConnection = true;
    limits.connectionLimit = 512;
    limits.maxBodyBytes = maxBodyBytes;
    m_server = std::make_unique<http::HttpServer>(
        [this](const http::HttpRequest &request) { return route(request); }, limits);
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

http::HttpResponse MasterApi::route(const http::HttpRequest &request)
{
    if (request.path == "/api/v1/cluster")
        return clusterSnapshot();
    if (request.path == "/healthz")
        return http::HttpResponse::text(200, "ok\n");
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
