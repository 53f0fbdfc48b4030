#pragma once

#include "protocol/planprogressmessage.h"
#include "transfer/transferplan.h"
#include "util/expected.h"

#include <QString>
#include <QUrl>

#include <functional>

namespace starling::client {

// Where a file a user asked for lives: the master that plans its transfer and its path
// relative to the export root.
struct FileLocation
{
    QUrl master; // scheme, host and port only
    QString path;
};

// `http(s)://MASTER/files/<percent-encoded path>` (what the master's listing links to). Query
// and fragment are ignored; a path that is empty, names a directory (trailing '/') or has
// "." or ".." segments is refused. Error code "bad_url".
Expected<FileLocation> parseFilesUrl(const QString &url);

// A path the user typed for a file of the cluster: relative to the export root, or absolute
// and inside it (symbolic links resolved when the plain text is not). Refuses paths that leave
// the root. Error code "bad_path".
Expected<QString> exportRelativePath(const QString &argument, const QString &exportRoot);

// GET <master>/api/v1/plan?path=<path>[&strategy=<strategy>] and validates the answer with
// TransferPlan::fromJson. Error codes: "unreachable" (no answer: connection refused, timeout),
// "unauthorized" (401: the master wants the cluster token, or another one), "refused" (the
// master answered 4xx/5xx; its JSON `error` is the message), "bad_plan" (the answer is not a
// valid plan, or longer than maxBytes). Messages are one line. `token`, when not empty, goes
// as Authorization: Bearer (a master with require_file_token needs it).
//
// While the master is still hashing the file it answers 202 with a
// protocol::PlanProgressMessage; the request is
// then repeated every pollMs, onProgress told each time, until the plan comes. Error codes then
// also: "plan_timeout" (still hashing after overallTimeoutMs), "interrupted" (onProgress said
// stop).
struct PlanWait
{
    int overallTimeoutMs = 3600 * 1000; // an hour: a 30 GiB file at a slow disk's 50 MB/s is 10 min
    int pollMs = 500;
    std::function<bool(const protocol::PlanProgressMessage &)> onProgress; // false: stop waiting
};
constexpr qint64 kMaxPlanBytes = 256 * 1024 * 1024; // 2^20 blocks of ~200 bytes of JSON
Expected<transfer::TransferPlan> requestPlan(const QUrl &master, const QString &path,
                                             const QString &strategy, int timeoutMs = 15000,
                                             qint64 maxBytes = kMaxPlanBytes,
                                             const QByteArray &token = {},
                                             const PlanWait &wait = {});

} // namespace starling::client
