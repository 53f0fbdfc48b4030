#include "downloadsource.h"

#include <algorithm>

namespace starling::client {

namespace {

constexpr std::int64_t kSampleEveryMs = 100;
constexpr std::int64_t kMinBusyMsForRate = 200; // a shorter measurement says little

} // namespace

void RateWindow::add(std::int64_t nowMs, qint64 bytes, std::int64_t windowMs)
{
    if (m_samples.empty() || nowMs - m_samples.back().first >= kSampleEveryMs)
        m_samples.emplace_back(nowMs, bytes);
    while (m_samples.size() >= 2 && nowMs - m_samples[1].first >= windowMs)
        m_samples.pop_front();
}

double RateWindow::rate(std::int64_t nowMs, qint64 nowBytes) const
{
    if (m_samples.empty() || nowMs <= m_samples.front().first)
        return 0;
    return double(nowBytes - m_samples.front().second) * 1000.0 /
           double(nowMs - m_samples.front().first);
}

std::int64_t RateWindow::spanMs(std::int64_t nowMs) const
{
    return m_samples.empty() ? 0 : nowMs - m_samples.front().first;
}

int DownloadSource::inFlight() const
{
    return int(std::count_if(connections.begin(), connections.end(),
                             [](const auto &c) { return c->busy(); }));
}

void DownloadSource::updateBusy(std::int64_t nowMs)
{
    const bool busy = inFlight() > 0;
    if (busy && busySince < 0) {
        busySince = nowMs;
    } else if (!busy && busySince >= 0) {
        busyMs += nowMs - busySince;
        busySince = -1;
    }
}

std::optional<double> DownloadSource::measuredRate(std::int64_t nowMs) const
{
    const std::int64_t busy = busyMs + (busySince >= 0 ? nowMs - busySince : 0);
    if (busy <= 0 || received == 0 || (busy < kMinBusyMsForRate && verifiedBlocks == 0))
        return std::nullopt;
    return double(received) * 1000.0 / double(busy);
}

double DownloadSource::pendingBytes(const transfer::TransferPlan &plan) const
{
    double pending = 0;
    for (const int b : queue)
        pending += double(plan.blocks[size_t(b)].length);
    for (const auto &c : connections) {
        if (c->busy())
            pending += double(c->block().length - c->received());
    }
    return pending;
}

SourceProgress DownloadSource::progress(std::int64_t nowMs) const
{
    SourceProgress p;
    p.name = plan.name;
    p.url = plan.url;
    p.reason = reason;
    p.bytesReceived = received;
    p.bytesVerified = verifiedBytes;
    p.blocksVerified = verifiedBlocks;
    p.inFlight = inFlight();
    p.queued = int(queue.size());
    p.rateBps = display.rate(nowMs, received);
    p.status = abandoned                          ? SourceStatus::Abandoned
               : (p.inFlight > 0 || p.queued > 0) ? SourceStatus::Active
                                                  : SourceStatus::Idle;
    return p;
}

} // namespace starling::client
