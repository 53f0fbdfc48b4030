#pragma once

#include <cstdint>
#include <vector>

namespace starling::sched {

// Paper 1's numbering: the lightest node gets rank 0, heavier nodes larger ranks, and nodes
// with equal load are numbered in random order (seeded, so tests and replays are exact).
class LoadRanker
{
public:
    explicit LoadRanker(std::uint64_t seed = 1);

    // Node indices from lightest (rank 0) to heaviest.
    std::vector<int> order(const std::vector<double> &loads);
    // rank[i] of node i; the inverse of order().
    static std::vector<int> ranks(const std::vector<int> &order);

private:
    std::uint64_t m_state;
};

} // namespace starling::sched
