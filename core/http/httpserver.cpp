#include "httpserver.h"

#include "daemonsetup.h"
#include "mhdresponse.h"
#include "streamwatchdog.h"

#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QNetworkInterface>

#include <microhttpd.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <utility>

Q_LOGGING_CATEGORY(lcHttp, "starling.http")

namespace starling::http {

namespace {

// What libmicrohttpd's callbacks need, reached through their `cls` pointer.
struct ServerContext
{
    HttpServer::Handler handler;
    HttpServer::AdmissionHook admission;
    qint64 maxBodyBytes = 0;
    std::atomic<bool> stopping{false};
    std::atomic<unsigned> connections{0};
    std::unique_ptr<StreamWatchdog> watchdog; // only with a minimum stream rate
    // While listen() runs MHD_start_daemon, its log lines are collected for the error message
    // (libmicrohttpd reports a failed bind only through its logger); afterwards they go to the
    // log. The logger may run on the daemon's thread, hence the lock.
    QMutex logMutex;
    bool capturing = false;
    QByteArray captured;
};

void logMessage(void *cls, const char *format, va_list args)
{
    char buffer[1024];
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    if (n < 0)
        return;
    const QByteArray line = QByteArray(buffer, qMin<int>(n, int(sizeof buffer) - 1)).trimmed();
    auto *context = static_cast<ServerContext *>(cls);
    QMutexLocker lock(&context->logMutex);
    if (context->capturing) {
        if (!context->captured.isEmpty())
            context->captured += "; ";
        context->captured += line;
        return;
    }
    qCWarning(lcHttp, "libmicrohttpd: %s", line.constData());
}

MHD_Result collectPair(void *cls, MHD_ValueKind, const char *key, size_t keySize, const char *value,
                       size_t valueSize)
{
    // A query argument without '=' has no value (nullptr); it reads as an empty one.
    static_cast<HeaderList *>(cls)->append(
        {QByteArray(key, qsizetype(keySize)),
         value ? QByteArray(value, qsizetype(valueSize)) : QByteArray("")});
    return MHD_YES;
}

HttpRequest makeRequest(MHD_Connection *connection, const char *url, const char *method)
{
    HttpRequest request;
    request.method = method;
    request.path = url;
    MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND, &collectPair, &request.query);
    MHD_get_connection_values_n(connection, MHD_HEADER_KIND, &collectPair, &request.headers);
    const MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr)
        request.peer = QHostAddress(info->client_addr);
    return request;
}

bool hasBody(MHD_Connection *connection)
{
    const char *length =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length && std::strcmp(length, "0") != 0)
        return true;
    return MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_TRANSFER_ENCODING) != nullptr;
}

HttpResponse internalError()
{
    return HttpResponse::text(MHD_HTTP_INTERNAL_SERVER_ERROR, "internal server error\n");
}

HttpResponse callHandler(const ServerContext &context, const HttpRequest &request)
{
    try {
        return context.handler(request);
    } catch (const std::exception &e) {
        qCWarning(lcHttp, "handler failed for %s %s: %s", request.method.constData(),
                  request.path.constData(), e.what());
    } catch (...) {
        qCWarning(lcHttp, "handler failed for %s %s: unknown exception", request.method.constData(),
                  request.path.constData());
    }
    return internalError();
}

// What one request carries from the access handler to libmicrohttpd's completion callback
// (its per-request pointer): how to report the outcome.
struct RequestState
{
    std::function<void(const HttpResponse::Outcome &)> onFinished;
    HttpResponse::BodyKind kind = HttpResponse::BodyKind::Buffer;
    qint64 plannedBytes = 0; // body bytes a complete response sends (0 for HEAD)
    bool replaced = false;   // the handler's response could not be sent; a 500 went instead
    // Bytes a stream reader produced; shared with the reader, which may outlive this state.
    std::shared_ptr<std::atomic<qint64>> streamed;
    quint64 watchTicket = 0; // the stream watchdog's, 0 when not watched
    // A POST whose body is still arriving; answered once it is complete.
    bool readingBody = false;
    QByteArray body;
    qint64 discarded = 0; // body bytes past the limit, dropped unread (then the answer is 413)
    std::shared_ptr<void> admission; // the admission hook's ticket, released with this state
};

