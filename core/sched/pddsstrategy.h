#pragma once

#include "proportionalstrategy.h"

namespace starling::sched {

// PDDS (paper 2): PF_i = W1 * (1/T_i) / sum_j(1/T_j) + W2 * B_i / sum_j(B_j); shares follow
// the performance ratio PF_1 : ... : PF_n.
class PddsStrategy final : public ProportionalStrategy
{
public:
    explicit PddsStrategy(PddsWeights weights = {});

    StrategyKind kind() const override { return StrategyKind::Pdds; }
    std::vector<double> weights(const Platform &estimates) const override;
    // The performance function itself, one PF_i per slave.
    std::vector<double> performance(const Platform &estimates) const;

private:
    PddsWeights m_weights;
};

} // namespace starling::sched
