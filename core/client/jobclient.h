#pragma once

#include "client/masterrequest.h"
#include "image/imageformat.h"
#include "protocol/jobstatusmessage.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace starling::client {

// A job's status as the master reports it (GET /api/v1/jobs/<id>); `raw` is the whole object.
using JobStatus = protocol::JobStatusMessage;

// The master's image-job API over libcurl (one blocking request at a time; `starling job`).
// Every failure is one line, with code "unreachable" (no answer), "unauthorized" (401: no or
// a wrong token), "bad_request" (the master refused the job or its image: a 4xx), "refused"
// (any other error status; the master's message included) or "bad_reply" (an answer that is
// not what the API promises). The token goes in every request and in no message.
class JobClient
{
public:
    static constexpr qint64 kMaxStatusBytes = 16 << 20;

    // `token`: the cluster token (the state file's), sent as Authorization: Bearer.
    JobClient(QUrl master, QByteArray token, int timeoutMs = 30000);

    // POST /api/v1/jobs?<params> with the image file as the body; the job's id.
    Expected<QString> submit(const QByteArray &image,
                             const QList<QPair<QByteArray, QByteArray>> &params);
    Expected<JobStatus> status(const QString &id);
    Expected<QByteArray> result(const QString &id, image::ImageFormat format, qint64 maxBytes);

private:
    using Reply = client::MasterReply;
    Expected<Reply> call(const QByteArray &pathAndQuery, const QByteArray *postBody,
                         qint64 maxBytes);
    Error refusal(const Reply &reply) const;

    QUrl m_master;
    QByteArray m_token;
    int m_timeoutMs;
};

} // namespace starling::client
