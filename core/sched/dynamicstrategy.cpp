#include "dynamicstrategy.h"

#include "apportionment.h"
#include "schedulingerror.h"

#include <algorithm>
#include <cmath>

namespace starling::sched {

DynamicStrategy::DynamicStrategy(double factor, long long minChunk)
    : m_factor(factor), m_minChunk(minChunk)
{
    if (!(factor >= 1) || minChunk < 1)
        throw SchedulingError("dynamic: factor must be >= 1 and the minimum chunk >= 1");
}

std::vector<double> DynamicStrategy::expectedRates(const Platform &estimates) const
{
    std::vector<double> rates;
    for (int i = 0; i < estimates.size(); ++i)
        rates.push_back(1.0 / (estimates.unitSendS(i) + estimates.unitComputeS(i)));
    return rates;
}

std::vector<double> DynamicStrategy::divisibleShares(const Platform &estimates,
                                                     const std::vector<int> &, double load) const
{
    return proportionalShares(expectedRates(estimates), load);
}

std::vector<long long> DynamicStrategy::wholeShares(const Platform &estimates,
                                                    const std::vector<int> &order,
                                                    long long load) const
{
    return apportion(expectedRates(estimates), load, order);
}

double DynamicStrategy::divisibleChunk(double remaining, double slaveRate, double totalRate) const
{
    if (!(slaveRate > 0) || !(totalRate >= slaveRate))
        throw SchedulingError("dynamic: rates must be positive and the total at least the part");
    // For divisible loads the minimum chunk is a fraction of the total, not one unit.
    const double chunk = remaining / m_factor * slaveRate / totalRate;
    return std::min(remaining, std::max(chunk, remaining * 1e-3));
}

long long DynamicStrategy::chunkSize(long long remaining, double slaveRate, double totalRate) const
{
    if (remaining <= 0)
        return 0;
    if (!(slaveRate > 0) || !(totalRate >= slaveRate))
        throw SchedulingError("dynamic: rates must be positive and the total at least the part");
    const double chunk = std::ceil(double(remaining) / m_factor * slaveRate / totalRate);
    return std::clamp(static_cast<long long>(chunk), std::min(m_minChunk, remaining), remaining);
}

} // namespace starling::sched
