#include "dataserver.h"

#include "transfer/rangeheader.h"
#include "transfer/tokenbucket.h"
#include "transfer/transferplan.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <utility>

namespace starling::http {

namespace {

QByteArray httpDate(std::int64_t mtimeNs)
{
    const qint64 seconds = qint64(mtimeNs / 1000000000 - (mtimeNs % 1000000000 < 0 ? 1 : 0));
    const QDateTime utc = QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::utc());
    return QLocale::c().toString(utc, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

// If-Match (RFC 9110 §13.1.1): "*" or a list of entity tags, compared strongly.
bool ifMatchHolds(QByteArrayView header, const QByteArray &etag)
{
    const QByteArrayView value = trimmed(header);
    if (value == "*")
        return true;
    for (const QByteArray &tag : value.toByteArray().split(',')) {
        if (trimmed(tag) == etag) // a weak tag ("W/...") never equals a strong one
            return true;
    }
    return false;
}

// If-Range (RFC 9110 §13.1.5): an entity tag compared strongly, or the exact Last-Modified.
bool ifRangeHolds(QByteArrayView header, const QByteArray &etag, const QByteArray &lastModified)
{
    const QByteArrayView value = trimmed(header);
    if (value.startsWith('"'))
        return value == etag;
    return value == lastModified;
}

struct BlockTag
{
    QString transferId;
    int block = 0;
    QByteArray signature; // may be empty or wrong: checked before anything is reported
};

bool isTransferIdByte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

// nullopt + ok: untagged; a value: tagged; !ok: a malformed tag.
std::optional<BlockTag> blockTag(const HttpRequest &request, bool &ok)
{
    ok = true;
    const QByteArray t = request.queryValue("t");
    const QByteArray b = request.queryValue("b");
    if (t.isNull() && b.isNull())
        return std::nullopt;
    ok = false;
    if (t.isEmpty() || t.size() > DataServer::kMaxTransferIdBytes || b.isEmpty() || b.size() > 10)
        return std::nullopt;
    for (const char c : t) {
        if (!isTransferIdByte(c))
            return std::nullopt;
    }
    qint64 block = 0;
    for (const char c : b) {
        if (c < '0' || c > '9')
            return std::nullopt;
        block = block * 10 + (c - '0');
    }
    if (block > INT_MAX)
        return std::nullopt;
    ok = true;
    return BlockTag{QString::fromLatin1(t), int(block), request.queryValue("s")};
}

int statusFor(const QString &code)
{
    if (code == u"bad_path")
        return 400;
    if (code == u"not_found")
        return 404;
    return 403; // forbidden, is_directory
}

} // namespace

struct DataServer::Private
{
    transfer::ExportRoot root;
    std::unique_ptr<transfer::TokenBucket> bucket; // null = unpaced
    BlockCallback onBlock;
    transfer::BlockTagSigner signer;
    BearerAuth auth;
    bool requireToken = false;
    std::atomic<qint64> bytesSent{0};
    std::atomic<qint64> requests{0};
    std::atomic<qint64> unverifiedTags{0};
    std::atomic<qint64> unverifiedLoggedAt{0}; // steady ms of the last log line, 0 = never
    // Paced readers sleep on this; stop() sets the flag and wakes them all.
    std::mutex stopMutex;
    std::condition_variable stopChanged;
    bool stopping = false;
    std::unique_ptr<HttpServer> server;

    explicit Private(transfer::ExportRoot exportRoot) : root(std::move(exportRoot)) {}

