#pragma once

#include <vector>

namespace starling::sim {

// From `atS` on, slave `slave` computes `computeFactor` times and sends `linkFactor` times
// slower than its nominal speed (factors are absolute: a later event replaces an earlier one).
struct SlowdownEvent
{
    int slave = 0;
    double atS = 0;
    double computeFactor = 1;
    double linkFactor = 1;
};

// When work of `nominalS` seconds that starts at `startS` ends, given a piecewise-constant
// slowdown factor that changes at `changes` (time, factor), sorted by time.
double stretchedFinish(double startS, double nominalS,
                       const std::vector<std::pair<double, double>> &changes);

} // namespace starling::sim
