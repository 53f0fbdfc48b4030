#pragma once

#include "proportionalstrategy.h"

namespace starling::sched {

// Eq_ds (paper 2) and paper 1's block allocation: the same share for every slave; the units
// that do not divide evenly go one each to the slaves first in order.
class EqualStrategy final : public ProportionalStrategy
{
public:
    StrategyKind kind() const override { return StrategyKind::Equal; }
    std::vector<double> weights(const Platform &estimates) const override;
};

} // namespace starling::sched
