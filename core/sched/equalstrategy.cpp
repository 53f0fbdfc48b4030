#include "equalstrategy.h"

namespace starling::sched {

std::vector<double> EqualStrategy::weights(const Platform &estimates) const
{
    return std::vector<double>(estimates.slaves.size(), 1.0);
}

} // namespace starling::sched
