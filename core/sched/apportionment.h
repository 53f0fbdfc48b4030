#pragma once

#include <vector>

namespace starling::sched {

// Whole-task split of `total` units in proportion to `weights` by the largest-remainder
// (Hamilton) method: every share is floor or ceil of its quota and the shares sum to `total`.
// Equal remainders go to the slave that comes first in `priority` (send order or load rank), so
// an equal split gives the extra units to rank 0 first, as paper 1 does with its bytes.
std::vector<long long> apportion(const std::vector<double> &weights, long long total,
                                 const std::vector<int> &priority);

// Real-valued split of `total` in proportion to `weights`.
std::vector<double> proportionalShares(const std::vector<double> &weights, double total);

// Paper 2's performance ratio as the smallest whole numbers: PF 1/3 : 1/2 : 1/6 -> 2 : 3 : 1.
// Values are read as fractions with denominators up to `maxDenominator`.
std::vector<long long> smallestIntegerRatio(const std::vector<double> &values,
                                            long long maxDenominator = 1000);

} // namespace starling::sched