// The Content-Length a client announced, -1 when absent (chunked) or not a number.
qint64 announcedLength(MHD_Connection *connection)
{
    const char *length =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!length)
        return -1;
    bool ok = false;
    const qint64 value = QByteArray(length).toLongLong(&ok);
    return ok && value >= 0 ? value : -1;
}

HttpResponse bodyTooLarge(qint64 limit)
{
    return HttpResponse::text(MHD_HTTP_CONTENT_TOO_LARGE, "request body too large: at most " +
                                                              QByteArray::number(limit) +
                                                              " bytes\n");
}

qint64 bodyLength(const HttpResponse &response)
{
    return response.bodyKind == HttpResponse::BodyKind::Buffer ? response.body.size()
                                                               : response.length;
}

MHD_Result queue(MHD_Connection *connection, const HttpResponse &response, RequestState *state,
                 bool isHead)
{
    int status = response.status;
    if (state) {
        state->onFinished = response.onFinished;
        state->kind = response.bodyKind;
        state->plannedBytes = isHead ? 0 : bodyLength(response);
    }
    MHD_Response *mhd = toMhdResponse(response, state ? &state->streamed : nullptr);
    if (!mhd) {
        qCWarning(lcHttp,
                  "handler returned an unsendable response (status %d, a bad header, "
                  "range or stream, or a file that would not open)",
                  response.status);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        const HttpResponse error = internalError();
        if (state) {
            state->kind = error.bodyKind;
            state->plannedBytes = 0;
            state->replaced = true; // the planned body never leaves: report it incomplete
        }
        mhd = toMhdResponse(error, nullptr);
        if (!mhd)
            return MHD_NO; // out of memory: drop the connection
    }
    const MHD_Result result = MHD_queue_response(connection, unsigned(status), mhd);
    MHD_destroy_response(mhd); // the queued connection keeps its own reference
    return result;
}

// The handler's response; a stream is watched for a minimum rate when the server has a floor.
MHD_Result queueAnswer(const ServerContext &context, MHD_Connection *connection,
                       HttpResponse response, RequestState *state, bool isHead)
{
    if (!context.watchdog || isHead || response.bodyKind != HttpResponse::BodyKind::Stream)
        return queue(connection, response, state, isHead);
    auto progress = std::make_shared<StreamWatchdog::Progress>();
    response.stream = [reader = std::move(response.stream), progress](qint64 position, char *buffer,
                                                                      qint64 max) {
        // Time inside the reader is the server's (waiting for data), not the client's.
        struct Running
        {
            std::atomic<bool> &flag;
            ~Running() { flag = false; }
        } running{progress->inReader};
        progress->inReader = true;
        return reader(position, buffer, max);
    };
    const MHD_Result result = queue(connection, response, state, isHead);
    const MHD_ConnectionInfo *fd =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    const MHD_ConnectionInfo *peer =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (result == MHD_YES && state && state->streamed && !state->replaced && fd) {
        progress->produced = state->streamed;
        const QByteArray who = peer && peer->client_addr
                                   ? QHostAddress(peer->client_addr).toString().toUtf8()
                                   : QByteArray("?");
        state->watchTicket = context.watchdog->watch(int(fd->connect_fd), progress, who);
    }
    return result;
}

void onCompleted(void *cls, MHD_Connection *, void **requestState,
                 MHD_RequestTerminationCode code) noexcept
{
    auto *state = static_cast<RequestState *>(*requestState);
    *requestState = nullptr;
    if (!state)
        return;
    // Before libmicrohttpd closes the socket, so the watchdog never shuts down a reused fd.
    if (auto *context = static_cast<ServerContext *>(cls); state->watchTicket && context->watchdog)
        context->watchdog->unwatch(state->watchTicket);
    if (state->onFinished) {
        HttpResponse::Outcome outcome;
        outcome.complete = code == MHD_REQUEST_TERMINATED_COMPLETED_OK && !state->replaced;
        if (state->kind == HttpResponse::BodyKind::Stream && state->streamed && !outcome.complete)
            outcome.bodyBytes = state->streamed->load(std::memory_order_relaxed);
        else if (outcome.complete)
            outcome.bodyBytes = state->plannedBytes;
        try {
            state->onFinished(outcome);
        } catch (...) {
            qCWarning(lcHttp, "a response's completion callback threw; ignored");
        }
    }
    delete state;
}

