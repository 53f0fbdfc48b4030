#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace starling::cluster {

// Paper 1's dispatch: each request goes to the currently lightest node, where a node's load is
// its measured load (from the monitor's latest snapshot) plus what this batch already gave it,
// divided by its weight W_i. Ties are broken in random order (seeded).
class TaskPlacer
{
public:
    struct Candidate
    {
        int rank = 0;
        double load = 0;   // seconds of standard work per unit weight, from the snapshot
        double weight = 1; // W_i
    };

    explicit TaskPlacer(std::uint64_t seed = 1) : m_rng(seed) {}

    // For each cost (seconds), the rank it goes to. Empty candidates -> empty result.
    std::vector<int> place(std::vector<Candidate> candidates, const std::vector<double> &costsS);

private:
    std::mt19937_64 m_rng;
};

} // namespace starling::cluster
