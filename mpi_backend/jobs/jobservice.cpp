#include "jobservice.h"

#include "jobs/jobspec.h"

#include <QDateTime>
#include <QJsonArray>

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

// A job id as the board makes them ("job-<n>"); anything else cannot name a job.
bool plausibleId(const QByteArray &id)
{
    if (!id.startsWith("job-") || id.size() > 24 || id.size() < 5)
        return false;
    for (qsizetype i = 4; i < id.size(); ++i) {
        if (id[i] < '0' || id[i] > '9')
            return false;
    }
    return true;
}

} // namespace

JobService::JobService(jobs::JobBoard &board, image::DecodeLimits limits)
    : m_board(board), m_limits(limits)
{}

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
    if (parts.isEmpty() || !plausibleId(parts[0]) || parts.size() > 2 ||
        (parts.size() == 2 && parts[1] != "result"))
        return jsonError(404, QStringLiteral("not_found"),
                         QStringLiteral("no such resource: try /api/v1/jobs/<id> or "
                                        "/api/v1/jobs/<id>/result"));
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
    auto spec = jobs::JobSpec::fromQuery(request.query, strategy, pdds);
    if (!spec)
        return jsonError(400, spec.errorCode(), spec.error());
    if (request.body.isEmpty())
        return jsonError(400, QStringLiteral("bad_image"),
                         QStringLiteral("the request has no body: POST the image file itself"));
    auto decoded = image::decodeImage(request.body, m_limits);
    if (!decoded)
        return jsonError(decoded.errorCode() == QLatin1String("too_large") ? 413 : 400,
                         decoded.errorCode().isEmpty() ? QStringLiteral("bad_image")
                                                       : decoded.errorCode(),
                         decoded.error());
    auto id = m_board.submit(std::move(spec).value(), std::move(decoded).value(),
                             QDateTime::currentMSecsSinceEpoch());
    if (!id)
        return jsonError(503, id.errorCode(), id.error());
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
