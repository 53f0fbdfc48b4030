#include "fileservice.h"

#include "protocol/planprogressmessage.h"
#include "protocol/transferevents.h"
#include "transfer/listingrenderer.h"
#include "transfer/metalinkwriter.h"
#include "transfer/rangeheader.h"
#include "transfer/transferplan.h"
#include "transfer/transferplanner.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>
#include <chrono>
#include <variant>

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
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(mtimeNs / 1000000, QTimeZone::utc());
    return QLocale::c()
        .toString(time, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
        .toLatin1();
}

} // namespace

FileService::FileService(transfer::ExportRoot root, RelayService &relay,
                         transfer::BlockTagSigner signer, transfer::PieceHashCacheLimits hashLimits,
                         int planHashWaitMs)
    : m_root(std::move(root)), m_relay(relay), m_signer(std::move(signer)), m_hashes(hashLimits),
      m_planHashWaitMs(planHashWaitMs)
{}

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
                {QByteArray("Location"), '/' + transfer::encodePath(file->relativePath) +
                                             (file->relativePath.isEmpty() ? "" : "/")});
            return moved;
        }
        return relay(request, *file);
    }
    if (path == "/" || path.endsWith('/'))
        return listing(path, true);
    return std::nullopt;
}

namespace {

// The answer to a Range header this server does not serve, or nullopt for a whole file or one
// range.
std::optional<http::HttpResponse> refusedRange(const transfer::RangeRequest &range, qint64 size)
{
    using Kind = transfer::RangeRequest::Kind;
    if (range.kind == Kind::Whole || range.kind == Kind::Partial)
        return std::nullopt;
    const char *why = range.kind == Kind::Unsatisfiable ? "range not satisfiable"
                      : range.kind == Kind::Malformed   ? "malformed Range header"
                                                        : "only one range per request is served";
    http::HttpResponse response = http::HttpResponse::text(
        416, QByteArray(why) + " (file is " + QByteArray::number(size) + " bytes)\n");
    response.headers.append({QByteArray("Content-Range"), transfer::unsatisfiedContentRange(size)});
    return response;
}

} // namespace

// A body read from the relay's pipe as the slaves' chunks arrive; it ends short when the relay
// fails, is cancelled, stalls for kRelayIdle, or the service stops.
http::HttpResponse FileService::relayedBody(int status, const transfer::ResolvedFile &file,
                                            const QByteArray &etag,
                                            const transfer::RangeRequest &range)
{
    auto handle = m_relay.open(file.relativePath, etag, range.offset, range.length);
    if (!handle) {
        http::HttpResponse busy = jsonError(
            503, QStringLiteral("relay_busy"),
            QStringLiteral("the relay's memory budget is in use; retry later, or fetch the "
                           "blocks from the slaves (starling get)"));
        busy.headers.append({QByteArray("Retry-After"), QByteArray("5")});
        return busy;
    }
    std::atomic<bool> *stopping = &m_stopping;
    return http::HttpResponse::streamed(
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
        // Small reads: the server's minimum-rate floor sees a slow client's progress in steps
        // this fine (a 1 MiB step could hide 30 s of an honest 20 KiB/s reader).
        64 * 1024);
}

void FileService::applyConnectionLimits(http::HttpServerLimits &limits) const
{
    const RelayService::Settings &settings = m_relay.settings();
    limits.connectionsPerAddress = settings.connectionsPerAddress;
    limits.minStreamBytesPerS = settings.minRateBytesPerS;
    limits.minStreamWindowS = settings.minRateWindowS;
}

