#include "jobservice.h"

#include "jobs/jobspec.h"
#include "jobs/jobsubmission.h"
#include "jobs/submittername.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <memory>

namespace starling::mpi {

namespace {

const QByteArray kPrefix = "/api/v1/jobs";
const QByteArray kPrefixSlash = "/api/v1/jobs/";

http::HttpResponse jsonError(int status, const QString &code, const QString &message)
{
    return http::HttpResponse::json(
        status, {{QLatin1String("error"), message}, {QLatin1String("code"), code}});
}

QByteArray contentTypeOf(image::ImageFormat format)
{
    switch (format) {
    case image::ImageFormat::Png:
        return "image/png";
    case image::ImageFormat::Jpeg:
        return "image/jpeg";
    case image::ImageFormat::Pgm:
        return "image/x-portable-graymap";
    case image::ImageFormat::Ppm:
        return "image/x-portable-pixmap";
    }
    return "application/octet-stream";
}

// What a job submission holds from its headers to its end: an upload slot, a queue slot and
// budget bytes (HttpServer::Admission::ticket).
struct UploadTicket
{
    jobs::UploadSlots::Permit permit;
    jobs::JobReservation reservation;
};

// A refusal that passes: 503 when the master is busy, 429 when the submitter holds its share
// (issue 16, fairness: its own jobs must start first, so it is told to wait longer).
http::HttpResponse retryLater(const QString &code, const QString &message)
{
    const bool quota = code == QLatin1String("submitter_quota");
    http::HttpResponse response = jsonError(quota ? 429 : 503, code, message);
    response.headers.append({QByteArray("Retry-After"), QByteArray(quota ? "5" : "1")});
    return response;
}

int statusFor(const QString &code)
{
    if (code == QLatin1String("too_large"))
        return 422;
    if (code == QLatin1String("submitter_quota"))
        return 429;
    if (code == QLatin1String("budget_exceeded") || code == QLatin1String("queue_full"))
        return 503;
    return 400;
}

// A job's submitter when it names none: its client's address, an IPv4 one in its usual form.
QString addressOf(const QHostAddress &peer)
{
    bool v4 = false;
    const quint32 ip = peer.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip).toString() : peer.toString();
}

// The bytes the upload will take: as announced, else (chunked) the most it may be.
qint64 uploadBytesOf(const http::HttpRequest &request, qint64 maxBytes)
{
    bool ok = false;
    const qint64 announced = request.header("Content-Length").toLongLong(&ok);
    if (ok && announced >= 0)
        return std::min(announced, maxBytes);
    return request.body.isEmpty() ? maxBytes : std::min<qint64>(request.body.size(), maxBytes);
}

} // namespace

JobService::JobService(jobs::JobBoard &board, image::DecodeLimits limits, int uploadSlots)
    : m_board(board), m_limits(std::move(limits)), m_uploads(uploadSlots)
{}

http::HttpServer::Admission JobService::admit(const http::HttpRequest &request)
{
    if (request.method != "POST" || (request.path != kPrefix && request.path != kPrefixSlash))
        return {};
    const auto submitter = jobs::SubmitterName::fromQuery(request.query, addressOf(request.peer));
    if (!submitter)
        return {jsonError(400, submitter.errorCode(), submitter.error()), {}};
    auto permit = m_uploads.tryTake();
    if (!permit)
        return {retryLater(QStringLiteral("busy"),
                           QStringLiteral("%1 job uploads are being read already; retry later")
                               .arg(m_uploads.total())),
                {}};
    auto reservation = m_board.reserve(uploadBytesOf(request, m_limits.maxBytes), *submitter);
    if (!reservation)
        return {retryLater(reservation.errorCode(), reservation.error()), {}};
    return {std::nullopt, std::make_shared<UploadTicket>(
                              UploadTicket{std::move(*permit), std::move(reservation).value()})};
}

void JobService::setPolicy(sched::StrategyKind strategy, sched::PddsWeights pdds)
{
    std::lock_guard lock(m_mutex);
    m_strategy = strategy;
    m_pdds = pdds;
}

void JobService::setSubmittedCallback(std::function<void()> callback)
{
    std::lock_guard lock(m_mutex);
    m_submitted = std::move(callback);
}