// Per connection (libmicrohttpd's socket context): what the unescaper saw in the request line.
struct ConnectionFlags
{
    bool nulInTarget = false;
};

void onConnection(void *cls, MHD_Connection *, void **socketContext,
                  MHD_ConnectionNotificationCode code) noexcept
{
    auto *context = static_cast<ServerContext *>(cls);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        context->connections.fetch_add(1, std::memory_order_relaxed);
        *socketContext = new (std::nothrow) ConnectionFlags;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        context->connections.fetch_sub(1, std::memory_order_relaxed);
        delete static_cast<ConnectionFlags *>(*socketContext);
        *socketContext = nullptr;
    }
}

ConnectionFlags *connectionFlags(MHD_Connection *connection)
{
    const MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? static_cast<ConnectionFlags *>(info->socket_context) : nullptr;
}

// libmicrohttpd's own %HH decoding, except that it remembers a "%00": the handler receives the
// path as a C string, so a decoded NUL would silently cut it ("/secret%00.png" would arrive as
// "/secret"). Such a request is refused with 400 instead.
size_t unescape(void *, MHD_Connection *connection, char *text) noexcept
{
    for (const char *p = std::strchr(text, '%'); p; p = std::strchr(p + 1, '%')) {
        if (p[1] == '0' && p[2] == '0') {
            if (ConnectionFlags *flags = connectionFlags(connection))
                flags->nulInTarget = true;
            break;
        }
    }
    return MHD_http_unescape(text);
}

// A later call for a POST whose answer waits for its body: appends a chunk, or (the last call,
// with no data) answers.
MHD_Result continueBody(const ServerContext &context, MHD_Connection *connection, const char *url,
                        const char *method, const char *uploadData, size_t *uploadSize,
                        RequestState *state)
{
    if (*uploadSize > 0) {
        // libmicrohttpd 0.9.75 cannot answer in the middle of a body, so a chunked body that
        // outgrows the limit is read to its end and dropped (up to as much again; past that the
        // connection is closed unanswered) and then gets its 413.
        const qint64 size = qint64(*uploadSize);
        if (state->discarded > 0 || state->body.size() + size > context.maxBodyBytes) {
            state->discarded += size;
            state->body = QByteArray();
            state->admission.reset(); // refused: what was reserved for it is free again
            *uploadSize = 0;
            return state->discarded > context.maxBodyBytes ? MHD_NO : MHD_YES;
        }
        state->body.append(uploadData, qsizetype(size));
        *uploadSize = 0;
        return MHD_YES;
    }
    state->readingBody = false;
    if (state->discarded > 0)
        return queue(connection, bodyTooLarge(context.maxBodyBytes), nullptr, false);
    HttpRequest request = makeRequest(connection, url, method);
    request.body = std::exchange(state->body, QByteArray());
    request.admission = state->admission;
    return queueAnswer(context, connection, callHandler(context, request), state, false);
}

// A POST on a server that takes bodies: refused at once if it announces too much or the
// admission hook refuses it, else the body is read in the following calls.
MHD_Result startBody(const ServerContext &context, MHD_Connection *connection, const char *url,
                     const char *method, RequestState *state)
{
    const qint64 announced = announcedLength(connection);
    if (announced > context.maxBodyBytes)
        return queue(connection, bodyTooLarge(context.maxBodyBytes), nullptr, false);
    if (context.admission) {
        HttpServer::Admission admitted;
        try {
            admitted = context.admission(makeRequest(connection, url, method));
        } catch (const std::exception &e) {
            qCWarning(lcHttp, "admission hook failed: %s", e.what());
            return queue(connection, internalError(), nullptr, false);
        }
        if (admitted.refusal)
            return queue(connection, *admitted.refusal, nullptr, false);
        state->admission = std::move(admitted.ticket);
    }
    // Reserved only up to 64 MiB: a client that announces a large body and sends nothing must
    // not make every connection hold the whole limit.
    if (announced > 0)
        state->body.reserve(qsizetype(qMin<qint64>(announced, qint64(64) << 20)));
    state->readingBody = true;
    return MHD_YES;
}

