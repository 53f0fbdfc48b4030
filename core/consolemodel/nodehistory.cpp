#include "nodehistory.h"

#include "cluster/noderole.h"

#include <QIODevice>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace starling::consolemodel {

namespace {

double finiteOrZero(double v)
{
    return std::isfinite(v) ? v : 0.0;
}

QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (!bytes.contains(',') && !bytes.contains('"') && !bytes.contains('\n') &&
        !bytes.contains('\r'))
        return bytes;
    bytes.replace('"', "\"\"");
    return '"' + bytes + '"';
}

// Equal time buckets over [t0, t0 + span): time t belongs to bucket (t - t0) * buckets / span.
struct TimeBuckets
{
    qint64 t0 = 0;
    qint64 span = 1;
    qint64 buckets = 1;

    qint64 bucketOf(qint64 t) const { return std::min(buckets - 1, (t - t0) * buckets / span); }
    // The first time past t's bucket; the last bucket never ends.
    qint64 endAfter(qint64 t) const
    {
        const qint64 b = bucketOf(t);
        return b + 1 >= buckets ? std::numeric_limits<qint64>::max()
                                : t0 + ((b + 1) * span + buckets - 1) / buckets;
    }
};

// The lowest and highest sample of one bucket; the first of equal values wins.
template<typename It> struct BucketExtremes
{
    It minIt;
    It maxIt;
    double minV = 0;
    double maxV = 0;

    void start(It it, double v)
    {
        minIt = maxIt = it;
        minV = maxV = v;
    }
    void add(It it, double v)
    {
        if (v < minV) {
            minIt = it;
            minV = v;
        } else if (v > maxV) {
            maxIt = it;
            maxV = v;
        }
    }
};

// Appends chart points, never the same sample twice in a row (a bucket's min and max can be
// one sample, and the range's last sample can be its last bucket's).
template<typename It, typename Value> class PointKeeper
{
public:
    PointKeeper(It none, Value value, QList<QPointF> &points)
        : m_kept(none), m_value(value), m_points(points)
    {}
    void keep(It it)
    {
        if (it == m_kept)
            return;
        m_points.append(QPointF(double(it->timeMs), m_value(*it)));
        m_kept = it;
    }

private:
    It m_kept;
    Value m_value;
    QList<QPointF> &m_points;
};

} // namespace

NodeHistory::NodeHistory(qint64 maxAgeMs, int maxSamples)
    : m_maxAgeMs(std::max<qint64>(1, maxAgeMs)), m_maxSamples(std::max(1, maxSamples))
{}

void NodeHistory::append(const cluster::ClusterSnapshot &snapshot)
{
    if (snapshot.timeMs <= 0 || snapshot.timeMs <= m_lastMs)
        return;
    m_lastMs = snapshot.timeMs;
    for (const cluster::NodeView &node : snapshot.nodes) {
        if (node.role != cluster::NodeRole::Slave)
            continue;
        Track &track = m_tracks[node.rank];
        if (!node.name.isEmpty())
            track.name = node.name;
        else if (track.name.isEmpty())
            track.name = cluster::nodeName(node.rank);
        record(track, node, snapshot.timeMs);
    }
    prune();
}

// Rates and finished tasks from the counters' deltas since the track's baseline; a restarted
// process (a counter going down, a new pid, a lower heartbeat number) starts a new baseline.
void NodeHistory::followCounters(Track &track, const cluster::NodeStats &s, qint64 timeMs)
{
    const qint64 tx = std::max<qint64>(0, s.txBytesTotal);
    const qint64 rx = std::max<qint64>(0, s.rxBytesTotal);
    const qint64 tasks = std::max<qint64>(0, s.tasksDone);
    const qint64 counterMs = s.sampledAtMs > 0 ? s.sampledAtMs : timeMs;
    const auto rebase = [&] {
        track.haveBaseline = true;
        track.baseSequence = s.sequence;
        track.basePid = s.pid;
        track.baseTimeMs = counterMs;
        track.baseTx = tx;
        track.baseRx = rx;
        track.baseTasks = tasks;
    };
    const bool restarted =
        track.haveBaseline &&
        (tx < track.baseTx || rx < track.baseRx || tasks < track.baseTasks ||
         (s.pid > 0 && track.basePid > 0 && s.pid != track.basePid) ||
         (s.sequence > 0 && track.baseSequence > 0 && s.sequence < track.baseSequence));
    // The monitor repeats a slave's last heartbeat in every snapshot until the next one.
    const bool repeated =
        track.haveBaseline && !restarted &&
        ((s.sequence > 0 && s.sequence == track.baseSequence) || counterMs <= track.baseTimeMs);
    if (!track.haveBaseline) {
        track.txRate = track.rxRate = 0;
        rebase();
    } else if (restarted) {
        track.txRate = track.rxRate = 0;
        track.doneCumulative += tasks; // the new process counts from zero
        rebase();
    } else if (repeated) {
        // Keep the rate the heartbeat gave; tasks can still be counted.
        track.doneCumulative += tasks - track.baseTasks;
        track.baseTasks = tasks;
    } else {
        const double seconds = double(counterMs - track.baseTimeMs) / 1000.0;
        track.txRate = float(double(tx - track.baseTx) / seconds);
        track.rxRate = float(double(rx - track.baseRx) / seconds);
        track.doneCumulative += tasks - track.baseTasks;
        rebase();
    }
}

