#pragma once

#include "proportionalstrategy.h"

namespace starling::sched {

// Shares in proportion to link bandwidth B_i: right when transfer dominates (file blocks).
class BandwidthStrategy final : public ProportionalStrategy
{
public:
    StrategyKind kind() const override { return StrategyKind::Bandwidth; }
    std::vector<double> weights(const Platform &estimates) const override;
};

} // namespace starling::sched
