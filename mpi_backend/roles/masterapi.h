#pragma once

#include "http/httpresponse.h"
#include "http/httpserver.h"
#include "util/expected.h"

#include <QByteArray>
#include <QHostAddress>

#include <memory>
#include <mutex>

namespace starling::mpi {

class FileService;
class JobService;

// The master's HTTP API (README "HTTP API"): the cluster snapshot, the health check, image jobs
// and files, on one libmicrohttpd server. Routes run on the server's connection threads, so
// everything they read is either guarded here (the snapshot) or thread-safe in its service.
class MasterApi
{
public:
    MasterApi(JobService &jobs, FileService &files);
    ~MasterApi();

    // Starts the server; the bound port. `maxBodyBytes` bounds an upload (an image job).
    // With `tls`, HTTPS only.
    Expected<quint16> listen(const QHostAddress &bind, quint16 port, qint64 maxBodyBytes,
                             const http::TlsPem &tls = {});
    void stop();

    // Any thread: the monitor's latest snapshot as it arrived, served at /api/v1/cluster.
    void setSnapshot(const QByteArray &json);
    // Any thread: the answer to one request (the server calls this; tests may too).
    http::HttpResponse route(const http::HttpRequest &request);

private:
    http::HttpResponse clusterSnapshot() const;

    JobService &m_jobs;
    FileService &m_files;
    mutable std::mutex m_mutex;
    QByteArray m_snapshotJson;
    std::unique_ptr<http::HttpServer> m_server;
};

} // namespace starling::mpi