void NodeHistory::record(Track &track, const cluster::NodeView &node, qint64 timeMs)
{
    const cluster::NodeStats &s = node.stats;
    // A node the monitor has not heard from carries default (all-zero) stats: nothing to
    // measure a rate or a task count against.
    const bool measured = s.sequence > 0 || s.sampledAtMs > 0;
    const bool stale =
        node.state == cluster::NodeState::Suspect || node.state == cluster::NodeState::Down;
    if (measured)
        followCounters(track, s, timeMs);

    Stored stored;
    stored.timeMs = timeMs;
    stored.rssBytes = std::max<qint64>(0, s.processRssBytes);
    stored.tasksDone = std::max<qint64>(0, s.tasksDone);
    stored.doneCumulative = track.doneCumulative;
    stored.cpu = float(std::max(0.0, finiteOrZero(s.processCpu)));
    // A heartbeat the failure detector gave up on says nothing of the traffic now.
    stored.txRate = measured && !stale ? track.txRate : 0.0f;
    stored.rxRate = measured && !stale ? track.rxRate : 0.0f;
    stored.load = float(std::max(0.0, finiteOrZero(node.load)));
    stored.assigned = std::max(0, node.assigned);
    stored.state = quint8(node.state);
    track.samples.push_back(stored);
    while (int(track.samples.size()) > m_maxSamples)
        track.samples.pop_front();
}

void NodeHistory::prune()
{
    const qint64 cutoff = m_lastMs - m_maxAgeMs;
    for (auto it = m_tracks.begin(); it != m_tracks.end();) {
        std::deque<Stored> &samples = it->second.samples;
        while (!samples.empty() && samples.front().timeMs < cutoff)
            samples.pop_front();
        if (samples.empty())
            it = m_tracks.erase(it);
        else
            ++it;
    }
}

// The samples in [fromMs, beforeMs), the newest `room` of them, with tasks done summed over
// process restarts (a count going down) from 0 at the first one.
std::vector<NodeHistory::Stored> NodeHistory::packOlder(const std::vector<Sample> &samples,
                                                        qint64 fromMs, qint64 beforeMs, size_t room)
{
    const auto byTime = [](const Sample &s, qint64 t) {
        return s.timeMs < t;
    };
    const auto hi = std::lower_bound(samples.begin(), samples.end(), beforeMs, byTime);
    auto lo = std::lower_bound(samples.begin(), hi, fromMs, byTime);
    if (size_t(hi - lo) > room)
        lo = hi - std::ptrdiff_t(room);
    std::vector<Stored> packed;
    packed.reserve(size_t(hi - lo));
    qint64 cumulative = 0;
    for (auto it = lo; it != hi; ++it) {
        if (!packed.empty()) {
            const qint64 previous = packed.back().tasksDone;
            cumulative += it->tasksDone >= previous ? it->tasksDone - previous : it->tasksDone;
        }
        Stored stored;
        stored.timeMs = it->timeMs;
        stored.rssBytes = it->rssBytes;
        stored.tasksDone = it->tasksDone;
        stored.doneCumulative = cumulative;
        stored.cpu = float(it->cpu);
        stored.txRate = float(it->txRate);
        stored.rxRate = float(it->rxRate);
        stored.load = float(it->load);
        stored.assigned = it->assigned;
        stored.state = quint8(it->state);
        packed.push_back(stored);
    }
    return packed;
}

