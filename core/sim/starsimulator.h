#pragma once

#include "sched/dynamicstrategy.h"
#include "sched/platform.h"
#include "sched/timeline.h"
#include "slowdownevent.h"

#include <vector>

namespace starling::sim {

struct SimOptions
{
    std::vector<SlowdownEvent> slowdowns;
    int prefetchDepth = 2;      // dynamic: chunks a slave keeps requested ahead of its work
    double rateSmoothing = 0.5; // dynamic: weight of the newest chunk in the per-unit averages
};

// A deterministic discrete-event simulator of paper 2's star: one master port that serves send
// and return requests first come, first served; slaves that compute the chunks they hold one
// after another. Static splits are sent in the given order; dynamic runs send the strategy's
// first round, then have slaves ask for chunks that the master sizes when the port is free to
// send them, from the link and CPU times it keeps observing (sched::DynamicLedger).
class StarSimulator
{
public:
    explicit StarSimulator(sched::Platform truth, SimOptions options = {});

    sched::Timeline runStatic(const std::vector<double> &shares,
                              const std::vector<int> &order) const;
    // `estimates` seed the master's rates; `divisible` lets chunks be fractions of a unit.
    sched::Timeline runDynamic(const sched::DynamicStrategy &strategy,
                               const sched::Platform &estimates, const std::vector<int> &order,
                               double load, bool divisible) const;

private:
    class Run;

    sched::Platform m_truth;
    SimOptions m_options;
};

} // namespace starling::sim
