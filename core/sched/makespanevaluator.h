#pragma once

#include "platform.h"
#include "timeline.h"

#include <vector>

namespace starling::sched {

// Closed-form timeline of a static split on the one-port star: the master sends every non-empty
// share in `order`, back to back (start-up cost + units * c_i each); a slave computes as soon as
// its share has arrived; if results return, the port takes them after the last send, in order of
// compute completion. The simulator produces the same numbers event by event.
Timeline evaluateSchedule(const Platform &platform, const std::vector<double> &shares,
                          const std::vector<int> &order);

// The bound `T >= L / rho*` with `rho* = max sum x_i` subject to `sum x_i c_i <= 1` and
// `0 <= x_i <= 1/w_i` (a fractional knapsack: fill the cheapest links first). Valid for any
// schedule, whole or divisible, with or without start-up costs.
double makespanLowerBound(const Platform &platform, double load);

} // namespace starling::sched
