#pragma once

#include "cluster/clustersnapshot.h"
#include "cluster/historysample.h"

#include <deque>
#include <map>
#include <vector>

namespace starling::cluster {

// The monitor's memory of every slave for the console's charts: at least `spanMs` (an hour by
// default) at a bounded cost. Each slave keeps at most `points` samples, one per
// spanMs / points (1 s by default) taken from the published snapshots, so memory does not grow
// with the snapshot rate: 64 slaves x 3600 samples x 48 bytes is about 11 MiB. Rates are the
// mean over the time between two kept samples, from the slave's byte counters (a new pid or a
// counter going down is a restarted process: rate 0; a heartbeat repeated in the next kept
// sample keeps its rate). The per-heartbeat `history` op is a
// different, shorter memory (SnapshotBuilder, `history_length`).
class HistoryStore
{
public:
    static constexpr qint64 kDefaultSpanMs = 3'600'000;
    static constexpr int kDefaultPoints = 3600;

    struct Page
    {
        std::vector<HistorySample> samples; // oldest first
        bool more = false;                  // samples after the last one remain
    };

    explicit HistoryStore(qint64 spanMs = kDefaultSpanMs, int points = kDefaultPoints);

    void record(const ClusterSnapshot &snapshot);
    // Samples of `rank` newer than afterMs, oldest first, at most `limit` (>= 1).
    Page page(int rank, qint64 afterMs, int limit) const;
    int sampleCount(int rank) const;
    qint64 spacingMs() const { return m_spacingMs; }
    qint64 spanMs() const { return m_spanMs; }

private:
    // Floats for what a chart shows, exact integers for counters: 48 bytes.
    struct Stored
    {
        qint64 timeMs = 0;
        qint64 rssBytes = 0;
        qint64 tasksDone = 0;
        float cpu = 0;
        float txRate = 0;
        float rxRate = 0;
        float load = 0;
        qint32 assigned = 0;
        quint8 state = 0;
    };
    struct Track
    {
        std::deque<Stored> samples;
        bool haveCounters = false;
        qint64 pid = 0;
        qint64 counterMs = 0;
        qint64 tx = 0;
        qint64 rx = 0;
        float txRate = 0; // of the last heartbeat that advanced the counters
        float rxRate = 0;
    };

    static void keep(Track &track, const NodeView &node, qint64 timeMs);

    qint64 m_spanMs;
    int m_points;
    qint64 m_spacingMs;
    std::map<int, Track> m_tracks;
};

} // namespace starling::cluster
