#include "sourcepool.h"

#include <QStringList>

#include <algorithm>
#include <limits>

namespace starling::client {

namespace {
constexpr double kDefaultRateBps = 100e6; // for sources nothing is known about yet
}

SourcePool::SourcePool(const transfer::TransferPlan &plan, const transfer::BlockRecord &record)
    : m_sources(plan.sources.size()) // built in place: a source only moves
{
    for (size_t i = 0; i < plan.sources.size(); ++i)
        m_sources[i].plan = plan.sources[i];
    for (const transfer::PlanBlock &block : plan.blocks) {
        if (!record.verified[size_t(block.index)])
            m_sources[size_t(block.source)].queue.push_back(block.index);
    }
}

bool SourcePool::anyQueued() const
{
    return std::any_of(m_sources.begin(), m_sources.end(),
                       [](const DownloadSource &s) { return !s.abandoned && !s.queue.empty(); });
}

qint64 SourcePool::totalReceived() const
{
    qint64 sum = 0;
    for (const DownloadSource &s : m_sources)
        sum += s.received;
    return sum;
}

QString SourcePool::abandonReasons() const
{
    QStringList reasons;
    for (const DownloadSource &s : m_sources) {
        if (s.abandoned)
            reasons << s.plan.name + QStringLiteral(": ") + s.reason;
    }
    return reasons.join(QStringLiteral("; "));
}

double SourcePool::estimatedRate(const DownloadSource &source, std::int64_t nowMs) const
{
    if (const auto measured = source.measuredRate(nowMs))
        return *measured;
    if (source.plan.linkMBps > 0)
        return source.plan.linkMBps * 1e6;
    return kDefaultRateBps;
}

void SourcePool::reassign(const std::vector<int> &blocks, const transfer::TransferPlan &plan,
                          std::int64_t nowMs)
{
    std::vector<size_t> candidates;
    std::vector<double> pendingBytes;
    for (size_t i = 0; i < m_sources.size(); ++i) {
        if (m_sources[i].abandoned)
            continue;
        candidates.push_back(i);
        pendingBytes.push_back(m_sources[i].pendingBytes(plan));
    }
    if (candidates.empty()) {
        m_unassigned.insert(m_unassigned.end(), blocks.begin(), blocks.end());
        return;
    }
    for (const int b : blocks) {
        const double length = double(plan.blocks[size_t(b)].length);
        size_t best = 0;
        double bestFinish = std::numeric_limits<double>::infinity();
        for (size_t k = 0; k < candidates.size(); ++k) {
            const double finish =
                (pendingBytes[k] + length) / estimatedRate(m_sources[candidates[k]], nowMs);
            if (finish < bestFinish) {
                bestFinish = finish;
                best = k;
            }
        }
        m_sources[candidates[best]].queue.push_back(b);
        pendingBytes[best] += length;
        ++m_reassignments;
    }
}

// A source is only "too slow" if the client is not the bottleneck: some other source must
// reach at least twice the threshold share of its own planned rate.
bool SourcePool::anotherSourceKeepsUp(int index, std::int64_t nowMs, double slowFraction) const
{
    const double slowPlanned = m_sources[size_t(index)].plan.linkMBps * 1e6;
    for (size_t k = 0; k < m_sources.size(); ++k) {
        const DownloadSource &other = m_sources[k];
        const auto rate = other.measuredRate(nowMs);
        if (int(k) == index || other.abandoned || !rate)
            continue;
        const double planned = other.plan.linkMBps > 0 ? other.plan.linkMBps * 1e6 : slowPlanned;
        if (*rate >= 2 * slowFraction * planned)
            return true;
    }
    return false;
}

std::optional<QString> SourcePool::trouble(int index, std::int64_t nowMs,
                                           const DownloadOptions &options)
{
    DownloadSource &s = m_sources[size_t(index)];
    s.display.add(nowMs, s.received, kRateWindowMs);
    // "Too slow" counts busy time only: an idle source is waiting for the client, not slow.
    if (s.abandoned || s.inFlight() == 0) {
        s.slowWindow.clear();
        return std::nullopt;
    }
    for (const auto &c : s.connections) {
        if (c->busy() && nowMs - c->lastActivityMs() > options.stallTimeoutMs)
            return QStringLiteral("stalled (no data for %1 s)")
                .arg(options.stallTimeoutMs / 1000.0);
    }
    if (s.plan.linkMBps <= 0)
        return std::nullopt;
    s.slowWindow.add(nowMs, s.received, options.slowWindowMs);
    if (s.slowWindow.spanMs(nowMs) < options.slowWindowMs)
        return std::nullopt;
    const double rate = s.slowWindow.rate(nowMs, s.received);
    if (rate < options.slowFraction * s.plan.linkMBps * 1e6 &&
        anotherSourceKeepsUp(index, nowMs, options.slowFraction))
        return QStringLiteral("too slow (%1 MB/s over %2 s, planned %3 MB/s)")
            .arg(rate / 1e6, 0, 'f', 2)
            .arg(options.slowWindowMs / 1000.0)
            .arg(s.plan.linkMBps);
    return std::nullopt;
}

} // namespace starling::client
