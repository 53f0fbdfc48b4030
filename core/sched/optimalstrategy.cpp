#include "optimalstrategy.h"

#include "apportionment.h"
#include "backlog.h"
#include "makespanevaluator.h"
#include "schedulingerror.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace starling::sched {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Shares (in send order) for the first `participants` slaves of `order`, all finishing together.
// Each share is affine in alpha_1: alpha_k = a_k * alpha_1 + b_k.
std::vector<double> equalFinishShares(const Platform &p, const std::vector<int> &order,
                                      size_t participants, double load)
{
    std::vector<double> a(participants), b(participants);
    a[0] = 1;
    b[0] = 0;
    for (size_t k = 0; k + 1 < participants; ++k) {
        const int cur = order[k];
        const int next = order[k + 1];
        const double denominator = p.unitSendS(next) + p.unitComputeS(next);
        a[k + 1] = a[k] * p.unitComputeS(cur) / denominator;
        // Equal finish: S_k + f_k + alpha_k w_k = S_k + s_{k+1} + f_{k+1} + alpha_{k+1}(c+w),
        // with s the next message's fixed cost and f each chunk's fixed compute.
        b[k + 1] = (b[k] * p.unitComputeS(cur) + p.chunkFixedComputeS(cur) - p.messageFixedS(next) -
                    p.chunkFixedComputeS(next)) /
                   denominator;
    }
    double sumA = 0, sumB = 0;
    for (size_t k = 0; k < participants; ++k) {
        sumA += a[k];
        sumB += b[k];
    }
    const double alpha1 = (load - sumB) / sumA;
    std::vector<double> shares(participants);
    for (size_t k = 0; k < participants; ++k)
        shares[k] = a[k] * alpha1 + b[k];
    return shares;
}

void checkInputs(const Platform &p, const std::vector<int> &order, double load)
{
    if (p.slaves.empty() || order.size() != p.slaves.size())
        throw SchedulingError("optimal split: the order must name every slave once");
    if (!(load >= 0))
        throw SchedulingError("optimal split: the load must be non-negative");
}

// Least port time to place every number of tasks 0..load on the slaves of `order` so that each
// finishes by `deadline`; returns the shares if `load` fits, else nothing. Behind a backlog the
// port starts when it is free and a slave computes from max(arrival, when it is free).
std::optional<std::vector<long long>> fitByDeadline(const Platform &p,
                                                    const std::vector<int> &order, long long load,
                                                    double deadline, const Backlog &backlog)
{
    const size_t n = order.size();
    const auto width = size_t(load) + 1;
    std::vector<double> port(width, kInfinity);
    port[0] = backlog.portFreeS;
    std::vector<std::vector<long long>> choice(n, std::vector<long long>(width, 0));
    for (size_t k = 0; k < n; ++k) {
        const int slave = order[k];
        const double c = p.unitSendS(slave);
        const double w = p.unitComputeS(slave);
        const double message = p.messageFixedS(slave);
        const double fixedCompute = p.chunkFixedComputeS(slave);
        const double ready = backlog.slaveFree(slave);
        std::vector<double> next = port; // giving this slave nothing keeps the port time
        for (size_t m = 1; m < width; ++m) {
            for (size_t units = 1; units <= m; ++units) {
                const double before = port[m - units];
                if (before == kInfinity)
                    continue;
                const double arrival = before + message + double(units) * c;
                // Idle slave: the idle star's expression, bit for bit.
                const double finish =
                    ready > arrival ? ready + double(units) * w + fixedCompute
                                    : before + message + double(units) * (c + w) + fixedCompute;
                if (finish > deadline)
                    continue; // a smaller `before` for larger `units` may still fit
                if (arrival < next[m]) {
                    next[m] = arrival;
                    choice[k][m] = static_cast<long long>(units);
                }
            }
        }
        port = std::move(next);
    }
    if (port[size_t(load)] == kInfinity)
        return std::nullopt;
    std::vector<long long> shares(n, 0);
    long long m = load;
    for (size_t k = n; k-- > 0;) {
        shares[size_t(order[k])] = choice[k][size_t(m)];
        m -= choice[k][size_t(m)];
    }
    return shares;
}

std::vector<double> toDouble(const std::vector<long long> &shares)
{
    return {shares.begin(), shares.end()};
}

// The makespan (from the job's start) of a static split sent in `order` behind `backlog`.
double makespanAfter(const Platform &p, const std::vector<long long> &shares,
                     const std::vector<int> &order, const Backlog &backlog)
{
    if (backlog.isEmpty())
        return evaluateSchedule(p, toDouble(shares), order).makespan;
    double port = backlog.portFreeS;
    double makespan = 0;
    for (int slave : order) {
        const auto units = double(shares[size_t(slave)]);
        if (units <= 0)
            continue;
        port += p.startupS + units * p.unitSendS(slave);
        makespan = std::max(makespan, std::max(port, backlog.slaveFree(slave)) +
                                          units * p.unitComputeS(slave));
    }
    return makespan;
}

} // namespace

std::vector<double> OptimalStrategy::divisibleShares(const Platform &estimates,
                                                     const std::vector<int> &order,
                                                     double load) const
{
    checkInputs(estimates, order, load);
    std::vector<double> shares(estimates.slaves.size(), 0.0);
    if (load == 0)
        return shares;
    for (size_t participants = order.size(); participants >= 1; --participants) {
        const std::vector<double> inOrder = equalFinishShares(estimates, order, participants, load);
        bool allPositive = true;
        for (double share : inOrder)
            allPositive = allPositive && share > 0;
        if (!allPositive && participants > 1)
            continue;
        for (size_t k = 0; k < participants; ++k)
            shares[size_t(order[k])] = inOrder[k];
        return shares;
    }
    return shares;
}

double OptimalStrategy::divisibleMakespan(const Platform &estimates, const std::vector<int> &order,
                                          double load)
{
    const std::vector<double> shares = OptimalStrategy().divisibleShares(estimates, order, load);
    return evaluateSchedule(Platform{estimates.unitMB, estimates.startupS, 0.0, estimates.slaves},
                            shares, order)
        .makespan;
}

std::vector<long long> OptimalStrategy::wholeShares(const Platform &estimates,
                                                    const std::vector<int> &order,
                                                    long long load) const
{
    return wholeSharesAfter(estimates, order, load, Backlog{});
}

std::vector<long long> OptimalStrategy::wholeSharesAfter(const Platform &estimates,
                                                         const std::vector<int> &order,
                                                         long long load,
                                                         const Backlog &backlog) const
{
    checkInputs(estimates, order, double(load));
    Platform model = estimates;
    model.returnRatio = 0;
    if (load == 0)
        return std::vector<long long>(estimates.slaves.size(), 0);

    // Start from a feasible whole split (the rounded divisible one) and tighten the deadline:
    // every feasible deadline yields a split whose real makespan becomes the new upper end, so
    // the answer is the makespan of a real split, exact up to the search tolerance.
    std::vector<long long> best =
        apportion(divisibleShares(model, order, double(load)), load, order);
    double hi = makespanAfter(model, best, order, backlog);
    // A backlog only delays, so the bound of an idle star still holds.
    double lo = makespanLowerBound(model, double(load)) * (1 - 1e-12);
    for (int iteration = 0; iteration < 200 && hi - lo > 1e-12 * hi; ++iteration) {
        const double mid = lo + (hi - lo) / 2;
        if (auto fit = fitByDeadline(model, order, load, mid, backlog)) {
            best = *fit;
            hi = makespanAfter(model, best, order, backlog);
        } else {
            lo = mid;
        }
    }
    return best;
}

} // namespace starling::sched
