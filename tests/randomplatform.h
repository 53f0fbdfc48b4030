#pragma once
// Seeded random platforms and small helpers shared by the scheduling tests.
#include "sched/platform.h"
#include "sched/sendorder.h"

#include <QString>

#include <random>
#include <vector>

namespace starling::testing {

// Uniform in [lo, hi) from the top 53 bits, so a seed gives the same platform everywhere.
inline double uniform(std::mt19937_64 &rng, double lo = 0, double hi = 1)
{
    return lo + (hi - lo) * double(rng() >> 11) * 0x1.0p-53;
}

struct RandomPlatformShape
{
    double unitMBLo = 1, unitMBHi = 20;
    double unitSLo = 0.1, unitSHi = 5;
    double bandwidthLo = 2, bandwidthHi = 200;
};

inline sched::Platform randomPlatform(std::mt19937_64 &rng, int n, double startupS = 0,
                                      double returnRatio = 0, RandomPlatformShape shape = {})
{
    sched::Platform p;
    p.unitMB = uniform(rng, shape.unitMBLo, shape.unitMBHi);
    p.startupS = startupS;
    p.returnRatio = returnRatio;
    for (int i = 0; i < n; ++i) {
        const double unitS = uniform(rng, shape.unitSLo, shape.unitSHi);
        const double bandwidth = uniform(rng, shape.bandwidthLo, shape.bandwidthHi);
        p.slaves.push_back({QStringLiteral("r%1").arg(i), unitS, bandwidth});
    }
    return p;
}

inline std::vector<int> decOrder(const sched::Platform &p)
{
    return sched::makeSendOrder(p.bandwidths(), sched::SendOrder::Decreasing);
}

} // namespace starling::testing
