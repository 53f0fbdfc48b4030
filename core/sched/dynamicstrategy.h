#pragma once

#include "distributionstrategy.h"

namespace starling::sched {

// Self-scheduling by weighted factoring (Hummel et al.): idle slaves ask for work and the master
// answers with a chunk of `remaining / factor` scaled by the asking slave's part of the total
// rate. Chunks shrink as the work runs out, so a slave that turns slow late costs little, and
// the rates come from observed timings, so the split follows speeds nobody predicted.
class DynamicStrategy final : public DistributionStrategy
{
public:
    explicit DynamicStrategy(double factor = 2.0, long long minChunk = 1);

    StrategyKind kind() const override { return StrategyKind::Dynamic; }
    bool isDynamic() const override { return true; }

    // The expected outcome if estimates hold: shares in proportion to 1 / (c_i + w_i).
    std::vector<double> divisibleShares(const Platform &estimates, const std::vector<int> &order,
                                        double load) const override;
    std::vector<long long> wholeShares(const Platform &estimates, const std::vector<int> &order,
                                       long long load) const override;

    // Units for the next chunk of a slave with throughput `slaveRate` (units/s) when all slaves
    // together manage `totalRate`. Never more than `remaining`, never less than the minimum chunk.
    long long chunkSize(long long remaining, double slaveRate, double totalRate) const;
    double divisibleChunk(double remaining, double slaveRate, double totalRate) const;

private:
    std::vector<double> expectedRates(const Platform &estimates) const;

    double m_factor;
    long long m_minChunk;
};

} // namespace starling::sched
