#include "taskplacer.h"

namespace starling::cluster {

std::vector<int> TaskPlacer::place(std::vector<Candidate> candidates,
                                   const std::vector<double> &costsS)
{
    std::vector<int> placement;
    if (candidates.empty())
        return placement;
    placement.reserve(costsS.size());
    for (double cost : costsS) {
        // Where this task would finish soonest per unit of weight: the load it would leave.
        size_t best = 0;
        int ties = 1;
        double bestLoad = candidates[0].load + cost / candidates[0].weight;
        for (size_t i = 1; i < candidates.size(); ++i) {
            const double after = candidates[i].load + cost / candidates[i].weight;
            if (after < bestLoad - 1e-12) {
                best = i;
                bestLoad = after;
                ties = 1;
            } else if (after <= bestLoad + 1e-12) {
                // Reservoir choice among equals: each tied node equally likely.
                ++ties;
                if (std::uniform_int_distribution<int>(1, ties)(m_rng) == 1)
                    best = i;
            }
        }
        candidates[best].load += cost / candidates[best].weight;
        placement.push_back(candidates[best].rank);
    }
    return placement;
}

} // namespace starling::cluster