std::optional<http::HttpResponse> JobService::handle(const http::HttpRequest &request)
{
    const QByteArray &path = request.path;
    if (path != kPrefix && !path.startsWith(kPrefixSlash))
        return std::nullopt;
    const bool isPost = request.method == "POST";
    if (path == kPrefix || path == kPrefixSlash) {
        if (isPost)
            return submit(request);
        return http::HttpResponse::json(200, {{QLatin1String("jobs"), m_board.list()}});
    }
    if (isPost)
        return jsonError(405, QStringLiteral("bad_request"),
                         QStringLiteral("POST goes to /api/v1/jobs"));
    const QList<QByteArray> parts = path.mid(kPrefix.size() + 1).split('/');
    if (parts.size() > 2 || (parts.size() == 2 && parts[1] != "result"))
        return jsonError(404, QStringLiteral("not_found"),
                         QStringLiteral("no such resource: try /api/v1/jobs/<id> or "
                                        "/api/v1/jobs/<id>/result"));
    // Checked before any lookup: an id is "job-" and at most 32 hex digits.
    if (!jobs::JobBoard::isValidId(parts[0]))
        return jsonError(400, QStringLiteral("bad_job_id"),
                         QStringLiteral("not a job id: \"job-\" and up to 32 hex digits"));
    const QString id = QString::fromLatin1(parts[0]);
    if (parts.size() == 2)
        return result(id, request);
    const auto status = m_board.status(id);
    if (!status)
        return jsonError(404, QStringLiteral("unknown_job"), QStringLiteral("no job %1").arg(id));
    return http::HttpResponse::json(200, *status);
}

http::HttpResponse JobService::submit(const http::HttpRequest &request)
{
    sched::StrategyKind strategy;
    sched::PddsWeights pdds;
    {
        std::lock_guard lock(m_mutex);
        strategy = m_strategy;
        pdds = m_pdds;
    }
    // A request that did not pass the server's hook (a direct call) is admitted here.
    auto ticket = std::static_pointer_cast<UploadTicket>(request.admission);
    if (!ticket) {
        http::HttpServer::Admission admitted = admit(request);
        if (admitted.refusal)
            return std::move(*admitted.refusal);
        ticket = std::static_pointer_cast<UploadTicket>(admitted.ticket);
    }
    jobs::JobReservation &reservation = ticket->reservation;
    const jobs::JobSubmission::Budget budget{
        [&reservation](qint64 charge) { return reservation.reserveImage(charge); },
        reservation.budgetCapacity()};
    auto read = jobs::JobSubmission::read(jobs::SubmitterName::withoutSubmitter(request.query),
                                          request.body, strategy, pdds, m_limits, budget);
    if (!read) {
        // The image did not fit the submitter's share rather than the budget.
        const QString code =
            reservation.overQuota() ? QStringLiteral("submitter_quota") : read.errorCode();
        const int status = statusFor(code);
        return status == 503 || status == 429 ? retryLater(code, read.error())
                                              : jsonError(status, code, read.error());
    }
    jobs::JobSubmission submission = std::move(read).value();
    auto id = m_board.submit(ticket->reservation, std::move(submission.spec),
                             std::move(submission.input), QDateTime::currentMSecsSinceEpoch());
    if (!id)
        return retryLater(id.errorCode(), id.error());
    std::function<void()> submitted;
    {
        std::lock_guard lock(m_mutex);
        submitted = m_submitted;
    }
    if (submitted)
        submitted();
    const QString statusUrl = QString::fromLatin1(kPrefixSlash) + *id;
    const QJsonObject answer{
        {QLatin1String("id"), *id},
        {QLatin1String("state"), QStringLiteral("queued")},
        {QLatin1String("status_url"), statusUrl},
        {QLatin1String("result_url"), QString(statusUrl + QStringLiteral("/result"))}};
    return http::HttpResponse::json(202, answer);
}

http::HttpResponse JobService::result(const QString &id, const http::HttpRequest &request)
{
    image::ImageFormat format = image::ImageFormat::Png;
    const QByteArray asked = request.queryValue("format");
    if (!asked.isNull()) {
        const auto parsed = image::formatFromString(QString::fromLatin1(asked));
        if (!parsed)
            return jsonError(400, QStringLiteral("bad_request"),
                             QStringLiteral("unknown format (png, jpeg, pgm or ppm)"));
        format = *parsed;
    }
    auto bytes = m_board.result(id, format);
    if (!bytes) {
        const QString code = bytes.errorCode();
        const int status = code == QLatin1String("unknown_job")     ? 404
                           : code == QLatin1String("encode_failed") ? 500
                                                                    : 409;
        return jsonError(status, code, bytes.error());
    }
    http::HttpResponse response = http::HttpResponse::text(200, std::move(bytes).value());
    response.contentType = contentTypeOf(format);
    return response;
}

} // namespace starling::mpi
