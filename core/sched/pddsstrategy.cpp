#include "pddsstrategy.h"

#include "schedulingerror.h"

namespace starling::sched {

PddsStrategy::PddsStrategy(PddsWeights weights) : m_weights(weights)
{
    if (!(weights.w1 >= 0) || !(weights.w2 >= 0) || weights.w1 + weights.w2 <= 0)
        throw SchedulingError("PDDS weights must be non-negative and not both zero");
}

std::vector<double> PddsStrategy::weights(const Platform &estimates) const
{
    return performance(estimates);
}

std::vector<double> PddsStrategy::performance(const Platform &estimates) const
{
    double speedSum = 0;
    double bandwidthSum = 0;
    for (const SlaveSpec &slave : estimates.slaves) {
        speedSum += 1.0 / slave.unitComputeS;
        bandwidthSum += slave.bandwidthMBps;
    }
    std::vector<double> pf;
    for (const SlaveSpec &slave : estimates.slaves) {
        pf.push_back(m_weights.w1 * (1.0 / slave.unitComputeS) / speedSum +
                     m_weights.w2 * slave.bandwidthMBps / bandwidthSum);
    }
    return pf;
}

} // namespace starling::sched