MHD_Result methodNotAllowed(MHD_Connection *connection, const char *method, bool posts)
{
    const QByteArray allowed = posts ? "GET, HEAD, POST" : "GET, HEAD";
    HttpResponse response = HttpResponse::text(
        MHD_HTTP_METHOD_NOT_ALLOWED, QByteArray("method ") + method + " not allowed: use " +
                                         (posts ? "GET, HEAD or POST" : "GET or HEAD") + "\n");
    response.headers.append(qMakePair(QByteArray(MHD_HTTP_HEADER_ALLOW), allowed));
    return queue(connection, response, nullptr, false);
}

// The first call for a request: every request is answered here, before any body is read,
// except a POST that the server accepts.
MHD_Result firstCall(const ServerContext &context, MHD_Connection *connection, const char *url,
                     const char *method, RequestState *state)
{
    if (ConnectionFlags *flags = connectionFlags(connection);
        flags && std::exchange(flags->nulInTarget, false)) {
        return queue(connection,
                     HttpResponse::text(MHD_HTTP_BAD_REQUEST,
                                        "bad request: the target contains %00 (a NUL byte)\n"),
                     nullptr, false);
    }
    const QByteArrayView verb(method);
    const bool posts = context.maxBodyBytes > 0;
    if (posts && verb == MHD_HTTP_METHOD_POST)
        return startBody(context, connection, url, method, state);
    if (verb != MHD_HTTP_METHOD_GET && verb != MHD_HTTP_METHOD_HEAD)
        return methodNotAllowed(connection, method, posts);
    // Answering before the body is read makes libmicrohttpd discard the rest of the request and
    // close the connection afterwards, so an upload costs us nothing.
    if (hasBody(connection)) {
        return queue(
            connection,
            HttpResponse::text(MHD_HTTP_CONTENT_TOO_LARGE, "request bodies are not accepted\n"),
            nullptr, false);
    }
    // For HEAD libmicrohttpd sends the headers (Content-Length of this body) and no body.
    const bool isHead = verb == MHD_HTTP_METHOD_HEAD;
    return queueAnswer(context, connection,
                       callHandler(context, makeRequest(connection, url, method)), state, isHead);
}

MHD_Result onRequest(void *cls, MHD_Connection *connection, const char *url, const char *method,
                     const char * /*version*/, const char *uploadData, size_t *uploadSize,
                     void **requestState) noexcept
{
    const auto &context = *static_cast<const ServerContext *>(cls);
    if (auto *state = static_cast<RequestState *>(*requestState); state && state->readingBody) {
        try {
            return continueBody(context, connection, url, method, uploadData, uploadSize, state);
        } catch (...) {
            return MHD_NO; // out of memory for the body: close the connection
        }
    }
    if (*requestState) {
        // Every request is answered on the first call, before any body is read, so this is a
        // body chunk arriving after the answer: refuse it and let the connection close.
        *uploadSize = 0;
        return MHD_NO;
    }
    try {
        // Owned by libmicrohttpd's per-request pointer from here; onCompleted deletes it.
        auto *state = new RequestState;
        *requestState = state;
        return firstCall(context, connection, url, method, state);
    } catch (...) {
        return MHD_NO; // allocation failure while building the answer: close the connection
    }
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.size() == name.size() &&
            qstrnicmp(key.constData(), key.size(), name.data(), name.size()) == 0)
            return value;
    }
    return {};
}

QByteArray HttpRequest::queryValue(QByteArrayView name) const
{
    for (const auto &[key, value] : query) {
        if (key == name)
            return value;
    }
    return {};
}

struct HttpServer::Private
{
    ServerContext context;
    HttpServerLimits limits;
    MHD_Daemon *daemon = nullptr;
    quint16 port = 0;
    TlsPem tls; // kept for the daemon's life: libmicrohttpd keeps the pointers
};

