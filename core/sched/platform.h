#pragma once

#include <QString>

#include <vector>

namespace starling::sched {

// One slave of the star platform as the scheduler sees it (paper 2's T_i and B_i).
struct SlaveSpec
{
    QString name;
    double unitComputeS = 1.0;  // T_i: seconds to compute one unit task
    double bandwidthMBps = 1.0; // B_i: master -> slave link, megabytes per second
    // Issue 16, affine costs per slave (0 = the linear model, today's behaviour exactly):
    double fixedComputeS = 0.0; // added to every chunk's compute (start-up, halo rows)
    double latencyS = 0.0;      // added to every message to or from this slave
};

// The star platform: a master that sends over one port, and its slaves. A unit task is
// `unitMB` megabytes of input; sending it to slave i takes unitMB / B_i seconds.
struct Platform
{
    double unitMB = 1.0;
    double startupS = 0.0;    // fixed cost per message (affine model); 0 = linear model
    double returnRatio = 0.0; // result size / input size; 0 = results are not sent back
    std::vector<SlaveSpec> slaves;

    int size() const { return static_cast<int>(slaves.size()); }
    // c_i: seconds to send one unit to slave i.
    double unitSendS(int i) const { return unitMB / slaves[size_t(i)].bandwidthMBps; }
    double unitComputeS(int i) const { return slaves[size_t(i)].unitComputeS; }
    // Fixed seconds of one message to or from slave i: the platform's start-up and its latency.
    double messageFixedS(int i) const { return startupS + slaves[size_t(i)].latencyS; }
    double chunkFixedComputeS(int i) const { return slaves[size_t(i)].fixedComputeS; }
    std::vector<double> bandwidths() const;
};

} // namespace starling::sched
