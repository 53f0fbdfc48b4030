#include "planrequest.h"

#include "client/masterrequest.h"
#include "transfer/pathrules.h"
#include "util/oneline.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QThread>

#include <algorithm>
#include <optional>

namespace starling::client {

using util::oneLine;

Expected<FileLocation> parseFilesUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString bad = QStringLiteral("bad URL \"%1\": ").arg(oneLine(text));
    const QString code = QStringLiteral("bad_url");
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != u"http" && url.scheme() != u"https"))
        return Error{bad + QStringLiteral("expected http://MASTER/files/PATH"), code};
    const QString path = url.path(QUrl::FullyDecoded);
    if (!path.startsWith(QLatin1String("/files/")))
        return Error{bad + QStringLiteral("the path must start with /files/"), code};
    const QString relative = path.mid(7);
    if (relative.isEmpty() || relative.endsWith(u'/'))
        return Error{bad + QStringLiteral("it names a directory, not a file"), code};
    if (!transfer::isCleanRelativePath(relative))
        return Error{bad + QStringLiteral("the path has empty, \".\" or \"..\" segments"), code};
    FileLocation location;
    location.master.setScheme(url.scheme());
    location.master.setHost(url.host());
    location.master.setPort(url.port());
    location.path = relative;
    return location;
}

Expected<QString> exportRelativePath(const QString &argument, const QString &exportRoot)
{
    const QString code = QStringLiteral("bad_path");
    if (argument.isEmpty())
        return Error{QStringLiteral("empty path"), code};
    if (!QDir::isAbsolutePath(argument)) {
        const QString clean = QDir::cleanPath(argument);
        if (!transfer::isCleanRelativePath(clean))
            return Error{QStringLiteral("%1 is not a file under the export root").arg(argument),
                         code};
        return clean;
    }
    const auto inside = [](const QString &path, const QString &root) -> QString {
        if (path.isEmpty() || root.isEmpty())
            return {};
        const QString prefix = root.endsWith(u'/') ? root : root + u'/';
        return path.startsWith(prefix) ? path.mid(prefix.size()) : QString();
    };
    QString relative = inside(QDir::cleanPath(argument), QDir::cleanPath(exportRoot));
    if (relative.isEmpty()) // maybe through a symbolic link to (or inside) the root
        relative = inside(QFileInfo(argument).canonicalFilePath(),
                          QFileInfo(exportRoot).canonicalFilePath());
    if (!transfer::isCleanRelativePath(relative))
        return Error{QStringLiteral("%1 is not under the cluster's export root %2")
                         .arg(argument, exportRoot),
                     code};
    return relative;
}

namespace {

// One 202 answer: nothing to go on (ask again), or why waiting ends here.
std::optional<Error> awaitHashing(const QByteArray &body, const PlanWait &wait,
                                  const QElapsedTimer &clock)
{
    const auto progress =
        protocol::PlanProgressMessage::fromJson(QJsonDocument::fromJson(body).object());
    if (!progress)
        return Error{
            QStringLiteral("the master sent an invalid progress answer: %1").arg(progress.error()),
            QStringLiteral("bad_plan")};
    if (wait.onProgress && !wait.onProgress(*progress))
        return Error{QStringLiteral("interrupted while the master was hashing %1")
                         .arg(oneLine(progress->path)),
                     QStringLiteral("interrupted")};
    if (clock.elapsed() + wait.pollMs > wait.overallTimeoutMs)
        return Error{QStringLiteral("the master was still hashing %1 after %2 s (%3 of %4 bytes); "
                                    "ask again later")
                         .arg(oneLine(progress->path))
                         .arg(wait.overallTimeoutMs / 1000.0)
                         .arg(progress->doneBytes)
                         .arg(progress->totalBytes),
                     QStringLiteral("plan_timeout")};
    QThread::msleep(ulong(std::max(1, wait.pollMs)));
    return std::nullopt;
}

// The answer that is not a 202: the same request again while the master hashes the file (it
// keys the pass by the file's version, so asking again starts no second pass).
Expected<MasterReply> callUntilHashed(const QUrl &master, const MasterRequest &request,
                                      const PlanWait &wait)
{
    QElapsedTimer clock;
    clock.start();
    auto reply = callMaster(master, request);
    while (reply && reply->status == 202) {
        if (auto stop = awaitHashing(reply->body, wait, clock))
            return std::move(*stop);
        reply = callMaster(master, request);
    }
    return reply;
}

// Why the master said no (status >= 400), as one line and a code the caller acts on.
Error refusal(long status, const QByteArray &bodyBytes, const QJsonDocument &document)
{
    if (status == 401)
        return Error{QStringLiteral("the master wants the cluster token (HTTP 401): use the "
                                    "token in the cluster's state file (--run-dir), --token or "
                                    "STARLING_TOKEN"),
                     QStringLiteral("unauthorized")};
    // 503: no slave can serve yet (a cluster starting or restarting); worth waiting for.
    const QString kind = status == 503 ? QStringLiteral("unavailable") : QStringLiteral("refused");
    const QJsonObject object = document.object();
    const QString message = oneLine(object.value(QLatin1String("error")).toString());
    const QString code = oneLine(object.value(QLatin1String("code")).toString(), 64);
    if (message.isEmpty())
        return Error{
            QStringLiteral("the master refused with HTTP %1%2")
                .arg(status)
                .arg(bodyBytes.isEmpty()
                         ? QString()
                         : QStringLiteral(": ") + oneLine(QString::fromUtf8(bodyBytes.left(200)))),
            kind};
    return Error{QStringLiteral("the master refused: %1%2")
                     .arg(message, code.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(code)),
                 kind};
}

} // namespace

Expected<transfer::TransferPlan> requestPlan(const QUrl &master, const QString &path,
                                             const QString &strategy, int timeoutMs,
                                             qint64 maxBytes, const QByteArray &token,
                                             const PlanWait &wait)
{
    QByteArray target = "/api/v1/plan?path=" + QUrl::toPercentEncoding(path);
    if (!strategy.isEmpty())
        target += "&strategy=" + QUrl::toPercentEncoding(strategy);
    MasterRequest request;
    request.pathAndQuery = target;
    request.timeoutMs = timeoutMs;
    request.maxBytes = maxBytes;
    request.userAgent = "starling-get";
    request.bearerToken = token;
    auto reply = callUntilHashed(master, request, wait);
    if (!reply && reply.errorCode() == u"oversized")
        return Error{QStringLiteral("the master at %1 sent a plan larger than %2 bytes")
                         .arg(master.adjusted(QUrl::RemovePath | QUrl::RemoveQuery).toString())
                         .arg(maxBytes),
                     QStringLiteral("bad_plan")};
    if (!reply)
        return Error{reply.error(), reply.errorCode()};
    const long status = reply->status;
    const QByteArray &bodyBytes = reply->body;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bodyBytes, &parseError);
    if (status >= 400)
        return refusal(status, bodyBytes, document);
    if (status != 200)
        return Error{QStringLiteral("the master answered HTTP %1 instead of a plan").arg(status),
                     QStringLiteral("bad_plan")};
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error{QStringLiteral("the master's plan is not a JSON object"),
                     QStringLiteral("bad_plan")};
    auto plan = transfer::TransferPlan::fromJson(document.object());
    if (!plan)
        return Error{QStringLiteral("the master sent an invalid plan: %1").arg(plan.error()),
                     QStringLiteral("bad_plan")};
    if (plan->path != path)
        return Error{QStringLiteral("the master sent a plan for %1, not %2").arg(plan->path, path),
                     QStringLiteral("bad_plan")};
    return plan;
}

} // namespace starling::client
