#pragma once

#include "distributionstrategy.h"

namespace starling::sched {

// Strategies that split in proportion to one number per slave (Eq_ds, cpu_ds, bw, PDDS).
// Whole tasks are apportioned by largest remainder with send order breaking ties.
class ProportionalStrategy : public DistributionStrategy
{
public:
    virtual std::vector<double> weights(const Platform &estimates) const = 0;

    std::vector<double> divisibleShares(const Platform &estimates, const std::vector<int> &order,
                                        double load) const override;
    std::vector<long long> wholeShares(const Platform &estimates, const std::vector<int> &order,
                                       long long load) const override;
};

} // namespace starling::sched
