#include "dynamicstrategy.h"

#include "optimalstrategy.h"
#include "schedulingerror.h"

#include <algorithm>
#include <cmath>

namespace starling::sched {

namespace {

// Divisible chunks smaller than this share of a unit task are not worth a message of their own.
constexpr double kDivisibleGrain = 0.05;

// Parts of a remainder the slaves of `sequence` finish by `deadline`, the port free at `now`.
std::vector<double> partsByDeadline(const DynamicLedger &ledger, const std::vector<int> &sequence,
                                    double now, double deadline)
{
    std::vector<double> parts(size_t(ledger.size()), 0.0);
    double port = now;
    for (int slave : sequence) {
        const double c = ledger.unitSendS(slave);
        const double w = ledger.unitComputeS(slave);
        // It ends at max(port + s + x c, ready) + x w, which must not pass the deadline.
        const double byPort = (deadline - port - ledger.startupS()) / (c + w);
        const double byReady = w > 0 ? (deadline - ledger.readyAt(slave, now)) / w : byPort;
        const double x = std::min(byPort, byReady);
        if (!(x > 0))
            continue;
        parts[size_t(slave)] = x;
        port += ledger.startupS() + x * c;
    }
    return parts;
}

double sum(const std::vector<double> &values)
{
    double total = 0;
    for (double v : values)
        total += v;
    return total;
}

} // namespace

DynamicStrategy::DynamicStrategy(double firstRound, double factor, long long minChunk)
    : m_firstRound(firstRound), m_factor(factor), m_minChunk(minChunk)
{
    if (!(firstRound > 0 && firstRound <= 1) || !(factor >= 1) || minChunk < 1)
        throw SchedulingError("dynamic: the first round must be in (0, 1], the factor >= 1 and "
                              "the minimum chunk >= 1");
}

std::vector<double> DynamicStrategy::divisibleShares(const Platform &estimates,
                                                     const std::vector<int> &order,
                                                     double load) const
{
    return OptimalStrategy().divisibleShares(estimates, order, load);
}

std::vector<long long> DynamicStrategy::wholeShares(const Platform &estimates,
                                                    const std::vector<int> &order,
                                                    long long load) const
{
    return OptimalStrategy().wholeShares(estimates, order, load);
}

std::vector<double> DynamicStrategy::firstRound(const Platform &estimates,
                                                const std::vector<int> &order, double load,
                                                bool divisible) const
{
    if (divisible)
        return divisibleShares(estimates, order, load * m_firstRound);
    const auto units = static_cast<long long>(std::floor(load * m_firstRound));
    const std::vector<long long> whole = wholeShares(estimates, order, units);
    return {whole.begin(), whole.end()};
}

std::vector<double> DynamicStrategy::remainderPlan(const DynamicLedger &ledger,
                                                   const std::vector<int> &order, double now,
                                                   double remaining)
{
    // In the send order, not the asking slave first: a slave on a slow link then plans as the
    // last one served, and its part shows what its link is worth.
    std::vector<int> sequence;
    for (int slave : order) {
        if (ledger.isLive(slave))
            sequence.push_back(slave);
    }
    if (sequence.empty())
        return std::vector<double>(size_t(ledger.size()), 0.0);
    // Giving everything to the first slave meets this deadline; the plan's deadline is the
    // least that places the whole remainder.
    const int first = sequence.front();
    double hi = std::max(now + ledger.startupS() + remaining * ledger.unitSendS(first),
                         ledger.readyAt(first, now)) +
                remaining * ledger.unitComputeS(first);
    double lo = now;
    for (int iteration = 0; iteration < 100 && hi - lo > 1e-12 * hi; ++iteration) {
        const double mid = lo + (hi - lo) / 2;
        (sum(partsByDeadline(ledger, sequence, now, mid)) >= remaining ? hi : lo) = mid;
    }
    std::vector<double> parts = partsByDeadline(ledger, sequence, now, hi);
    const double placed = sum(parts);
    if (placed > 0) {
        for (double &part : parts)
            part *= remaining / placed;
    }
    return parts;
}

double DynamicStrategy::nextChunk(const DynamicLedger &ledger, const std::vector<int> &order,
                                  int slave, double now, double remaining, bool divisible,
                                  bool othersWillAsk) const
{
    const double grain = divisible ? kDivisibleGrain * double(m_minChunk) : double(m_minChunk);
    if (!(remaining > 1e-12) || !ledger.isLive(slave))
        return 0;
    if (!divisible)
        remaining = std::round(remaining);
    const double planned = remainderPlan(ledger, order, now, remaining)[size_t(slave)];
    if (planned < grain / 2 && othersWillAsk)
        return 0; // its link or its queue makes a chunk cost more than it brings
    double chunk = std::clamp(planned / m_factor, std::min(grain, remaining), remaining);
    if (!divisible)
        chunk = std::max(std::min(grain, remaining), std::round(chunk));
    // Leftovers too small for a chunk of their own go with this one.
    if (remaining - chunk < grain)
        chunk = remaining;
    return chunk;
}

} // namespace starling::sched
