#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QUrl>

namespace starling::client {

// One small blocking request to the master's HTTP API (a plan, a job's status or result).
struct MasterRequest
{
    QByteArray pathAndQuery;              // "/api/v1/plan?path=..."
    const QByteArray *postBody = nullptr; // POST it as application/octet-stream when set
    int timeoutMs = 10000;
    qint64 maxBytes = 1 << 20; // a longer answer is refused, not buffered
    const char *userAgent = "starling";
    QByteArray bearerToken = {}; // sent as Authorization: Bearer when not empty; never in an error
};

struct MasterReply
{
    long status = 0;
    QByteArray body;
};

// Performs `request` against the scheme, host and port of `master` with libcurl (no proxy:
// the master is the cluster's own endpoint). Any HTTP status is a reply; the errors are
// "unreachable" ("cannot reach the master at URL: why") and "oversized" (the answer is longer
// than request.maxBytes).
Expected<MasterReply> callMaster(const QUrl &master, const MasterRequest &request);

} // namespace starling::client
