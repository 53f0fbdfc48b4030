#pragma once

#include "cluster/clustersnapshot.h"
#include "cluster/historysample.h"
#include "cluster/nodestate.h"
#include "util/expected.h"

#include <QList>
#include <QPointF>
#include <QString>

#include <deque>
#include <map>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace starling::consolemodel {

// What a history chart plots. Values come out in raw units: CPU 0..1 of one core, memory in
// bytes, rates in bytes per second, load in seconds of standard work per unit weight.
enum class Metric
{
    Cpu,
    Memory,
    TxRate,
    RxRate,
    Load
};

// The console's bounded memory of every slave, fed with each bridge snapshot. Samples older
// than maxAgeMs (measured from the newest snapshot) and beyond maxSamples per slave are
// dropped, so 64 slaves over hours stay at a few tens of MiB at most (~56 bytes a sample).
// A slave whose samples have all aged out is forgotten.
//
// Send and receive rates are the slave's own, derived from its byte counters between two
// heartbeats (the snapshot's *_bytes_per_s are machine-wide). A heartbeat repeated in later
// snapshots keeps the rate it gave; a counter going down, a new pid or a lower heartbeat number
// is a restarted process: that sample gets rate 0 and becomes the new baseline. A node without
// any heartbeat yet (seq 0, no sample time) is recorded but never used as a baseline.
class NodeHistory
{
public:
    using Sample = cluster::HistorySample;

    static constexpr qint64 kDefaultMaxAgeMs = 3'600'000;
    static constexpr int kDefaultMaxSamples = 14'400; // one hour at 4 snapshots a second

    explicit NodeHistory(qint64 maxAgeMs = kDefaultMaxAgeMs, int maxSamples = kDefaultMaxSamples);

    // Records every slave of the snapshot. A snapshot without a time or older than the newest
    // one kept (a replay, or a clock stepped back) is ignored.
    void append(const cluster::ClusterSnapshot &snapshot);
    void clear();
    // Merges the monitor's history of one slave (oldest first, on the monitor's clock, as
    // fetched on connect) before the samples already kept: only samples older than the
    // slave's oldest kept one, within maxAgeMs of the newest and as many as maxSamples leaves
    // room for. Tasks done join the kept samples' count, so achievedShare() spans both.
    // Rejects the whole series with one line if cluster::checkHistory() does; else returns how
    // many samples were merged.
    Expected<int> prefill(int rank, const QString &name, const std::vector<Sample> &samples);

    // Samples of `rank` with fromMs <= time <= toMs as (ms since the epoch, value), at most
    // maxPoints of them: over budget, the span is cut into equal time buckets that each keep
    // their lowest and highest sample (in time order), so peaks survive, plus the span's first
    // and last samples (budget 4 and up). About 10 ns a sample kept in the span.
    QList<QPointF> series(int rank, Metric metric, qint64 fromMs, qint64 toMs, int maxPoints) const;

    std::vector<int> ranks() const; // ascending
    QString name(int rank) const;   // the latest name seen, "" if unknown
    std::optional<Sample> latest(int rank) const;
    int sampleCount(int rank) const;
    qint64 firstMs() const; // oldest sample kept, 0 if empty
    qint64 lastMs() const;  // newest snapshot recorded, 0 if empty

    // This slave's part of the tasks all slaves finished since fromMs (from the last sample at
    // or before fromMs, or the oldest kept, to the newest), 0..1; 0 when nothing was done.
    // Process restarts count the new process's tasks from zero.
    double achievedShare(int rank, qint64 fromMs) const;
    // Tasks this slave finished since fromMs, by the same rule.
    qint64 tasksDoneSince(int rank, qint64 fromMs) const;

    // CSV with a header and one row per sample in time order (then by rank): time_ms, node,
    // cpu, rss_bytes, tx_Bps, rx_Bps, load, assigned, tasks_done, state.
    bool writeCsv(QIODevice &out) const;

    qint64 maxAgeMs() const { return m_maxAgeMs; }
    int maxSamples() const { return m_maxSamples; }

private:
    // Stored compactly (floats for values a chart shows, exact integers for counters).
    struct Stored
    {
        qint64 timeMs = 0;
        qint64 rssBytes = 0;
        qint64 tasksDone = 0;
        qint64 doneCumulative = 0; // tasks finished since the slave was first seen, restarts summed
        float cpu = 0;
        float txRate = 0;
        float rxRate = 0;
        float load = 0;
        qint32 assigned = 0;
        quint8 state = 0;
    };
    struct Track
    {
        QString name;
        std::deque<Stored> samples;
        // The last heartbeat's counters, the baseline for the next rate.
        bool haveBaseline = false;
        qint64 baseSequence = 0;
        qint64 basePid = 0;
        qint64 baseTimeMs = 0;
        qint64 baseTx = 0;
        qint64 baseRx = 0;
        qint64 baseTasks = 0;
        float txRate = 0;
        float rxRate = 0;
        qint64 doneCumulative = 0;
    };

    static Sample unpack(const Stored &stored);
    static std::vector<Stored> packOlder(const std::vector<Sample> &samples, qint64 fromMs,
                                         qint64 beforeMs, size_t room);
    using Iterator = std::deque<Stored>::const_iterator;
    template<typename Value>
    static void downsample(Iterator lo, Iterator hi, int maxPoints, Value value,
                           QList<QPointF> &points);
    void record(Track &track, const cluster::NodeView &node, qint64 timeMs);
    static void followCounters(Track &track, const cluster::NodeStats &s, qint64 timeMs);
    void prune();
    qint64 doneSince(const Track &track, qint64 fromMs) const;

    qint64 m_maxAgeMs;
    int m_maxSamples;
    qint64 m_lastMs = 0;
    std::map<int, Track> m_tracks;
};

} // namespace starling::consolemodel
