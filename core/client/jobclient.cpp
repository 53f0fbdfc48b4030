#include "jobclient.h"

#include "client/masterrequest.h"
#include "util/oneline.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace starling::client {

using util::oneLine;

namespace {

Error badReply(const QString &message)
{
    return Error{message, QStringLiteral("bad_reply")};
}

} // namespace

JobClient::JobClient(QUrl master, QByteArray token, int timeoutMs)
    : m_master(std::move(master)), m_token(std::move(token)), m_timeoutMs(timeoutMs)
{
    m_master.setPath(QString());
    m_master.setQuery(QString());
    m_master.setFragment(QString());
}

Expected<JobClient::Reply> JobClient::call(const QByteArray &pathAndQuery,
                                           const QByteArray *postBody, qint64 maxBytes)
{
    client::MasterRequest request;
    request.pathAndQuery = pathAndQuery;
    request.postBody = postBody;
    request.timeoutMs = m_timeoutMs;
    request.maxBytes = maxBytes;
    request.userAgent = "starling-job";
    request.bearerToken = m_token;
    auto reply = client::callMaster(m_master, request);
    if (!reply && reply.errorCode() == u"oversized")
        return badReply(
            QStringLiteral("the master's answer is larger than %1 bytes").arg(maxBytes));
    if (!reply)
        return Error{reply.error(), reply.errorCode()};
    return std::move(*reply);
}

Error JobClient::refusal(const Reply &reply) const
{
    if (reply.status == 401)
        return Error{QStringLiteral("the master refused the token (HTTP 401): use the token in "
                                    "the cluster's state file (--run-dir), --token or "
                                    "STARLING_TOKEN"),
                     QStringLiteral("unauthorized")};
    const QJsonObject object = QJsonDocument::fromJson(reply.body).object();
    QString message = oneLine(object.value(u"error").toString(), 500);
    if (message.isEmpty())
        message = reply.body.isEmpty() ? QStringLiteral("HTTP %1").arg(reply.status)
                                       : QStringLiteral("HTTP %1: %2")
                                             .arg(reply.status)
                                             .arg(oneLine(QString::fromUtf8(reply.body.left(300))));
    // 429 (the submitter's share is held) passes as a 503 does: not the request's fault.
    const bool theRequest = reply.status >= 400 && reply.status < 500 && reply.status != 404 &&
                            reply.status != 409 && reply.status != 429;
    return Error{QStringLiteral("the master refused: %1").arg(message),
                 theRequest ? QStringLiteral("bad_request") : QStringLiteral("refused")};
}

Expected<QString> JobClient::submit(const QByteArray &image,
                                    const QList<QPair<QByteArray, QByteArray>> &params)
{
    QByteArray target = "/api/v1/jobs";
    for (qsizetype i = 0; i < params.size(); ++i)
        target += (i ? '&' : '?') + QUrl::toPercentEncoding(QString::fromUtf8(params[i].first)) +
                  '=' + QUrl::toPercentEncoding(QString::fromUtf8(params[i].second));
    auto reply = call(target, &image, kMaxStatusBytes);
    if (!reply)
        return Error{reply.error(), reply.errorCode()};
    if (reply->status != 202)
        return refusal(*reply);
    const QJsonObject o = QJsonDocument::fromJson(reply->body).object();
    const QString id = o.value(u"id").toString();
    if (id.isEmpty() || id.size() > 64)
        return badReply(QStringLiteral("the master accepted the job but sent no job id"));
    return id;
}

Expected<JobStatus> JobClient::status(const QString &id)
{
    auto reply = call("/api/v1/jobs/" + QUrl::toPercentEncoding(id), nullptr, kMaxStatusBytes);
    if (!reply)
        return Error{reply.error(), reply.errorCode()};
    if (reply->status != 200)
        return refusal(*reply);
    QJsonParseError parse;
    const QJsonDocument document = QJsonDocument::fromJson(reply->body, &parse);
    if (parse.error != QJsonParseError::NoError || !document.isObject())
        return badReply(QStringLiteral("the master's job status is not a JSON object"));
    auto status = JobStatus::fromJson(document.object());
    if (status && status->id != id)
        return badReply(QStringLiteral("asked for %1, the master answered for %2")
                            .arg(id, oneLine(status->id, 64)));
    return status;
}

Expected<QByteArray> JobClient::result(const QString &id, image::ImageFormat format,
                                       qint64 maxBytes)
{
    auto reply = call("/api/v1/jobs/" + QUrl::toPercentEncoding(id) +
                          "/result?format=" + image::toString(format).toLatin1(),
                      nullptr, maxBytes);
    if (!reply)
        return Error{reply.error(), reply.errorCode()};
    if (reply->status != 200)
        return refusal(*reply);
    return reply->body;
}

} // namespace starling::client
