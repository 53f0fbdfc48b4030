#pragma once

#include "distributionstrategy.h"

namespace starling::sched {

struct Backlog;

// Divisible-load theory's optimal split for the one-port star, for a given send order.
// Linear costs: alpha_{k+1} = alpha_k * w_k / (c_{k+1} + w_{k+1}), all slaves finish together.
// Affine costs (start-up s per message): alpha_{k+1} = (alpha_k * w_k - s) / (c_{k+1} + w_{k+1});
// slaves at the end of the order whose share would be <= 0 are dropped.
// Whole unit tasks: the exact optimum for the order, found by a dynamic programme over
// (slaves served, tasks placed) -> least port time, inside a search on the makespan; not a
// rounding of the divisible split. Returned results are not part of this model.
class OptimalStrategy final : public DistributionStrategy
{
public:
    StrategyKind kind() const override { return StrategyKind::Optimal; }

    std::vector<double> divisibleShares(const Platform &estimates, const std::vector<int> &order,
                                        double load) const override;
    std::vector<long long> wholeShares(const Platform &estimates, const std::vector<int> &order,
                                       long long load) const override;
    // The same optimum for a job that starts behind others (a stream of jobs): its sends wait
    // for the port, and each slave computes once it is free; finish = max(arrival, free) +
    // compute. An empty backlog gives wholeShares().
    std::vector<long long> wholeSharesAfter(const Platform &estimates,
                                            const std::vector<int> &order, long long load,
                                            const Backlog &backlog) const;

    // Makespan of the divisible optimum: s + alpha_1 * (c_1 + w_1).
    static double divisibleMakespan(const Platform &estimates, const std::vector<int> &order,
                                    double load);
};

} // namespace starling::sched
