#pragma once

#include <vector>

namespace starling::sched {

// What the monitor knows of one node when it computes the node's load.
struct LoadSample
{
    double weight = 1.0;           // W_i, operator-set allocation weight (> 0)
    std::vector<double> pending;   // g1 costs of the requests queued or running on the node
    double cpuUtilisation = 0;     // 0..1 (whole node)
    double networkUtilisation = 0; // 0..1 of the node's link capacity
    int connections = 0;           // open client connections
    int queueLength = 0;           // tasks waiting in its queue
};

// Coefficients that turn the real-load terms into seconds of standard-node work.
struct LoadTerms
{
    double cpuS = 1.0;         // a saturated CPU counts as 1 s of pending work
    double networkS = 1.0;     // a saturated link counts as 1 s of pending work
    double connectionS = 0.02; // each open connection
    double queueS = 0.01;      // each queued task, on top of its own cost
};

// Paper 1's load and Starling's real load, in one place:
//   load_i      = sum(pending costs) / W_i
//   realLoad_i  = (sum(pending costs) + cpuS*cpu + networkS*net + connectionS*conn
//                  + queueS*queue) / W_i
// Both are "seconds of standard-node work per unit of weight": lower is lighter.
class LoadModel
{
public:
    explicit LoadModel(LoadTerms terms = {});

    static double paperLoad(const LoadSample &sample);
    double realLoad(const LoadSample &sample) const;
    const LoadTerms &terms() const { return m_terms; }

private:
    LoadTerms m_terms;
};

} // namespace starling::sched
