#include "fileservice.h"

#include "transfer/rangeheader.h"
#include "transfer/transferplan.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>

#include <chrono>

namespace starling::mpi {

namespace {

constexpr int kMaxListing = 100000;
// A relay connection waits this long for the next bytes before giving up on the cluster.
constexpr std::chrono::milliseconds kRelayIdle{30000};
constexpr std::chrono::milliseconds kRelayPoll{250};

int statusFor(const QString &code)
{
    if (code == QLatin1String("bad_path") || code == QLatin1String("bad_request"))
        return 400;
    if (code == QLatin1String("not_found"))
        return 404;
    if (code == QLatin1String("forbidden") || code == QLatin1String("is_directory"))
        return 403;
    if (code == QLatin1String("not_a_directory"))
        return 404;
    if (code == QLatin1String("too_many_entries"))
        return 413;
    if (code == QLatin1String("no_slaves"))
        return 503;
    return 500;
}

http::HttpResponse jsonError(int status, const QString &code, const QString &message)
{
    return http::HttpResponse::json(
        status, {{QLatin1String("error"), message}, {QLatin1String("code"), code}});
}

http::HttpResponse textError(const Error &error)
{
    return http::HttpResponse::text(statusFor(error.code), error.message.toUtf8() + '\n');
}

QByteArray httpDate(std::int64_t mtimeNs)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(mtimeNs / 1000000, QTimeZone::UTC);
    return QLocale::c().toString(time, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
}

Error errorOf(const QString &message, const QString &code)
{
    return Error{message, code};
}

} // namespace

FileService::FileService(transfer::ExportRoot root, RelayService &relay)
    : m_root(std::move(root)), m_relay(relay)
{
}

void FileService::setSlaves(std::vector<Slave> slaves, Policy policy)
{
    std::lock_guard lock(m_mutex);
    m_slaves = std::move(slaves);
    m_policy = policy;
}

void FileService::setEventSink(std::function<void(QJsonObject)> sink)
{
    std::lock_guard lock(m_mutex);
    m_sink = std::move(sink);
}

void FileService::stop()
{
    m_stopping = true;
}

void FileService::emitEvent(QJsonObject event)
{
    std::function<void(QJsonObject)> sink;
    {
        std::lock_guard lock(m_mutex);
        sink = m_sink;
    }
    if (sink)
        sink(std::move(event));
}

std::optional<http::HttpResponse> FileService::handle(const http::HttpRequest &request)
{
    const QByteArray &path = request.path;
    if (path == "/api/v1/files")
        return listing("/", false);
    if (path == "/api/v1/plan")
        return plan(request);
    if (path.startsWith("/files/")) {
        const QByteArray relative = path.mid(6); // keeps the leading '/'
        auto file = m_root.resolve(relative);
        if (!file && file.errorCode() == QLatin1String("not_found") &&
            relative.endsWith(".meta4")) {
            // No such file, but the file it describes: its Metalink document.
            const auto described = m_root.resolve(relative.chopped(6));
            if (described && !described->isDirectory)
                return metalink(*described, request.header("Host"));
        }
        if (!file)
            return textError(Error{file.error(), file.errorCode()});
        if (file->isDirectory) {
            http::HttpResponse moved = http::HttpResponse::text(301, "a directory\n");
            moved.headers.append(
                {QByteArray("Location"),
                 '/' + transfer::encodePath(file->relativePath) + (file->relativePath.isEmpty() ? "" : "/")});
            return moved;
        }
        return relay(request, *file);
    }
    if (path == "/" || path.endsWith('/'))
        return listing(path, true);
    return std::nullopt;
}

http::HttpResponse FileService::relay(const http::HttpRequest &request,
                                      const transfer::ResolvedFile &file)
{
    const QByteArray etag = transfer::makeEtag(file.size, file.mtimeNs);
    const QByteArray ifMatch = request.header("If-Match");
    if (!ifMatch.isNull() && ifMatch.trimmed() != "*" && !ifMatch.contains(etag))
        return http::HttpResponse::text(412, "the file changed: its ETag is now " + etag + '\n');

    const transfer::RangeRequest range = transfer::parseRange(request.header("Range"), file.size);
    http::HttpResponse response;
    switch (range.kind) {
    case transfer::RangeRequest::Kind::Unsatisfiable:
    case transfer::RangeRequest::Kind::Malformed:
    case transfer::RangeRequest::Kind::MultipleRanges: {
        const char *why = range.kind == transfer::RangeRequest::Kind::Unsatisfiable
                              ? "range not satisfiable"
                          : range.kind == transfer::RangeRequest::Kind::Malformed
                              ? "malformed Range header"
                              : "only one range per request is served";
        response = http::HttpResponse::text(
            416, QByteArray(why) + " (file is " + QByteArray::number(file.size) + " bytes)\n");
        response.headers.append(
            {QByteArray("Content-Range"), transfer::unsatisfiedContentRange(file.size)});
        return response;
    }
    case transfer::RangeRequest::Kind::Whole:
    case transfer::RangeRequest::Kind::Partial:
        break;
    }
    const int status = range.kind == transfer::RangeRequest::Kind::Partial ? 206 : 200;
    if (range.length == 0 || request.method == "HEAD") {
        // HEAD reads no byte, so no relay starts; the reader is never called.
        response = http::HttpResponse::streamed(status, range.length,
                                                [](qint64, char *, qint64) { return qint64(-1); });
    } else {
        auto handle = m_relay.open(file.relativePath, etag, range.offset, range.length);
        std::atomic<bool> *stopping = &m_stopping;
        response = http::HttpResponse::streamed(
            status, range.length,
            [handle, stopping](qint64, char *buffer, qint64 max) -> qint64 {
                auto idle = std::chrono::milliseconds(0);
                while (!stopping->load()) {
                    const qint64 n = handle->pipe->read(buffer, max, kRelayPoll);
                    if (n > 0)
                        return n;
                    if (n == 0 || !handle->pipe->failure().isEmpty() || handle->pipe->cancelled())
                        return -1; // ended early or failed: the client sees a short body
                    idle += kRelayPoll;
                    if (idle >= kRelayIdle)
                        return -1;
                }
                return -1;
            },
            1024 * 1024);
    }
    response.contentType = "application/octet-stream";
    response.headers.append({QByteArray("Accept-Ranges"), QByteArray("bytes")});
    response.headers.append({QByteArray("ETag"), etag});
    response.headers.append({QByteArray("Last-Modified"), httpDate(file.mtimeNs)});
    if (status == 206) {
        response.headers.append(
            {QByteArray("Content-Range"),
             transfer::contentRange(range.offset, range.length, file.size)});
    }
    return response;
}

} // namespace starling::mpi
