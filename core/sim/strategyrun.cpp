#include "strategyrun.h"

#include "sched/dynamicstrategy.h"
#include "sched/makespanevaluator.h"
#include "sched/schedulingerror.h"

#include <cmath>
#include <random>

namespace starling::sim {

RunResult runStrategy(const sched::Platform &truth, const sched::Platform &estimates,
                      const RunSpec &spec, const SimOptions &options)
{
    if (!(spec.load >= 0) || (!spec.divisible && spec.load != std::floor(spec.load)))
        throw sched::SchedulingError("runStrategy: load must be >= 0, and whole unless divisible");
    RunResult result;
    result.spec = spec;
    result.sendOrder = sched::makeSendOrder(estimates.bandwidths(), spec.order, spec.seed);
    result.lowerBound = sched::makespanLowerBound(truth, spec.load);
    const StarSimulator simulator(truth, options);
    const auto strategy = sched::makeStrategy(spec.strategy, spec.pdds);
    if (strategy->isDynamic()) {
        result.timeline =
            simulator.runDynamic(static_cast<const sched::DynamicStrategy &>(*strategy), estimates,
                                 result.sendOrder, spec.load, spec.divisible);
        return result;
    }
    std::vector<double> shares;
    if (spec.divisible) {
        shares = strategy->divisibleShares(estimates, result.sendOrder, spec.load);
    } else {
        const auto whole =
            strategy->wholeShares(estimates, result.sendOrder, static_cast<long long>(spec.load));
        shares.assign(whole.begin(), whole.end());
    }
    result.timeline = simulator.runStatic(shares, result.sendOrder);
    return result;
}

sched::Platform perturbEstimates(const sched::Platform &truth, double maxRelativeError,
                                 std::uint64_t seed)
{
    if (!(maxRelativeError >= 0) || maxRelativeError >= 1)
        throw sched::SchedulingError("estimate error must be in [0, 1)");
    std::mt19937_64 rng(seed);
    // Our own uniform draw: std::uniform_real_distribution differs between standard libraries.
    const auto draw = [&] {
        const double u = double(rng() >> 11) * 0x1.0p-53; // [0, 1)
        return 1.0 + maxRelativeError * (2 * u - 1);
    };
    sched::Platform estimates = truth;
    for (sched::SlaveSpec &slave : estimates.slaves) {
        slave.unitComputeS *= draw();
        slave.bandwidthMBps *= draw();
    }
    return estimates;
}

} // namespace starling::sim
