#pragma once

#include "client/downloadprogress.h"

#include <QString>

#include <functional>
#include <optional>

namespace starling::client {

// How ParallelDownload runs (paralleldownload.h).
struct DownloadOptions
{
    QString outputPath;           // the final file; work goes to <out>.starling-part
    int connectionsPerSource = 2; // 1..kMaxConnections
    int stallTimeoutMs = 2000;    // a connection silent this long is abandoned
    bool resume = false;          // continue from <out>.starling-part.json when it fits
    int verifyThreads = 1;        // threads hashing received blocks (1..kMaxConnections)
    int progressIntervalMs = 200; // how often onProgress is called (and once at the end)
    int recordIntervalMs = 250;   // the resume record is saved at most this often
    double slowFraction = 0.25;   // a source below this share of its planned rate...
    int slowWindowMs = 3000;      // ...over this long is abandoned
    std::function<void(const DownloadProgress &)> onProgress;
    std::function<void(const QString &)> onWarning; // one line each
    QByteArray bearerToken = {}; // the cluster token, for data servers that require it; never shown

    static constexpr int kMaxConnections = 16;

    // Why these options cannot run a download (one line), or nothing.
    std::optional<QString> problem() const;
};

} // namespace starling::client
