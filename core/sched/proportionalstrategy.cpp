#include "proportionalstrategy.h"

#include "apportionment.h"

namespace starling::sched {

std::vector<double> ProportionalStrategy::divisibleShares(const Platform &estimates,
                                                          const std::vector<int> &,
                                                          double load) const
{
    return proportionalShares(weights(estimates), load);
}

std::vector<long long> ProportionalStrategy::wholeShares(const Platform &estimates,
                                                         const std::vector<int> &order,
                                                         long long load) const
{
    return apportion(weights(estimates), load, order);
}

} // namespace starling::sched