HttpServer::HttpServer(Handler handler, HttpServerLimits limits) : d(std::make_unique<Private>())
{
    d->context.handler = std::move(handler);
    d->context.maxBodyBytes = qMax<qint64>(limits.maxBodyBytes, 0);
    d->limits = limits;
    if (limits.minStreamBytesPerS > 0) {
        d->context.watchdog =
            std::make_unique<StreamWatchdog>(limits.minStreamBytesPerS, limits.minStreamWindowS);
    }
}

HttpServer::~HttpServer()
{
    stop();
}

Expected<quint16> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    const QString where = endpoint(address, port);
    if (d->daemon) {
        return Error{QStringLiteral("cannot listen on %1: already listening on port %2")
                         .arg(where)
                         .arg(d->port)};
    }
    std::optional<SocketAddress> socket = socketAddress(address, port);
    if (!socket)
        return Error{QStringLiteral("cannot listen on %1: not an IP address").arg(where)};

    if (d->tls.isEnabled() && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return Error{QStringLiteral("cannot listen on %1 with TLS: this libmicrohttpd was built "
                                    "without TLS")
                         .arg(where)};
    const unsigned flags = daemonFlags(d->limits, socket->flags, d->tls.isEnabled());
    std::array<MHD_OptionItem, 3> tls = tlsOptions(d->tls);

    d->context.stopping = false;
    {
        QMutexLocker lock(&d->context.logMutex);
        d->context.capturing = true;
        d->context.captured.clear();
    }
    MHD_Daemon *daemon = MHD_start_daemon(
        flags, port, nullptr, nullptr, &onRequest, &d->context, MHD_OPTION_SOCK_ADDR,
        reinterpret_cast<sockaddr *>(&socket->storage), MHD_OPTION_CONNECTION_LIMIT,
        unsigned(d->limits.connectionLimit), MHD_OPTION_CONNECTION_TIMEOUT,
        unsigned(d->limits.connectionTimeoutS), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        size_t(d->limits.memoryLimitBytes), MHD_OPTION_EXTERNAL_LOGGER, &logMessage, &d->context,
        MHD_OPTION_NOTIFY_COMPLETED, &onCompleted, &d->context, MHD_OPTION_NOTIFY_CONNECTION,
        &onConnection, &d->context, MHD_OPTION_UNESCAPE_CALLBACK, &unescape, nullptr,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, d->limits.connectionsPerAddress, MHD_OPTION_ARRAY,
        tls.data(), MHD_OPTION_END);
    QByteArray reason;
    {
        QMutexLocker lock(&d->context.logMutex);
        d->context.capturing = false;
        reason = std::exchange(d->context.captured, {});
    }
    if (!daemon) {
        if (reason.isEmpty())
            reason = "libmicrohttpd could not start (bad limits or out of resources)";
        return Error{
            QStringLiteral("cannot listen on %1: %2").arg(where, QString::fromUtf8(reason))};
    }
    const MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || info->port == 0) {
        MHD_stop_daemon(daemon);
        return Error{QStringLiteral("cannot listen on %1: the bound port is unknown").arg(where)};
    }
    d->daemon = daemon;
    d->port = info->port;
    return d->port;
}

void HttpServer::setTls(TlsPem pem)
{
    d->tls = std::move(pem);
}

bool HttpServer::isTls() const
{
    return d->tls.isEnabled();
}

void HttpServer::stop()
{
    if (!d->daemon)
        return;
    // Readers that block watch this flag; the daemon waits for every one of them to return.
    d->context.stopping = true;
    MHD_stop_daemon(d->daemon); // joins the threads: no handler runs after this returns
    d->daemon = nullptr;
    d->port = 0;
}

void HttpServer::setAdmissionHook(AdmissionHook hook)
{
    d->context.admission = std::move(hook);
}

bool HttpServer::isListening() const
{
    return d->daemon != nullptr;
}

quint16 HttpServer::port() const
{
    return d->port;
}

bool HttpServer::isStopping() const
{
    return d->context.stopping.load();
}

qint64 HttpServer::slowStreamsClosed() const
{
    return d->context.watchdog ? d->context.watchdog->closedStreams() : 0;
}

unsigned HttpServer::currentConnections() const
{
    return d->context.connections.load(std::memory_order_relaxed);
}

} // namespace starling::http