http::HttpResponse FileService::relay(const http::HttpRequest &request,
                                      const transfer::ResolvedFile &file)
{
    const QByteArray etag = transfer::makeEtag(file.size, file.mtimeNs);
    const QByteArray ifMatch = request.header("If-Match");
    if (!ifMatch.isNull() && ifMatch.trimmed() != "*" && !ifMatch.contains(etag))
        return http::HttpResponse::text(412, "the file changed: its ETag is now " + etag + '\n');

    const transfer::RangeRequest range = transfer::parseRange(request.header("Range"), file.size);
    if (auto refused = refusedRange(range, file.size))
        return std::move(*refused);
    http::HttpResponse response;
    const int status = range.kind == transfer::RangeRequest::Kind::Partial ? 206 : 200;
    if (range.length == 0 || request.method == "HEAD") {
        // HEAD reads no byte, so no relay starts; the reader is never called.
        response = http::HttpResponse::streamed(status, range.length,
                                                [](qint64, char *, qint64) { return qint64(-1); });
    } else {
        response = relayedBody(status, file, etag, range);
    }
    response.contentType = "application/octet-stream";
    response.headers.append({QByteArray("Accept-Ranges"), QByteArray("bytes")});
    response.headers.append({QByteArray("ETag"), etag});
    response.headers.append({QByteArray("Last-Modified"), httpDate(file.mtimeNs)});
    if (status == 206) {
        response.headers.append({QByteArray("Content-Range"),
                                 transfer::contentRange(range.offset, range.length, file.size)});
    }
    return response;
}

Expected<transfer::TransferPlan> FileService::makePlan(const transfer::ResolvedFile &file,
                                                       std::optional<sched::StrategyKind> strategy)
{
    auto digest = m_hashes.digest(file.absolutePath, transfer::pieceSizeFor(file.size));
    if (!digest)
        return Error{digest.error(), digest.errorCode()};
    return makePlan(file, strategy, std::move(digest).value());
}

Expected<transfer::TransferPlan> FileService::makePlan(const transfer::ResolvedFile &file,
                                                       std::optional<sched::StrategyKind> strategy,
                                                       transfer::FileDigest digest)
{
    transfer::PlanRequest request;
    request.transferId = QStringLiteral("t%1-%2")
                             .arg(QDateTime::currentMSecsSinceEpoch(), 0, 36)
                             .arg(m_nextTransfer.fetch_add(1));
    request.path = file.relativePath;
    request.digest = std::move(digest);
    {
        std::lock_guard lock(m_mutex);
        request.strategy = strategy.value_or(m_policy.strategy);
        request.pdds = m_policy.pdds;
        for (const Slave &slave : m_slaves) {
            request.candidates.push_back({slave.rank, slave.name, slave.dataUrl, slave.state,
                                          slave.weight, slave.loadRank, slave.linkMBps,
                                          slave.unitComputeS});
        }
    }
    auto made = transfer::planTransfer(request);
    if (!made)
        return made;
    transfer::TransferPlan plan = std::move(made).value();
    for (transfer::PlanBlock &block : plan.blocks)
        block.tag = m_signer.sign(plan.transferId, block.index, plan.path);
    return plan;
}

