#pragma once

#include "http/bearerauth.h"
#include "http/httpserver.h"
#include "transfer/blocktagsigner.h"
#include "transfer/exportroot.h"
#include "util/expected.h"

#include <QHostAddress>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace starling::http {

// One block request (a GET that carried ?t=<transfer>&b=<block>) as it ended.
struct BlockServed
{
    QString transferId;
    int block = 0;
    qint64 bytes = 0;      // body bytes known to have left (see HttpResponse::Outcome)
    bool complete = false; // the whole answer went out and it was a 200 or 206
    int status = 0;        // what was answered: 206/200, or 404, 412, 416, ... (then bytes = 0)
};

// Who may read from a data server and whose block reports count.
struct DataServerAccess
{
    // Verifies the master's block-tag signatures (BlockTagSigner) and, with requireToken, the
    // bearer token. Empty: no tag verifies, so no block is ever reported.
    QByteArray clusterToken;
    // /files/ needs `Authorization: Bearer <clusterToken>` (the config's require_file_token).
    bool requireToken = false;
};

// A slave's data server (no MPI): serves GET and HEAD /files/<path> from an export root.
//
// - Range: one range (206 + Content-Range), or 416 + "Content-Range: bytes */size" + a message
//   for unsatisfiable, malformed and multi-range headers (see transfer::parseRange); If-Range is
//   honoured (a stale validator gets the whole file, as RFC 9110 says).
// - Accept-Ranges: bytes; a strong ETag (transfer::makeEtag of size and mtime, from the open
//   descriptor); Last-Modified; If-Match ("*" or a list; weak tags never match) -> 412 "file
//   changed"; Content-Type application/octet-stream.
// - Errors: 400 bad paths (and a malformed ?t=&b= tag), 401 without the bearer token when the
//   access requires it, 403 forbidden and directories ("is a directory"), 404 not found and
//   anything not under /files/; 405 and 413 come from HttpServer.
// - Block reports: a GET tagged ?t=&b=&s= is reported only when s is the master's signature
//   of that tag for this path and the file was served (200/206); an unsigned or forged tag is
//   served as a plain read, counted in unverifiedTags() and logged at most every 10 s.
// - Unpaced: the body is a file range, sent with sendfile. Paced (a link speed in MB/s, 1 MB =
//   10^6 bytes): a stream of 64 KiB chunks, every chunk reserved on one TokenBucket shared by
//   all connections (burst: two chunks), the reader sleeping as told; stop() wakes it at once.
// - Always one thread per connection (a paced reader sleeps); connection limit, idle timeout
//   and memory cap (which bounds the header size) come from the limits given.
//
// THREADS: counters and port() may be read from any thread. The block callback runs on the
// connection's thread when a tagged request ends, so it must be thread-safe and quick.
class DataServer
{
public:
    using BlockCallback = std::function<void(const BlockServed &)>;
    static constexpr qint64 kChunkBytes = 64 * 1024;
    static constexpr qint64 kMaxTransferIdBytes = 128;

    // `linkMBps`: the emulated uplink; nullopt, 0 or less = unpaced.
    explicit DataServer(transfer::ExportRoot root, HttpServerLimits limits = {},
                        std::optional<double> linkMBps = std::nullopt, BlockCallback onBlock = {},
                        DataServerAccess access = {});
    ~DataServer();
    DataServer(const DataServer &) = delete;
    DataServer &operator=(const DataServer &) = delete;
    DataServer(DataServer &&) = delete;
    DataServer &operator=(DataServer &&) = delete;

    // As HttpServer::listen: binds exactly `address`; port 0 picks a free one. An error when
    // the access requires a token but has none.
    Expected<quint16> listen(const QHostAddress &address, quint16 port);
    // As HttpServer::setTls: HTTPS only from the next listen() on.
    void setTls(TlsPem pem);
    // Wakes every paced reader (they abort their connections), then stops the server. Idempotent.
    void stop();
    bool isListening() const;
    quint16 port() const;
    bool isPaced() const;
    const transfer::ExportRoot &root() const;

    qint64 bytesSent() const;      // file bytes sent: streamed chunks as they go, sendfile bodies
                                   // when complete
    qint64 requests() const;       // requests that reached the handler (any status)
    qint64 unverifiedTags() const; // tagged requests whose signature did not verify
    unsigned openConnections() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace starling::http
