#pragma once

#include "http/bearerauth.h"
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

// Who may use the master's API: the cluster token, and whether reading files needs it too.
struct MasterApiAccess
{
    QByteArray token;              // required: listen() refuses to start without one
    bool requireFileToken = false; // the config's require_file_token
};

// The master's HTTP API (README "HTTP API"): the cluster snapshot, the health check, image jobs
// and files, on one libmicrohttpd server. Routes run on the server's connection threads, so
// everything they read is either guarded here (the snapshot) or thread-safe in its service.
// Jobs and the cluster snapshot need `Authorization: Bearer <cluster token>` (else 401 before
// any handler runs); files need it only with requireFileToken; /healthz never does.
class MasterApi
{
public:
    MasterApi(JobService &jobs, FileService &files, MasterApiAccess access);
    ~MasterApi();

    // Starts the server; the bound port. `maxBodyBytes` bounds an upload (an image job). With
    // `tls`, HTTPS only. An error without a token: an API that cannot tell who asks must not
    // serve at all.
    Expected<quint16> listen(const QHostAddress &bind, quint16 port, qint64 maxBodyBytes,
                             const http::TlsPem &tls = {});
    void stop();

    // Any thread: the monitor's latest snapshot as it arrived, served at /api/v1/cluster.
    void setSnapshot(const QByteArray &json);
    // Any thread: the answer to one request (the server calls this; tests may too).
    http::HttpResponse route(const http::HttpRequest &request);

private:
    http::HttpResponse clusterSnapshot() const;
    bool needsToken(const http::HttpRequest &request) const;

    JobService &m_jobs;
    FileService &m_files;
    const http::BearerAuth m_auth;
    const bool m_requireFileToken;
    mutable std::mutex m_mutex;
    QByteArray m_snapshotJson;
    std::unique_ptr<http::HttpServer> m_server;
};

} // namespace starling::mpi
