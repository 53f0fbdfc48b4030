#pragma once

#include "proportionalstrategy.h"

namespace starling::sched {

// cpu_ds (paper 2's baseline): shares in proportion to compute speed 1/T_i, links ignored.
class CpuStrategy final : public ProportionalStrategy
{
public:
    StrategyKind kind() const override { return StrategyKind::Cpu; }
    std::vector<double> weights(const Platform &estimates) const override;
};

} // namespace starling::sched
