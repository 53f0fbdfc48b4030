#include "apportionment.h"

#include "schedulingerror.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace starling::sched {

namespace {

struct Fraction
{
    long long num = 0;
    long long den = 1;
};

// Best rational approximation with a bounded denominator (continued fractions).
Fraction toFraction(double x, long long maxDen)
{
    long long h0 = 0, h1 = 1, k0 = 1, k1 = 0;
    double rest = x;
    for (int i = 0; i < 64; ++i) {
        const double a = std::floor(rest);
        const auto ai = static_cast<long long>(a);
        const long long h2 = ai * h1 + h0;
        const long long k2 = ai * k1 + k0;
        if (k2 > maxDen)
            break;
        h0 = h1, h1 = h2, k0 = k1, k1 = k2;
        const double frac = rest - a;
        if (frac < 1e-12 || std::abs(double(h1) / double(k1) - x) < 1e-12 * std::max(1.0, x))
            break;
        rest = 1.0 / frac;
    }
    return {h1, k1};
}

} // namespace

std::vector<long long> apportion(const std::vector<double> &weights, long long total,
                                 const std::vector<int> &priority)
{
    const size_t n = weights.size();
    if (n == 0 || total < 0)
        throw SchedulingError("apportion: need at least one slave and a non-negative total");
    if (priority.size() != n)
        throw SchedulingError("apportion: priority must name every slave once");
    double sum = 0;
    for (double w : weights) {
        if (!(w >= 0) || !std::isfinite(w))
            throw SchedulingError("apportion: weights must be finite and non-negative");
        sum += w;
    }
    std::vector<long long> shares(n, 0);
    if (sum <= 0)
        throw SchedulingError("apportion: at least one weight must be positive");

    std::vector<double> remainder(n, 0);
    long long given = 0;
    for (size_t i = 0; i < n; ++i) {
        const double quota = double(total) * weights[i] / sum;
        shares[i] = static_cast<long long>(std::floor(quota));
        remainder[i] = quota - double(shares[i]);
        given += shares[i];
    }
    // Rank of each slave in the priority list breaks ties among equal remainders.
    std::vector<size_t> position(n);
    for (size_t p = 0; p < n; ++p)
        position[size_t(priority[p])] = p;
    std::vector<size_t> byRemainder(n);
    std::iota(byRemainder.begin(), byRemainder.end(), size_t(0));
    std::sort(byRemainder.begin(), byRemainder.end(), [&](size_t a, size_t b) {
        if (std::abs(remainder[a] - remainder[b]) > 1e-9)
            return remainder[a] > remainder[b];
        return position[a] < position[b];
    });
    // Floating rounding can leave `given` one off either way; correct it here.
    for (size_t k = 0; given < total; k = (k + 1) % n) {
        if (weights[byRemainder[k]] > 0) {
            ++shares[byRemainder[k]];
            ++given;
        }
    }
    for (size_t k = n; given > total; k = (k == 0 ? n : k) - 1) {
        if (k < n && shares[byRemainder[k]] > 0) {
            --shares[byRemainder[k]];
            --given;
        }
    }
    return shares;
}

std::vector<double> proportionalShares(const std::vector<double> &weights, double total)
{
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (weights.empty() || !(sum > 0))
        throw SchedulingError("proportionalShares: at least one weight must be positive");
    std::vector<double> shares;
    shares.reserve(weights.size());
    for (double w : weights)
        shares.push_back(total * w / sum);
    return shares;
}

std::vector<long long> smallestIntegerRatio(const std::vector<double> &values,
                                            long long maxDenominator)
{
    double smallest = 0;
    for (double v : values) {
        if (!(v >= 0) || !std::isfinite(v))
            throw SchedulingError("smallestIntegerRatio: values must be finite and non-negative");
        if (v > 0 && (smallest == 0 || v < smallest))
            smallest = v;
    }
    if (smallest == 0)
        throw SchedulingError("smallestIntegerRatio: at least one value must be positive");
    std::vector<Fraction> fractions;
    long long lcm = 1;
    for (double v : values) {
        fractions.push_back(toFraction(v / smallest, maxDenominator));
        lcm = std::lcm(lcm, fractions.back().den);
    }
    std::vector<long long> ratio;
    long long gcd = 0;
    for (const Fraction &f : fractions) {
        ratio.push_back(f.num * (lcm / f.den));
        gcd = std::gcd(gcd, ratio.back());
    }
    for (long long &r : ratio)
        r /= gcd;
    return ratio;
}

} // namespace starling::sched