http::HttpResponse FileService::plan(const http::HttpRequest &request)
{
    const QByteArray path = request.queryValue("path");
    if (path.isEmpty())
        return jsonError(400, QStringLiteral("bad_request"),
                         QStringLiteral("give the file as ?path=<path under the export root>"));
    std::optional<sched::StrategyKind> strategy;
    if (const QByteArray name = request.queryValue("strategy"); !name.isNull()) {
        strategy = sched::strategyKindFromString(QString::fromUtf8(name));
        if (!strategy)
            return jsonError(400, QStringLiteral("bad_request"),
                             QStringLiteral("unknown strategy \"%1\": use equal, cpu, bw, pdds, "
                                            "optimal or dynamic")
                                 .arg(QString::fromUtf8(name.left(32))));
    }
    const auto file = m_root.resolve(QByteArray('/' + path));
    if (!file)
        return jsonError(statusFor(file.errorCode()), file.errorCode(), file.error());
    if (file->isDirectory)
        return jsonError(
            400, QStringLiteral("is_directory"),
            QStringLiteral("%1 is a directory; plans are for files").arg(file->relativePath));
    // A huge file takes longer to hash than a client waits for one answer: the hashes are
    // computed in the background and the client is told how far they are until they are ready.
    auto digest = m_hashes.digestOrProgress(file->absolutePath, transfer::pieceSizeFor(file->size),
                                            m_planHashWaitMs);
    if (const auto *progress = std::get_if<transfer::HashProgress>(&digest)) {
        protocol::PlanProgressMessage body;
        body.state = progress->queued ? protocol::PlanProgressMessage::State::Queued
                                      : protocol::PlanProgressMessage::State::Hashing;
        body.path = file->relativePath;
        body.doneBytes = std::min(progress->doneBytes, progress->totalBytes);
        body.totalBytes = progress->totalBytes;
        http::HttpResponse accepted = http::HttpResponse::json(202, body.toJson());
        accepted.headers.append({QByteArray("Retry-After"), QByteArray("1")});
        return accepted;
    }
    auto &hashed = std::get<Expected<transfer::FileDigest>>(digest);
    auto made = hashed
                    ? makePlan(*file, strategy, std::move(hashed).value())
                    : Expected<transfer::TransferPlan>(Error{hashed.error(), hashed.errorCode()});
    if (!made) {
        const QString code = made.errorCode() == QLatin1String("no_source")
                                 ? QStringLiteral("no_slaves")
                                 : made.errorCode();
        return jsonError(statusFor(code), code, made.error());
    }
    emitPlanned(*made);
    return http::HttpResponse::json(200, made->toJson());
}

void FileService::emitPlanned(const transfer::TransferPlan &plan)
{
    protocol::TransferPlannedEvent planned;
    planned.timeMs = QDateTime::currentMSecsSinceEpoch();
    planned.transferId = plan.transferId;
    planned.path = plan.path;
    planned.size = plan.size;
    planned.pieceSize = plan.pieceSize;
    planned.blocks = qint64(plan.blocks.size());
    planned.strategy = plan.strategy;
    // The block map for the console: runs of consecutive blocks on one slave.
    for (size_t i = 0; i < plan.blocks.size();) {
        size_t j = i;
        while (j < plan.blocks.size() && plan.blocks[j].source == plan.blocks[i].source)
            ++j;
        planned.runs.push_back(
            {plan.sources[size_t(plan.blocks[i].source)].name, qint64(i), qint64(j - i)});
        i = j;
    }
    emitEvent(planned.toJson());
}

http::HttpResponse FileService::listing(const QByteArray &directory, bool html)
{
    if (!html) {
        const auto files = m_root.listRecursive(kMaxListing);
        if (!files)
            return jsonError(statusFor(files.errorCode()), files.errorCode(), files.error());
        return http::HttpResponse::json(200, transfer::renderListingJson(*files));
    }
    const auto entries = m_root.list(directory, kMaxListing);
    if (!entries)
        return textError(Error{entries.error(), entries.errorCode()});
    // The directory as resolve() names it: no leading or trailing '/'.
    QString shown = QString::fromUtf8(directory);
    while (shown.startsWith(u'/'))
        shown.remove(0, 1);
    while (shown.endsWith(u'/'))
        shown.chop(1);
    http::HttpResponse response =
        http::HttpResponse::text(200, transfer::renderListingHtml(shown, *entries));
    response.contentType = "text/html; charset=utf-8";
    return response;
}

http::HttpResponse FileService::metalink(const transfer::ResolvedFile &file, const QByteArray &)
{
    auto made = makePlan(file, sched::StrategyKind::Bandwidth);
    if (!made)
        return textError(Error{made.error(), made.errorCode() == QLatin1String("no_source")
                                                 ? QStringLiteral("no_slaves")
                                                 : made.errorCode()});
    const auto document = transfer::writeMetalink(*made);
    if (!document)
        return textError(Error{document.error(), QStringLiteral("forbidden")});
    http::HttpResponse response = http::HttpResponse::text(200, *document);
    response.contentType = "application/metalink4+xml";
    return response;
}

} // namespace starling::mpi
