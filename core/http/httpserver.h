#pragma once

#include "http/httpresponse.h"
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
#include <optional>

namespace starling::http {

// One request as the handler sees it. Only GET and HEAD get this far.
struct HttpRequest
{
    QByteArray method;  // "GET" or "HEAD", or "POST" when the server accepts bodies
    QByteArray path;    // percent-decoded, without the query; may contain "..": validate it
    HeaderList query;   // decoded arguments in order; "?flag" gives ("flag", "")
    HeaderList headers; // names as the client spelled them
    QHostAddress peer;
    QByteArray body; // POST only: the whole body, at most HttpServerLimits::maxBodyBytes
    // POST only: what the admission hook returned for this request (HttpServer::Admission);
    // null without a hook or when the hook gave none.
    std::shared_ptr<void> admission;

    // First value of a header, name compared case-insensitively; a null QByteArray if absent.
    QByteArray header(QByteArrayView name) const;
    // First value of a query argument (case-sensitive); a null QByteArray if absent.
    QByteArray queryValue(QByteArrayView name) const;
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
    // 0: the server only serves (GET, HEAD); bodies get 413 and POST 405. Above 0: POST is
    // accepted too, with a body of up to this many bytes read whole before the handler runs;
    // a longer one (by Content-Length at once, or once a chunked body passes the limit) gets
    // 413 without the handler being called.
    qint64 maxBodyBytes = 0;
    // Flood resistance (issue 15, "flood" slice). Connections from one client address at once;
    // more are closed as soon as they are accepted (0: no cap, libmicrohttpd's
    // PER_IP_CONNECTION_LIMIT).
    unsigned connectionsPerAddress = 0;
    // A streamed body whose client took fewer than minStreamBytesPerS x minStreamWindowS bytes
    // over the last minStreamWindowS seconds is closed (time its own reader spends waiting is
    // not held against the client). 0: no floor.
    qint64 minStreamBytesPerS = 0;
    int minStreamWindowS = 30;
};

// A server's TLS identity in PEM (certificate first, then any chain; an unencrypted key), as
// tls::TlsIdentity has checked it. Empty = clear text.
struct TlsPem
{
    QByteArray certificate;
    QByteArray privateKey;

    bool isEnabled() const { return !certificate.isEmpty(); }
};

// A small RAII HTTP/1.1 server over libmicrohttpd: one internal thread polls (epoll where
// available) and runs the handler, or, with HttpServerLimits::threadPerConnection, one thread
// per connection does. Methods other than GET and HEAD (and POST when maxBodyBytes allows
// bodies) get 405 with an Allow header; bodies of GET and HEAD get 413; HEAD gets the GET
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
    // What the admission hook decides for a POST whose request line and headers have arrived,
    // before any of its body is read.
    struct Admission
    {
        // Sent at once; the body is never read (libmicrohttpd drops it and closes).
        std::optional<HttpResponse> refusal;
        // Kept until the request ends (answered, refused past the body limit, or dropped by
        // the client), then released: an RAII holder of what was reserved for the request.
        // The handler sees it as HttpRequest::admission.
        std::shared_ptr<void> ticket;
    };
    using AdmissionHook = std::function<Admission(const HttpRequest &)>;

    explicit HttpServer(Handler handler, HttpServerLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;
    HttpServer(HttpServer &&) = delete;
    HttpServer &operator=(HttpServer &&) = delete;

    // Called on a connection thread for every accepted POST (method, path, query, headers and
    // peer; no body yet) after the Content-Length check. Set before listen(); must be
    // thread-safe. GET and HEAD never reach it.
    void setAdmissionHook(AdmissionHook hook);

    // Binds exactly `address` (loopback stays loopback; QHostAddress::Any is dual-stack) and
    // starts serving. Port 0 picks a free port. Returns the bound port, or an error naming the
    // address and libmicrohttpd's reason (port in use, permission, already listening).
    Expected<quint16> listen(const QHostAddress &address, quint16 port);
    // HTTPS only from the next listen() on (libmicrohttpd with GnuTLS): a clear-text request is
    // a failed handshake and the connection is closed. listen() fails if this libmicrohttpd has
    // no TLS or GnuTLS refuses the PEM.
    void setTls(TlsPem pem);
    bool isTls() const;
    // Closes the listening socket and every connection; idempotent. The port is free afterwards.
    void stop();
    bool isListening() const;
    quint16 port() const; // 0 when not listening
    // True from the start of stop() until the next listen(); any thread may ask.
    bool isStopping() const;
    // Connections open right now (accepted and not yet closed); any thread may ask.
    unsigned currentConnections() const;
    // Streamed bodies closed for falling below the minimum rate since the server was made.
    qint64 slowStreamsClosed() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace starling::http