Expected<int> NodeHistory::prefill(int rank, const QString &name,
                                   const std::vector<Sample> &samples)
{
    const QString shown = name.isEmpty() ? cluster::nodeName(rank) : name;
    if (const QString problem = cluster::checkHistory(samples); !problem.isEmpty())
        return Error{QStringLiteral("history of %1 rejected: %2").arg(shown, problem),
                     QStringLiteral("bad_history")};
    if (samples.empty())
        return 0;
    const auto existing = m_tracks.find(rank);
    const bool known = existing != m_tracks.end() && !existing->second.samples.empty();
    const qint64 newest = std::max(m_lastMs, samples.back().timeMs);
    const qint64 before =
        known ? existing->second.samples.front().timeMs : std::numeric_limits<qint64>::max();
    const size_t held = known ? existing->second.samples.size() : 0;
    std::vector<Stored> older =
        packOlder(samples, newest - m_maxAgeMs, before,
                  size_t(m_maxSamples) - std::min(held, size_t(m_maxSamples)));
    if (older.empty())
        return 0;
    Track &track = m_tracks[rank];
    if (track.name.isEmpty())
        track.name = shown;
    // Join the counts: the kept samples' cumulative count continues the merged ones'.
    qint64 offset = track.doneCumulative - older.back().doneCumulative;
    if (known) {
        const Stored &first = track.samples.front();
        const qint64 last = older.back().tasksDone;
        const qint64 step = first.tasksDone >= last ? first.tasksDone - last : first.tasksDone;
        offset = first.doneCumulative - step - older.back().doneCumulative;
    }
    for (Stored &s : older)
        s.doneCumulative += offset;
    track.samples.insert(track.samples.begin(), older.begin(), older.end());
    if (!known)
        m_lastMs = std::max(m_lastMs, older.back().timeMs);
    return int(older.size());
}

void NodeHistory::clear()
{
    m_tracks.clear();
    m_lastMs = 0;
}

NodeHistory::Sample NodeHistory::unpack(const Stored &stored)
{
    Sample s;
    s.timeMs = stored.timeMs;
    s.cpu = stored.cpu;
    s.rssBytes = stored.rssBytes;
    s.txRate = stored.txRate;
    s.rxRate = stored.rxRate;
    s.load = stored.load;
    s.assigned = stored.assigned;
    s.tasksDone = stored.tasksDone;
    s.state = cluster::NodeState(stored.state);
    return s;
}

QList<QPointF> NodeHistory::series(int rank, Metric metric, qint64 fromMs, qint64 toMs,
                                   int maxPoints) const
{
    QList<QPointF> points;
    const auto found = m_tracks.find(rank);
    if (found == m_tracks.end() || maxPoints <= 0 || toMs < fromMs)
        return points;
    const std::deque<Stored> &samples = found->second.samples;
    const auto lo = std::lower_bound(samples.begin(), samples.end(), fromMs,
                                     [](const Stored &s, qint64 t) { return s.timeMs < t; });
    const auto hi = std::upper_bound(samples.begin(), samples.end(), toMs,
                                     [](qint64 t, const Stored &s) { return t < s.timeMs; });
    if (hi <= lo)
        return points;
    // One instantiation per metric keeps the per-sample loop free of the metric switch: a
    // chart refresh walks up to an hour of samples for every slave.
    switch (metric) {
    case Metric::Cpu:
        downsample(
            lo, hi, maxPoints, [](const Stored &s) { return double(s.cpu); }, points);
        break;
    case Metric::Memory:
        downsample(
            lo, hi, maxPoints, [](const Stored &s) { return double(s.rssBytes); }, points);
        break;
    case Metric::TxRate:
        downsample(
            lo, hi, maxPoints, [](const Stored &s) { return double(s.txRate); }, points);
        break;
    case Metric::RxRate:
        downsample(
            lo, hi, maxPoints, [](const Stored &s) { return double(s.rxRate); }, points);
        break;
    case Metric::Load:
        downsample(
            lo, hi, maxPoints, [](const Stored &s) { return double(s.load); }, points);
        break;
    }
    return points;
}

template<typename Value>
void NodeHistory::downsample(Iterator lo, Iterator hi, int maxPoints, Value value,
                             QList<QPointF> &points)
{
    const qsizetype count = hi - lo;
    if (count <= maxPoints) {
        points.reserve(count);
        for (auto it = lo; it != hi; ++it)
            points.append(QPointF(double(it->timeMs), value(*it)));
        return;
    }

    // Equal time buckets rather than equal counts, so a gap in the data stays a gap. With room
    // for them, the range's first and last samples are kept too, so a line spans its data.
    const bool ends = maxPoints >= 4;
    const TimeBuckets grid{lo->timeMs, (hi - 1)->timeMs - lo->timeMs + 1,
                           ends ? (maxPoints - 2) / 2 : std::max(1, maxPoints / 2)};
    points.reserve(maxPoints);
    PointKeeper<Iterator, Value> keeper(hi, value, points);
    const auto flush = [&](const BucketExtremes<Iterator> &bucket) {
        if (maxPoints == 1) {
            keeper.keep(bucket.maxIt);
            return;
        }
        keeper.keep(std::min(bucket.minIt, bucket.maxIt));
        keeper.keep(std::max(bucket.minIt, bucket.maxIt));
    };
    if (ends)
        keeper.keep(lo);
    BucketExtremes<Iterator> bucket;
    bucket.start(lo, value(*lo));
    qint64 bucketEnd = grid.endAfter(grid.t0);
    for (auto it = lo + 1; it != hi; ++it) {
        const double v = value(*it);
        if (it->timeMs >= bucketEnd) {
            flush(bucket);
            bucketEnd = grid.endAfter(it->timeMs);
            bucket.start(it, v);
        } else {
            bucket.add(it, v);
        }
    }
    flush(bucket);
    if (ends)
        keeper.keep(hi - 1);
}

