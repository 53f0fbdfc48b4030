#include "historystore.h"

#include "cluster/noderole.h"

#include <algorithm>
#include <cmath>

namespace starling::cluster {

namespace {

float finiteNonNegative(double v)
{
    return std::isfinite(v) && v > 0 ? float(v) : 0.0f;
}

} // namespace

HistoryStore::HistoryStore(qint64 spanMs, int points)
    : m_spanMs(std::max<qint64>(1000, spanMs)), m_points(std::max(2, points)),
      m_spacingMs(std::max<qint64>(1, m_spanMs / m_points))
{}

void HistoryStore::record(const ClusterSnapshot &snapshot)
{
    if (snapshot.timeMs <= 0)
        return;
    for (const NodeView &node : snapshot.nodes) {
        if (node.role != NodeRole::Slave)
            continue;
        Track &track = m_tracks[node.rank];
        // A clock stepped back, or a snapshot too soon after the last kept one: skipped, and
        // the next kept sample's rates cover the time in between.
        if (!track.samples.empty() && snapshot.timeMs - track.samples.back().timeMs < m_spacingMs)
            continue;
        keep(track, node, snapshot.timeMs);
        // One sample more than the span holds, so the oldest kept is at least spanMs back.
        while (int(track.samples.size()) > m_points + 1 ||
               (track.samples.size() > 1 && track.samples[1].timeMs <= snapshot.timeMs - m_spanMs))
            track.samples.pop_front();
    }
}

void HistoryStore::keep(Track &track, const NodeView &node, qint64 timeMs)
{
    const NodeStats &s = node.stats;
    const bool measured = s.sequence > 0 || s.sampledAtMs > 0;
    const bool stale = node.state == NodeState::Suspect || node.state == NodeState::Down;
    const qint64 counterMs = s.sampledAtMs > 0 ? s.sampledAtMs : timeMs;
    Stored stored;
    stored.timeMs = timeMs;
    if (measured) {
        const bool sameProcess = track.haveCounters && s.pid == track.pid &&
                                 s.txBytesTotal >= track.tx && s.rxBytesTotal >= track.rx;
        if (!sameProcess) {
            track.txRate = track.rxRate = 0;
        } else if (counterMs > track.counterMs) {
            const double seconds = double(counterMs - track.counterMs) / 1000.0;
            track.txRate = finiteNonNegative(double(s.txBytesTotal - track.tx) / seconds);
            track.rxRate = finiteNonNegative(double(s.rxBytesTotal - track.rx) / seconds);
        }
        // Else the snapshot repeats the heartbeat of the previous kept sample (none came in
        // between): the rate it gave still holds, as NodeHistory::followCounters does.
        if (!sameProcess || counterMs > track.counterMs) {
            track.haveCounters = true;
            track.pid = s.pid;
            track.counterMs = counterMs;
            track.tx = s.txBytesTotal;
            track.rx = s.rxBytesTotal;
        }
        // A heartbeat the failure detector gave up on says nothing of the traffic now.
        if (!stale) {
            stored.txRate = track.txRate;
            stored.rxRate = track.rxRate;
        }
    }
    stored.rssBytes = std::max<qint64>(0, s.processRssBytes);
    stored.tasksDone = std::max<qint64>(0, s.tasksDone);
    stored.cpu = finiteNonNegative(s.processCpu);
    stored.load = finiteNonNegative(node.load);
    stored.assigned = std::max(0, node.assigned);
    stored.state = quint8(node.state);
    track.samples.push_back(stored);
}

HistoryStore::Page HistoryStore::page(int rank, qint64 afterMs, int limit) const
{
    Page page;
    const auto found = m_tracks.find(rank);
    if (found == m_tracks.end())
        return page;
    const std::deque<Stored> &samples = found->second.samples;
    auto it = std::upper_bound(samples.begin(), samples.end(), afterMs,
                               [](qint64 t, const Stored &s) { return t < s.timeMs; });
    const auto end = it + std::min<std::ptrdiff_t>(std::max(1, limit), samples.end() - it);
    page.samples.reserve(size_t(end - it));
    for (; it != end; ++it) {
        HistorySample h;
        h.timeMs = it->timeMs;
        h.cpu = it->cpu;
        h.rssBytes = it->rssBytes;
        h.txRate = it->txRate;
        h.rxRate = it->rxRate;
        h.load = it->load;
        h.assigned = it->assigned;
        h.tasksDone = it->tasksDone;
        h.state = NodeState(it->state);
        page.samples.push_back(h);
    }
    page.more = end != samples.end();
    return page;
}

int HistoryStore::sampleCount(int rank) const
{
    const auto it = m_tracks.find(rank);
    return it == m_tracks.end() ? 0 : int(it->second.samples.size());
}

} // namespace starling::cluster
