#include "loadranker.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace starling::sched {

namespace {

bool sameLoad(double a, double b)
{
    return std::abs(a - b) <= 1e-12 * std::max({1.0, std::abs(a), std::abs(b)});
}

} // namespace

LoadRanker::LoadRanker(std::uint64_t seed) : m_state(seed) {}

std::vector<int> LoadRanker::order(const std::vector<double> &loads)
{
    std::vector<int> nodes(loads.size());
    std::iota(nodes.begin(), nodes.end(), 0);
    std::stable_sort(nodes.begin(), nodes.end(),
                     [&](int a, int b) { return loads[size_t(a)] < loads[size_t(b)]; });
    // Each call draws from the ranker's own stream, so repeated ties are not always resolved
    // the same way (paper 1: "numbered in random order"), yet a seed replays exactly.
    std::mt19937_64 rng(m_state);
    m_state = rng();
    for (size_t begin = 0; begin < nodes.size();) {
        size_t end = begin + 1;
        while (end < nodes.size() &&
               sameLoad(loads[size_t(nodes[begin])], loads[size_t(nodes[end])]))
            ++end;
        for (size_t i = end - begin; i > 1; --i)
            std::swap(nodes[begin + i - 1], nodes[begin + size_t(rng() % i)]);
        begin = end;
    }
    return nodes;
}

std::vector<int> LoadRanker::ranks(const std::vector<int> &order)
{
    std::vector<int> rank(order.size());
    for (size_t r = 0; r < order.size(); ++r)
        rank[size_t(order[r])] = int(r);
    return rank;
}

} // namespace starling::sched