std::vector<int> NodeHistory::ranks() const
{
    std::vector<int> out;
    out.reserve(m_tracks.size());
    for (const auto &[rank, track] : m_tracks)
        out.push_back(rank);
    return out;
}

QString NodeHistory::name(int rank) const
{
    const auto it = m_tracks.find(rank);
    return it == m_tracks.end() ? QString() : it->second.name;
}

std::optional<NodeHistory::Sample> NodeHistory::latest(int rank) const
{
    const auto it = m_tracks.find(rank);
    if (it == m_tracks.end() || it->second.samples.empty())
        return std::nullopt;
    return unpack(it->second.samples.back());
}

int NodeHistory::sampleCount(int rank) const
{
    const auto it = m_tracks.find(rank);
    return it == m_tracks.end() ? 0 : int(it->second.samples.size());
}

qint64 NodeHistory::firstMs() const
{
    qint64 first = 0;
    for (const auto &[rank, track] : m_tracks) {
        if (!track.samples.empty() && (first == 0 || track.samples.front().timeMs < first))
            first = track.samples.front().timeMs;
    }
    return first;
}

qint64 NodeHistory::lastMs() const
{
    return m_tracks.empty() ? 0 : m_lastMs;
}

qint64 NodeHistory::doneSince(const Track &track, qint64 fromMs) const
{
    if (track.samples.empty())
        return 0;
    auto base = std::upper_bound(track.samples.begin(), track.samples.end(), fromMs,
                                 [](qint64 t, const Stored &s) { return t < s.timeMs; });
    if (base != track.samples.begin())
        --base;
    return track.samples.back().doneCumulative - base->doneCumulative;
}

qint64 NodeHistory::tasksDoneSince(int rank, qint64 fromMs) const
{
    const auto it = m_tracks.find(rank);
    return it == m_tracks.end() ? 0 : doneSince(it->second, fromMs);
}

double NodeHistory::achievedShare(int rank, qint64 fromMs) const
{
    qint64 total = 0;
    qint64 mine = 0;
    for (const auto &[r, track] : m_tracks) {
        const qint64 done = doneSince(track, fromMs);
        total += done;
        if (r == rank)
            mine = done;
    }
    return total > 0 ? double(mine) / double(total) : 0.0;
}

bool NodeHistory::writeCsv(QIODevice &out) const
{
    if (!out.isWritable())
        return false;
    QByteArray buffer("time_ms,node,cpu,rss_bytes,tx_Bps,rx_Bps,load,assigned,tasks_done,state\n");
    const auto flush = [&] {
        const bool ok = out.write(buffer) == buffer.size();
        buffer.clear();
        return ok;
    };

    // Merge the slaves' samples by time (ties by rank) with a heap of each one's next sample.
    using Cursor = std::pair<qint64, int>; // (time, rank)
    std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heap;
    std::map<int, size_t> next;
    for (const auto &[rank, track] : m_tracks) {
        if (!track.samples.empty()) {
            heap.push({track.samples.front().timeMs, rank});
            next[rank] = 0;
        }
    }
    while (!heap.empty()) {
        const int rank = heap.top().second;
        heap.pop();
        const Track &track = m_tracks.at(rank);
        size_t &index = next[rank];
        const Stored &s = track.samples[index];
        buffer += QByteArray::number(s.timeMs) + ',' + csvField(track.name) + ',' +
                  QByteArray::number(double(s.cpu), 'f', 4) + ',' + QByteArray::number(s.rssBytes) +
                  ',' + QByteArray::number(double(s.txRate), 'f', 1) + ',' +
                  QByteArray::number(double(s.rxRate), 'f', 1) + ',' +
                  QByteArray::number(double(s.load), 'g', 6) + ',' +
                  QByteArray::number(s.assigned) + ',' + QByteArray::number(s.tasksDone) + ',' +
                  cluster::toString(cluster::NodeState(s.state)).toLatin1() + '\n';
        if (++index < track.samples.size())
            heap.push({track.samples[index].timeMs, rank});
        if (buffer.size() > 64 * 1024 && !flush())
            return false;
    }
    return flush();
}

} // namespace starling::consolemodel
