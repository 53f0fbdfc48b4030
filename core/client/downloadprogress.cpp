#include "downloadprogress.h"

#include <QJsonArray>

#include <cmath>

namespace starling::client {

namespace {

QLatin1String key(const char *name)
{
    return QLatin1String(name);
}

// Rounded so JSON lines stay short and stable to read (dividing by a power of ten gives the
// nearest double to the decimal, which prints without noise digits).
double rounded(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

double megabytes(double bytesPerSecond)
{
    return rounded(bytesPerSecond / 1e6, 2);
}

QJsonArray sourceArray(const std::vector<SourceProgress> &sources, bool final)
{
    QJsonArray array;
    for (const SourceProgress &s : sources) {
        QJsonObject object{{key("name"), s.name},
                           {key("state"), toString(s.status)},
                           {key("bytes"), final ? s.bytesVerified : s.bytesReceived},
                           {key("blocks"), s.blocksVerified}};
        if (final) {
            object.insert(key("url"), s.url.toString());
            object.insert(key("bytes_received"), s.bytesReceived);
        } else {
            object.insert(key("rate_MBps"), megabytes(s.rateBps));
            object.insert(key("in_flight"), s.inFlight);
            object.insert(key("queued"), s.queued);
        }
        if (!s.reason.isEmpty())
            object.insert(key("reason"), s.reason);
        array.append(object);
    }
    return array;
}

} // namespace

QString toString(SourceStatus status)
{
    switch (status) {
    case SourceStatus::Active:
        return QStringLiteral("active");
    case SourceStatus::Idle:
        return QStringLiteral("idle");
    case SourceStatus::Abandoned:
        return QStringLiteral("abandoned");
    }
    return {};
}

QJsonObject DownloadProgress::toJson() const
{
    return {{key("type"), QStringLiteral("progress")},
            {key("bytes_done"), doneBytes},
            {key("bytes_total"), totalBytes},
            {key("bytes_resumed"), resumedBytes},
            {key("blocks_done"), blocksDone},
            {key("blocks_total"), blocksTotal},
            {key("elapsed_s"), rounded(elapsedS, 3)},
            {key("rate_MBps"), megabytes(rateBps)},
            {key("eta_s"), etaS < 0 ? QJsonValue() : QJsonValue(rounded(etaS, 1))},
            {key("reassignments"), reassignments},
            {key("sources"), sourceArray(sources, false)}};
}

double DownloadSummary::averageBps() const
{
    const double fetched = double(progress.totalBytes - progress.resumedBytes);
    return progress.elapsedS > 0 ? fetched / progress.elapsedS : 0;
}

QJsonObject DownloadSummary::toJson() const
{
    return {{key("type"), QStringLiteral("summary")},
            {key("ok"), true},
            {key("output"), outputPath},
            {key("bytes"), progress.totalBytes},
            {key("bytes_resumed"), progress.resumedBytes},
            {key("blocks"), progress.blocksTotal},
            {key("seconds"), rounded(progress.elapsedS, 3)},
            {key("MBps"), megabytes(averageBps())},
            {key("reassignments"), progress.reassignments},
            {key("sha256"), QString::fromLatin1(sha256)},
            {key("sources"), sourceArray(progress.sources, true)}};
}

} // namespace starling::client
