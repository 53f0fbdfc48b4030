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

void NodeHistory::record(Track &track, const cluster::NodeView &node, qint64 timeMs)
{
    const cluster::NodeStats &s = node.stats;
    // A node the monitor has not heard from carries default (all-zero) stats: nothing to
    // measure a rate or a task count against.
    const bool measured = s.sequence > 0 || s.sampledAtMs > 0;
    const bool stale =
        node.state == cluster::NodeState::Suspect || node.state == cluster::NodeState::Down;
    if (measured) {
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
    const qint64 buckets = ends ? (maxPoints - 2) / 2 : std::max(1, maxPoints / 2);
    const qint64 t0 = lo->timeMs;
    const qint64 span = (hi - 1)->timeMs - t0 + 1;
    // Sample time t belongs to bucket (t - t0) * buckets / span; bucket b ends before endOf(b).
    const auto bucketOf = [&](qint64 t) {
        return std::min(buckets - 1, (t - t0) * buckets / span);
    };
    const auto endOf = [&](qint64 b) {
        return b + 1 >= buckets ? std::numeric_limits<qint64>::max()
                                : t0 + ((b + 1) * span + buckets - 1) / buckets;
    };
    points.reserve(maxPoints);
    Iterator kept = hi; // the last sample appended
    const auto keep = [&](Iterator it) {
        if (it == kept)
            return;
        points.append(QPointF(double(it->timeMs), value(*it)));
        kept = it;
    };
    if (ends)
        keep(lo);
    Iterator minIt = lo;
    Iterator maxIt = lo;
    double minV = value(*lo);
    double maxV = minV;
    qint64 bucketEnd = endOf(bucketOf(t0));
    const auto flush = [&] {
        if (maxPoints == 1) {
            keep(maxIt);
            return;
        }
        keep(std::min(minIt, maxIt));
        keep(std::max(minIt, maxIt));
    };
    for (auto it = lo + 1; it != hi; ++it) {
        const double v = value(*it);
        if (it->timeMs >= bucketEnd) {
            flush();
            bucketEnd = endOf(bucketOf(it->timeMs));
            minIt = maxIt = it;
            minV = maxV = v;
        } else if (v < minV) {
            minIt = it;
            minV = v;
        } else if (v > maxV) {
            maxIt = it;
            maxV = v;
        }
    }
    flush();
    if (ends)
        keep(hi - 1);
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
