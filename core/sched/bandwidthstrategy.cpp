#include "bandwidthstrategy.h"

namespace starling::sched {

std::vector<double> BandwidthStrategy::weights(const Platform &estimates) const
{
    return estimates.bandwidths();
}

} // namespace starling::sched
