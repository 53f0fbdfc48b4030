#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <vector>

namespace starling::client {

enum class SourceStatus
{
    Active,   // fetching, or ready to fetch
    Idle,     // nothing left for it
    Abandoned // failed, stalled or far too slow; not used again in this download
};

QString toString(SourceStatus status); // "active", "idle", "abandoned"

// One source (slave) of a running download.
struct SourceProgress
{
    QString name;
    QUrl url;
    SourceStatus status = SourceStatus::Active;
    QString reason;           // why it was abandoned
    qint64 bytesReceived = 0; // everything it sent, including bytes later thrown away
    qint64 bytesVerified = 0; // bytes of blocks it delivered that matched their hash
    int blocksVerified = 0;
    int inFlight = 0;   // blocks being fetched now
    int queued = 0;     // blocks still waiting for it
    double rateBps = 0; // over the last few seconds
};

// A snapshot of a download, for progress bars and JSON lines.
struct DownloadProgress
{
    qint64 totalBytes = 0;
    qint64 doneBytes = 0;    // verified bytes plus bytes of blocks in flight
    qint64 resumedBytes = 0; // verified by an earlier run and re-checked, not fetched again
    int blocksTotal = 0;
    int blocksDone = 0;
    int reassignments = 0; // blocks moved from one source to another
    double elapsedS = 0;
    double rateBps = 0; // all sources, over the last few seconds
    double etaS = -1;   // -1 = unknown (nothing received recently)
    std::vector<SourceProgress> sources;

    // {"type":"progress", "bytes_done", "bytes_total", ..., "sources":[...]}.
    QJsonObject toJson() const;
};

// What a finished download reports.
struct DownloadSummary
{
    QString outputPath;
    QByteArray sha256; // the plan's whole-file hash, which every verified block is part of
    DownloadProgress progress;

    // Bytes fetched in this run over its duration (resumed bytes are not counted).
    double averageBps() const;
    // {"type":"summary", "ok":true, "output", "bytes", "seconds", "MBps", "sources", ...}.
    QJsonObject toJson() const;
};

} // namespace starling::client
