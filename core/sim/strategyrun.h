#pragma once

#include "sched/distributionstrategy.h"
#include "sched/sendorder.h"
#include "sched/timeline.h"
#include "starsimulator.h"

#include <cstdint>

namespace starling::sim {

// One scheduling experiment: which strategy, in which send order, for how much work.
struct RunSpec
{
    sched::StrategyKind strategy = sched::StrategyKind::Pdds;
    sched::SendOrder order = sched::SendOrder::Decreasing;
    sched::PddsWeights pdds;
    std::uint64_t seed = 1; // for the random send order
    double load = 100;      // unit tasks
    bool divisible = false; // real-valued shares instead of whole tasks
};

struct RunResult
{
    RunSpec spec;
    std::vector<int> sendOrder;
    sched::Timeline timeline;
    double lowerBound = 0;
};

// Plans with `estimates` (what the master believes), runs on `truth` (what the slaves really
// do). With no estimate error and no slowdown both are the same platform.
RunResult runStrategy(const sched::Platform &truth, const sched::Platform &estimates,
                      const RunSpec &spec, const SimOptions &options = {});

// The master's belief when measurements are off: every T_i and B_i scaled by a factor drawn
// uniformly from [1 - maxRelativeError, 1 + maxRelativeError] (seeded).
sched::Platform perturbEstimates(const sched::Platform &truth, double maxRelativeError,
                                 std::uint64_t seed);

} // namespace starling::sim