    HttpResponse handle(const HttpRequest &request);
    HttpResponse serveFile(const HttpRequest &request, const transfer::OpenedFile &opened);
    HttpResponse::StreamReader pacedReader(transfer::SharedFd fd, qint64 offset);
    // Sleeps `wait` unless stop() comes first; false if it did.
    bool sleepUnlessStopped(std::chrono::nanoseconds wait);
    void attachOutcome(HttpResponse &response, const std::optional<BlockTag> &tag, bool isHead);
    // The tag when the master signed it for this path; else nullopt (counted and logged).
    std::optional<BlockTag> verifiedTag(const std::optional<BlockTag> &tag, const QByteArray &path);
};

std::optional<BlockTag> DataServer::Private::verifiedTag(const std::optional<BlockTag> &tag,
                                                         const QByteArray &path)
{
    if (!tag)
        return std::nullopt;
    if (signer.verifies(tag->transferId, tag->block, QString::fromUtf8(path), tag->signature))
        return tag;
    const qint64 count = unverifiedTags.fetch_add(1, std::memory_order_relaxed) + 1;
    // One line per 10 s at most: a flood of forged tags must not flood the log either.
    const qint64 nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
    qint64 last = unverifiedLoggedAt.load(std::memory_order_relaxed);
    if ((last == 0 || nowMs - last >= 10000) &&
        unverifiedLoggedAt.compare_exchange_strong(last, nowMs)) {
        std::fprintf(stderr,
                     "data server: %lld block tag(s) so far without the master's signature; "
                     "served as plain reads, not reported\n",
                     static_cast<long long>(count));
    }
    return std::nullopt;
}

HttpResponse DataServer::Private::handle(const HttpRequest &request)
{
    requests.fetch_add(1, std::memory_order_relaxed);
    const bool isHead = request.method == "HEAD";
    bool tagOk = true;
    const std::optional<BlockTag> tag = blockTag(request, tagOk);
    if (!request.path.startsWith("/files/"))
        return HttpResponse::text(404, "not found: files are served under /files/<path>\n");
    if (requireToken && !auth.admits(request))
        return BearerAuth::unauthorized(request);
    if (!tagOk) {
        return HttpResponse::text(
            400, "bad block tag: use ?t=<transfer id: letters, digits, '-', '_', '.'>"
                 "&b=<block index>\n");
    }
    // "/files/dir/x" -> "/dir/x": the export root checks the rest.
    const Expected<transfer::OpenedFile> opened =
        root.openFile(QByteArrayView(request.path).sliced(6));
    HttpResponse response;
    if (!opened) {
        const QString message = opened.errorCode() == u"is_directory"
                                    ? QStringLiteral("is a directory")
                                    : opened.error();
        response = HttpResponse::text(statusFor(opened.errorCode()), message.toUtf8() + '\n');
    } else {
        response = serveFile(request, *opened);
    }
    attachOutcome(response, verifiedTag(tag, request.path.sliced(7)), isHead);
    return response;
}

HttpResponse DataServer::Private::serveFile(const HttpRequest &request,
                                            const transfer::OpenedFile &opened)
{
    const qint64 size = opened.file.size;
    const QByteArray etag = transfer::makeEtag(size, opened.file.mtimeNs);
    const QByteArray lastModified = httpDate(opened.file.mtimeNs);
    auto withValidators = [&](HttpResponse response) {
        response.headers.append(qMakePair(QByteArray("ETag"), etag));
        response.headers.append(qMakePair(QByteArray("Last-Modified"), lastModified));
        response.headers.append(qMakePair(QByteArray("Accept-Ranges"), QByteArray("bytes")));
        return response;
    };

    const QByteArray ifMatch = request.header("If-Match");
    if (!ifMatch.isNull() && !ifMatchHolds(ifMatch, etag))
        return withValidators(HttpResponse::text(412, "file changed: its ETag is now " + etag +
                                                          ", fetch a new plan\n"));

    QByteArray rangeHeader = request.header("Range");
    const QByteArray ifRange = request.header("If-Range");
    if (!rangeHeader.isNull() && !ifRange.isNull() && !ifRangeHolds(ifRange, etag, lastModified))
        rangeHeader = QByteArray(); // the client's copy is stale: it asked for the whole file

    using Kind = transfer::RangeRequest::Kind;
    const transfer::RangeRequest range = transfer::parseRange(rangeHeader, size);
    QByteArray refusal;
    switch (range.kind) {
    case Kind::Whole:
    case Kind::Partial:
        break;
    case Kind::Unsatisfiable:
        refusal = "range not satisfiable: the file is " + QByteArray::number(size) + " bytes\n";
        break;
    case Kind::Malformed:
        refusal = "malformed Range header: send one range, bytes=first-last, bytes=first- or "
                  "bytes=-suffix\n";
        break;
    case Kind::MultipleRanges:
        refusal = "multiple ranges are not supported: send one range per request\n";
        break;
    }
    if (!refusal.isEmpty()) {
        HttpResponse response = withValidators(HttpResponse::text(416, refusal));
        response.headers.append(
            qMakePair(QByteArray("Content-Range"), transfer::unsatisfiedContentRange(size)));
        return response;
    }
    const int status = range.kind == Kind::Partial ? 206 : 200;
    HttpResponse response =
        bucket ? HttpResponse::streamed(status, range.length, pacedReader(opened.fd, range.offset),
                                        kChunkBytes)
               : HttpResponse::fileRange(status, opened.fd, range.offset, range.length);
    if (range.kind == Kind::Partial) {
        response.headers.append(qMakePair(
            QByteArray("Content-Range"), transfer::contentRange(range.offset, range.length, size)));
    }
    return withValidators(std::move(response));
}

HttpResponse::StreamReader DataServer::Private::pacedReader(transfer::SharedFd fd, qint64 offset)
{
    return [this, fd = std::move(fd), offset](qint64 position, char *buffer, qint64 max) -> qint64 {
        const qint64 want = qMin(max, kChunkBytes);
        if (!sleepUnlessStopped(bucket->reserve(want)))
            return -1;
        ssize_t n;
        do
            n = ::pread(*fd, buffer, size_t(want), off_t(offset + position));
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return -1; // the file shrank under us: end the connection, the client sees it short
        bytesSent.fetch_add(n, std::memory_order_relaxed);
        return qint64(n);
    };
}

bool DataServer::Private::sleepUnlessStopped(std::chrono::nanoseconds wait)
{
    std::unique_lock lock(stopMutex);
    if (wait <= std::chrono::nanoseconds(0))
        return !stopping;
    return !stopChanged.wait_for(lock, wait, [this] { return stopping; });
}

void DataServer::Private::attachOutcome(HttpResponse &response, const std::optional<BlockTag> &tag,
                                        bool isHead)
{
    const bool isFileRange = response.bodyKind == HttpResponse::BodyKind::FileRange;
    const int status = response.status;
    // Only a served read is a block's progress; an error answer is nothing to draw.
    const bool served = status == 200 || status == 206;
    const bool report = tag && !isHead && served && onBlock;
    if (!isFileRange && !report)
        return;
    response.onFinished = [this, isFileRange, report, status,
                           tag](const HttpResponse::Outcome &outcome) {
        if (isFileRange && outcome.complete)
            bytesSent.fetch_add(outcome.bodyBytes, std::memory_order_relaxed);
        if (report) {
            onBlock(BlockServed{tag->transferId, tag->block, outcome.bodyBytes, outcome.complete,
                                status});
        }
    };
}

DataServer::DataServer(transfer::ExportRoot root, HttpServerLimits limits,
                       std::optional<double> linkMBps, BlockCallback onBlock,
                       DataServerAccess access)
    : d(std::make_unique<Private>(std::move(root)))
{
    d->signer = transfer::BlockTagSigner(access.clusterToken);
    d->auth = BearerAuth(access.clusterToken);
    d->requireToken = access.requireToken;
    if (linkMBps && *linkMBps > 0) {
        d->bucket = std::make_unique<transfer::TokenBucket>(*linkMBps * 1e6, 2 * kChunkBytes);
    }
    d->onBlock = std::move(onBlock);
    limits.threadPerConnection = true;
    d->server = std::make_unique<HttpServer>(
        [p = d.get()](const HttpRequest &request) { return p->handle(request); }, limits);
}

DataServer::~DataServer()
{
    stop();
}

void DataServer::setTls(TlsPem pem)
{
    d->server->setTls(std::move(pem));
}

Expected<quint16> DataServer::listen(const QHostAddress &address, quint16 port)
{
    if (d->requireToken && !d->auth.hasToken())
        return Error{QStringLiteral("a file token is required but no cluster token is set")};
    if (!d->server->isListening()) {
        std::lock_guard lock(d->stopMutex);
        d->stopping = false;
        // No reader runs while stopped: a fresh bucket drops the reservations of the readers
        // stop() aborted, which would otherwise delay the first clients of the restart.
        if (d->bucket)
            d->bucket = std::make_unique<transfer::TokenBucket>(d->bucket->bytesPerSecond(),
                                                                d->bucket->burstBytes());
    }
    return d->server->listen(address, port);
}

void DataServer::stop()
{
    {
        std::lock_guard lock(d->stopMutex);
        d->stopping = true;
    }
    d->stopChanged.notify_all();
    d->server->stop();
}

bool DataServer::isListening() const
{
    return d->server->isListening();
}

quint16 DataServer::port() const
{
    return d->server->port();
}

bool DataServer::isPaced() const
{
    return d->bucket != nullptr;
}

const transfer::ExportRoot &DataServer::root() const
{
    return d->root;
}

qint64 DataServer::bytesSent() const
{
    return d->bytesSent.load(std::memory_order_relaxed);
}

qint64 DataServer::unverifiedTags() const
{
    return d->unverifiedTags.load(std::memory_order_relaxed);
}

qint64 DataServer::requests() const
{
    return d->requests.load(std::memory_order_relaxed);
}

unsigned DataServer::openConnections() const
{
    return d->server->currentConnections();
}

} // namespace starling::http
