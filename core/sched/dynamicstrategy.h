#pragma once

#include "distributionstrategy.h"
#include "dynamicledger.h"

namespace starling::sched {

// Self-scheduling that prices the master's one port. The first round is the optimal one-round
// split (OptimalStrategy, in the send order) of a large part of the load; the rest goes out in
// chunks sized when the port is free to send them: the master re-plans the remainder as a
// one-round optimum from that instant, with each slave starting when it should run dry and
// the port sending in the send order, and gives the asking slave a `factor`-th of its planned
// part. A slave with a slow link gets little or nothing (its chunk would hold the port
// longer than it is worth), a slave that turns slow late gets less as soon as a result shows
// it, and what is left shrinks, so a late surprise costs little.
class DynamicStrategy final : public DistributionStrategy
{
public:
    // `firstRound` in (0, 1]: the part of the load planned up front; `factor` >= 1: how much
    // of its planned part an asking slave gets; chunks of whole tasks are >= `minChunk`.
    explicit DynamicStrategy(double firstRound = 0.5, double factor = 2.0, long long minChunk = 1);

    StrategyKind kind() const override { return StrategyKind::Dynamic; }
    bool isDynamic() const override { return true; }

    // The expected outcome if estimates hold: the one-round optimum of the whole load.
    std::vector<double> divisibleShares(const Platform &estimates, const std::vector<int> &order,
                                        double load) const override;
    std::vector<long long> wholeShares(const Platform &estimates, const std::vector<int> &order,
                                       long long load) const override;

    // Per slave (platform order), what the first round sends, in `order`.
    std::vector<double> firstRound(const Platform &estimates, const std::vector<int> &order,
                                   double load, bool divisible) const;
    // Units for `slave`'s next chunk, its send starting at `now`, `remaining` units unassigned.
    // 0: the slave is not worth a chunk (never when no other live slave will ask again, as
    // told by `othersWillAsk`); whole tasks unless `divisible`; never more than `remaining`.
    double nextChunk(const DynamicLedger &ledger, const std::vector<int> &order, int slave,
                     double now, double remaining, bool divisible, bool othersWillAsk) const;

    // The one-round optimum of `remaining` units from `now`, per slave (platform order): the
    // port sends to the live slaves in `order`; a slave starts on its part when the part has
    // arrived and the slave has run dry (DynamicLedger::readyAt). All finish together.
    static std::vector<double> remainderPlan(const DynamicLedger &ledger,
                                             const std::vector<int> &order, double now,
                                             double remaining);

private:
    double m_firstRound;
    double m_factor;
    long long m_minChunk;
};

} // namespace starling::sched
