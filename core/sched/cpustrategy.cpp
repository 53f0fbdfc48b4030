#include "cpustrategy.h"

namespace starling::sched {

std::vector<double> CpuStrategy::weights(const Platform &estimates) const
{
    std::vector<double> result;
    for (const SlaveSpec &slave : estimates.slaves)
        result.push_back(1.0 / slave.unitComputeS);
    return result;
}

} // namespace starling::sched
