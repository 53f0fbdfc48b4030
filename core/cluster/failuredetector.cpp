#include "failuredetector.h"

#include <stdexcept>

namespace starling::cluster {

QString toString(Liveness liveness)
{
    switch (liveness) {
    case Liveness::Alive:
        return QStringLiteral("alive");
    case Liveness::Suspect:
        return QStringLiteral("suspect");
    case Liveness::Down:
        return QStringLiteral("down");
    }
    return {};
}

std::optional<Liveness> livenessFromString(QStringView name)
{
    for (const Liveness l : {Liveness::Alive, Liveness::Suspect, Liveness::Down}) {
        if (name == toString(l))
            return l;
    }
    return std::nullopt;
}

FailureDetector::FailureDetector(std::int64_t suspectAfterMs, std::int64_t downAfterMs)
    : m_suspectAfterMs(suspectAfterMs), m_downAfterMs(downAfterMs)
{
    if (suspectAfterMs <= 0 || downAfterMs <= suspectAfterMs)
        throw std::invalid_argument("FailureDetector: need 0 < suspectAfterMs < downAfterMs");
}

void FailureDetector::watch(int rank, std::int64_t nowMs)
{
    m_watches[rank] = Watch{nowMs, Liveness::Alive};
}

std::optional<LivenessChange> FailureDetector::heartbeat(int rank, std::int64_t nowMs)
{
    auto it = m_watches.find(rank);
    if (it == m_watches.end()) {
        watch(rank, nowMs);
        return std::nullopt;
    }
    Watch &w = it->second;
    if (w.exited)
        return std::nullopt; // a late message from before it died
    const std::int64_t silent = nowMs - w.lastHeardMs;
    w.lastHeardMs = std::max(w.lastHeardMs, nowMs);
    if (w.liveness == Liveness::Alive)
        return std::nullopt;
    const LivenessChange change{rank, w.liveness, Liveness::Alive, silent};
    w.liveness = Liveness::Alive;
    return change;
}

std::vector<LivenessChange> FailureDetector::evaluate(std::int64_t nowMs)
{
    std::vector<LivenessChange> changes;
    for (auto &[rank, w] : m_watches) {
        if (w.exited)
            continue;
        const std::int64_t silent = nowMs - w.lastHeardMs;
        const Liveness verdict = silent >= m_downAfterMs      ? Liveness::Down
                                 : silent >= m_suspectAfterMs ? Liveness::Suspect
                                                              : Liveness::Alive;
        // Only heartbeats bring a node back; evaluation only moves it towards DOWN.
        if (int(verdict) > int(w.liveness)) {
            changes.push_back({rank, w.liveness, verdict, silent});
            w.liveness = verdict;
        }
    }
    return changes;
}

std::optional<LivenessChange> FailureDetector::markExited(int rank, std::int64_t nowMs)
{
    Watch &w = m_watches.try_emplace(rank, Watch{nowMs, Liveness::Alive}).first->second;
    if (w.exited)
        return std::nullopt;
    const LivenessChange change{rank, w.liveness, Liveness::Down, nowMs - w.lastHeardMs};
    w.exited = true;
    w.liveness = Liveness::Down;
    return change;
}

bool FailureDetector::exited(int rank) const
{
    const auto it = m_watches.find(rank);
    return it != m_watches.end() && it->second.exited;
}

Liveness FailureDetector::liveness(int rank) const
{
    const auto it = m_watches.find(rank);
    return it == m_watches.end() ? Liveness::Alive : it->second.liveness;
}

std::int64_t FailureDetector::silenceMs(int rank, std::int64_t nowMs) const
{
    const auto it = m_watches.find(rank);
    return it == m_watches.end() ? -1 : nowMs - it->second.lastHeardMs;
}

} // namespace starling::cluster
