#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <cstddef>
#include <functional>
#include <memory>

namespace starling::mpi::http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One request as the handler sees it. Only GET and HEAD get this far.
struct HttpRequest
{
    QByteArray method;  // "GET" or "HEAD"
    QByteArray path;    // percent-decoded, without the query; may contain "..": validate it
    HeaderList query;   // decoded arguments in order; "?flag" gives ("flag", "")
    HeaderList headers; // names as the client spelled them
    QHostAddress peer;

    // First value of a header, name compared case-insensitively; a null QByteArray if absent.
    QByteArray header(QByteArrayView name) const;
    // First value of a query argument (case-sensitive); a null QByteArray if absent.
    QByteArray queryValue(QByteArrayView name) const;
};

// What the handler answers. The body is one of three kinds:
// - Buffer (the default): `body`, sent as is.
// - FileRange: `length` bytes from `offset` of an open file, sent with libmicrohttpd's fd
//   responses, so Linux moves them with sendfile() without copying through user space. The
//   server owns the descriptor (closed when the last copy of the response is gone) or opens
//   `filePath` itself when queueing (failure gives 500).
// - Stream: `length` bytes produced on demand by `stream` (see StreamReader), for paced or
//   relayed bodies. The reader runs on the connection's thread.
// For HEAD only the headers and the body's Content-Length are sent; no byte is read.
struct HttpResponse
{
    enum class BodyKind
    {
        Buffer,
        FileRange,
        Stream
    };

    // Fills up to `max` bytes of the body at `position` (0-based, increasing) into `buffer` and
    // returns how many it wrote, 1..max; -1 aborts the connection (the client sees a short
    // body). It must never return 0: with nothing to send yet it blocks until it has, which
    // needs HttpServerLimits::threadPerConnection, and it must notice HttpServer::isStopping()
    // (or its owner's own stop flag) so that stop() does not wait on it forever.
    using StreamReader = std::function<qint64(qint64 position, char *buffer, qint64 max)>;

    // How a response ended, for progress reporting: complete = every byte was handed to the
    // kernel; otherwise the client went away, timed out, the server stopped or a reader
    // aborted. bodyBytes: a buffer's or file range's length when complete (0 for HEAD), else
    // what is known to have left: the bytes a stream reader produced, 0 for a buffer or file
    // range (libmicrohttpd does not tell how far sendfile got).
    struct Outcome
    {
        bool complete = false;
        qint64 bodyBytes = 0;
    };

    int status = 200;
    QByteArray contentType; // empty = no Content-Type header
    QByteArray body;        // BodyKind::Buffer
    HeaderList headers;     // extra headers; Content-Length is the server's

    BodyKind bodyKind = BodyKind::Buffer;
    std::shared_ptr<const int> file;     // FileRange: an owned descriptor (see fileRange())
    QString filePath;                    // FileRange without a descriptor: opened when queued
    qint64 offset = 0;                   // FileRange: first byte
    qint64 length = 0;                   // FileRange and Stream: body length in bytes
    StreamReader stream;                 // Stream
    qint64 streamChunkBytes = 64 * 1024; // Stream: largest `max` the reader is asked for

    // Called once on the connection's thread when the request has ended, however it ended
    // (also when the response could not be queued). Must be thread-safe and quick.
    std::function<void(const Outcome &)> onFinished;

    static HttpResponse text(int status, QByteArray body);           // text/plain; charset=utf-8
    static HttpResponse json(int status, const QJsonObject &object); // compact, '\n'-terminated
    // Takes ownership of `fd` (closed even if the response is never sent).
    static HttpResponse fileRange(int status, int fd, qint64 offset, qint64 length);
    // Shares an owned descriptor (one closed with its last owner).
    static HttpResponse fileRange(int status, std::shared_ptr<const int> fd, qint64 offset,
                                  qint64 length);
    static HttpResponse fileRange(int status, QString path, qint64 offset, qint64 length);
    static HttpResponse streamed(int status, qint64 length, StreamReader reader,
                                 qint64 chunkBytes = 64 * 1024);
};

struct HttpServerLimits
{
    unsigned connectionLimit = 64;             // concurrent connections; more are refused
    unsigned connectionTimeoutS = 30;          // idle or too slow connections are closed after this
    std::size_t memoryLimitBytes = 256 * 1024; // per connection; caps the request header size
    // One thread per connection instead of one polling thread for all: a handler or stream
    // reader may then block (pacing, waiting for relayed data) without stalling other clients.
    // Costs a thread (and its stack) per open connection, bounded by connectionLimit.
    bool threadPerConnection = false;
};

// A small RAII HTTP/1.1 server over libmicrohttpd: one internal thread polls (epoll where
// available) and runs the handler, or, with HttpServerLimits::threadPerConnection, one thread
// per connection does. Methods other than GET and HEAD get 405 with an Allow header;
// request bodies get 413 (this version serves, it does not accept uploads); HEAD gets the GET
// response's headers and Content-Length without the body. Malformed requests, oversized headers
// and slow clients are answered or dropped by libmicrohttpd without reaching the handler.
//
// THREADS: the handler runs on libmicrohttpd's thread, not the thread that owns the server, so
// it must be thread-safe (copy what it needs under a lock, or read immutable data). A handler
// that throws produces a 500 and the server keeps serving. Destroying or stopping the server
// waits for a running handler or stream reader to return: stop() sets isStopping() first, and a
// reader that blocks must watch it (or a flag of its owner's, set before stop()) and return -1.
class HttpServer
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;

    explicit HttpServer(Handler handler, HttpServerLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;
    HttpServer(HttpServer &&) = delete;
    HttpServer &operator=(HttpServer &&) = delete;

    // Binds exactly `address` (loopback stays loopback; QHostAddress::Any is dual-stack) and
    // starts serving. Port 0 picks a free port. Returns the bound port, or an error naming the
    // address and libmicrohttpd's reason (port in use, permission, already listening).
    Expected<quint16> listen(const QHostAddress &address, quint16 port);
    // Closes the listening socket and every connection; idempotent. The port is free afterwards.
    void stop();
    bool isListening() const;
    quint16 port() const; // 0 when not listening
    // True from the start of stop() until the next listen(); any thread may ask.
    bool isStopping() const;
    // Connections open right now (accepted and not yet closed); any thread may ask.
    unsigned currentConnections() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace starling::mpi::http
