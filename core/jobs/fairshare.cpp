#include "fairshare.h"

#include <algorithm>
#include <deque>

namespace starling::jobs {

double FairShare::finishTag(const QString &submitter) const
{
    const auto it = m_finish.find(submitter);
    return it == m_finish.end() ? 0 : it->second;
}

std::vector<std::size_t> FairShare::order(const std::vector<Queued> &queued,
                                          std::size_t count) const
{
    // Per submitter its queue, in the order submitters first appear (= their heads' order).
    struct Lane
    {
        double finish = 0;
        std::deque<std::size_t> jobs;
    };
    std::vector<Lane> lanes;
    std::map<QString, std::size_t> laneOf;
    for (std::size_t i = 0; i < queued.size(); ++i) {
        auto [it, added] = laneOf.try_emplace(queued[i].submitter, lanes.size());
        if (added)
            lanes.push_back({finishTag(queued[i].submitter), {}});
        lanes[it->second].jobs.push_back(i);
    }
    std::vector<std::size_t> picked;
    double now = m_virtualTime;
    while (picked.size() < std::min(count, queued.size())) {
        Lane *best = nullptr;
        double bestStart = 0;
        for (Lane &lane : lanes) {
            if (lane.jobs.empty())
                continue;
            const double start = std::max(now, lane.finish);
            // Equal tags: the head submitted first goes first.
            if (!best || start < bestStart ||
                (start == bestStart && lane.jobs.front() < best->jobs.front())) {
                best = &lane;
                bestStart = start;
            }
        }
        const std::size_t job = best->jobs.front();
        best->jobs.pop_front();
        now = bestStart;
        best->finish = bestStart + queued[job].work;
        picked.push_back(job);
    }
    return picked;
}

void FairShare::started(const QString &submitter, double work)
{
    const double start = std::max(m_virtualTime, finishTag(submitter));
    m_virtualTime = start;
    m_finish[submitter] = start + std::max(0.0, work);
}

void FairShare::forgetIdle(const std::function<bool(const QString &)> &onBoard)
{
    for (auto it = m_finish.begin(); it != m_finish.end();) {
        const bool idle = !onBoard(it->first);
        if (idle && (it->second <= m_virtualTime || m_finish.size() > kMaxTracked))
            it = m_finish.erase(it);
        else
            ++it;
    }
}

} // namespace starling::jobs
