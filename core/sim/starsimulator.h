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
    double rateSmoothing = 0.5; // dynamic: weight of the newest observation in the rate average
};

// A deterministic discrete-event simulator of paper 2's star: one master port that serves send
// and return requests first come, first served; slaves that compute the chunks they hold one
// after another. Static splits are sent in the given order; dynamic runs have slaves ask for
// chunks and the master size them by weighted factoring from rates it keeps observing.
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
