#pragma once

#include "cluster/nodestate.h"

#include <QString>
#include <QtGlobal>

#include <vector>

namespace starling::cluster {

// One moment of one slave as the console charts it: what the monitor keeps for an hour and
// sends on connect (bridge op `history_page`), and what consolemodel::NodeHistory holds.
// Times are the monitor's wall clock (a snapshot's time_ms).
struct HistorySample
{
    qint64 timeMs = 0;
    double cpu = 0; // 0..1 of one core
    qint64 rssBytes = 0;
    double txRate = 0; // bytes per second, this slave's own traffic
    double rxRate = 0;
    double load = 0;
    int assigned = 0;
    qint64 tasksDone = 0;
    NodeState state = NodeState::Active;
};

// The bounds every received sample must keep (generous: they reject garbage, not extremes).
struct HistoryBounds
{
    static constexpr double kMaxCpu = 1024; // a process on many cores
    static constexpr double kMaxRate = 1e13;
    static constexpr double kMaxLoad = 1e9;
    static constexpr qint64 kMaxCount = qint64(1) << 53; // exact in a JSON number
    static constexpr int kMaxAssigned = 1'000'000'000;
};

// "" when the series is usable: times positive and strictly increasing, every value finite and
// within HistoryBounds; else one line naming the first bad sample.
QString checkHistory(const std::vector<HistorySample> &samples);

// One slave's samples, oldest first, as fetched from the monitor.
struct NodeHistorySamples
{
    int rank = 0;
    QString name;
    std::vector<HistorySample> samples;
};

} // namespace starling::cluster
