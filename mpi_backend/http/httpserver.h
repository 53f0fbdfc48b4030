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

// What the handler answers. Today the body is a buffer; Range and sendfile responses will add a
// file-descriptor body next to it (the server turns a response into libmicrohttpd's in one
// place), so handlers built on this type keep compiling.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType; // empty = no Content-Type header
    QByteArray body;        // for HEAD, only its length is sent (Content-Length)
    HeaderList headers;     // extra headers; Content-Length is the server's

    static HttpResponse text(int status, QByteArray body);           // text/plain; charset=utf-8
    static HttpResponse json(int status, const QJsonObject &object); // compact, '\n'-terminated
};

struct HttpServerLimits
{
    unsigned connectionLimit = 64;             // concurrent connections; more are refused
    unsigned connectionTimeoutS = 30;          // idle or too slow connections are closed after this
    std::size_t memoryLimitBytes = 256 * 1024; // per connection; caps the request header size
};

// A small RAII HTTP/1.1 server over libmicrohttpd: one internal thread polls (epoll where
// available) and runs the handler. Methods other than GET and HEAD get 405 with an Allow header;
// request bodies get 413 (this version serves, it does not accept uploads); HEAD gets the GET
// response's headers and Content-Length without the body. Malformed requests, oversized headers
// and slow clients are answered or dropped by libmicrohttpd without reaching the handler.
//
// THREADS: the handler runs on libmicrohttpd's thread, not the thread that owns the server, so
// it must be thread-safe (copy what it needs under a lock, or read immutable data). A handler
// that throws produces a 500 and the server keeps serving. Destroying or stopping the server
// waits for a running handler to return.
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

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace starling::mpi::http
