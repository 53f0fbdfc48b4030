#pragma once

#include "client/downloadoptions.h"
#include "client/downloadsource.h"
#include "transfer/blockrecord.h"
#include "transfer/transferplan.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace starling::client {

// The plan's sources as a download goes: each one's queue of blocks, when one is to be
// abandoned, and where the blocks of an abandoned one go. Internal to ParallelDownload.
class SourcePool
{
public:
    static constexpr std::int64_t kRateWindowMs = 2000; // the progress rate's window

    SourcePool() = default;
    // One source per plan source, queued with its planned blocks the record has not verified.
    SourcePool(const transfer::TransferPlan &plan, const transfer::BlockRecord &record);

    std::vector<DownloadSource> &sources() { return m_sources; }
    const std::vector<DownloadSource> &sources() const { return m_sources; }
    DownloadSource &at(int index) { return m_sources[size_t(index)]; }

    bool anyQueued() const;
    qint64 totalReceived() const;
    int reassignments() const { return m_reassignments; }
    // "name: reason; ..." for every abandoned source.
    QString abandonReasons() const;

    // Each block goes to the live source expected to finish it first given what it already
    // has, `(pending bytes + block) / rate`, so the fastest gets the first ones and the rest
    // spread by speed. With no live source left the blocks stay unassigned.
    void reassign(const std::vector<int> &blocks, const transfer::TransferPlan &plan,
                  std::int64_t nowMs);

    // Updates source `index`'s rate windows and says why it must be abandoned now: stalled (no
    // byte for stallTimeoutMs on a connection) or too slow while another source keeps up.
    std::optional<QString> trouble(int index, std::int64_t nowMs, const DownloadOptions &options);

private:
    double estimatedRate(const DownloadSource &source, std::int64_t nowMs) const;
    bool anotherSourceKeepsUp(int index, std::int64_t nowMs, double slowFraction) const;

    std::vector<DownloadSource> m_sources;
    std::vector<int> m_unassigned; // blocks no source is left for
    int m_reassignments = 0;
};

} // namespace starling::client
