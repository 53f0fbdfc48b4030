#pragma once

#include "client/blockfetch.h"
#include "client/downloadprogress.h"
#include "transfer/transferplan.h"

#include <QString>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

// Internal to core/transfer: ParallelDownload's view of one source.

namespace starling::client {

// Byte counts over time: (steady ms, bytes received so far).
class RateWindow
{
public:
    // Adds a sample (at most one per 100 ms) and forgets those older than windowMs, keeping one
    // at least that old so the rate covers the whole window.
    void add(std::int64_t nowMs, qint64 bytes, std::int64_t windowMs);
    // Bytes per second from the oldest sample to (nowMs, nowBytes); 0 without samples.
    double rate(std::int64_t nowMs, qint64 nowBytes) const;
    // How long the samples reach back.
    std::int64_t spanMs(std::int64_t nowMs) const;
    void clear() { m_samples.clear(); }

private:
    std::deque<std::pair<std::int64_t, qint64>> m_samples;
};

// One slave of a download: its queue of blocks (fetched front first), its connections, and
// what was measured of it. A source once abandoned stays abandoned for the download.
struct DownloadSource
{
    transfer::PlanSource plan;
    bool abandoned = false;
    QString reason;
    std::deque<int> queue;
    std::vector<std::unique_ptr<BlockFetch>> connections;
    qint64 received = 0; // increased by its BlockFetches as bytes arrive
    qint64 verifiedBytes = 0;
    int verifiedBlocks = 0;
    std::int64_t busyMs = 0;     // time with a block in flight, before busySince
    std::int64_t busySince = -1; // when the current busy stretch began; -1 = idle
    RateWindow slowWindow;       // while busy, for the too-slow rule
    RateWindow display;          // for the progress rate

    int inFlight() const;
    // Keeps busy time exact: called whenever a block starts or ends on this source.
    void updateBusy(std::int64_t nowMs);
    // Bytes per second while busy; nothing until a block completed or 200 ms passed.
    std::optional<double> measuredRate(std::int64_t nowMs) const;
    // Bytes still to come from it: queued blocks and the rest of those in flight.
    double pendingBytes(const transfer::TransferPlan &plan) const;
    SourceProgress progress(std::int64_t nowMs) const;
};

} // namespace starling::client
