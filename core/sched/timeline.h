#pragma once

#include <vector>

namespace starling::sched {

// What happened to one chunk of units sent to one slave: the phases of paper 2's
// TTSN_i (send), CTN_i (compute) and TTNS_i (return). Times in seconds from the job's start.
struct ChunkRecord
{
    int slave = -1; // index in platform order
    double units = 0;
    double sendStart = 0;
    double sendEnd = 0;
    double computeStart = 0;
    double computeEnd = 0;
    double returnStart = 0; // equal to computeEnd when results are not returned
    double returnEnd = 0;
};

struct Timeline
{
    std::vector<ChunkRecord> chunks; // in the order the master sent them
    std::vector<double> shares;      // units per slave, platform order
    double makespan = 0;
};

} // namespace starling::sched
