#pragma once

#include "sim/streamworkload.h"

#include <vector>

namespace starling::bench {

// Upper bounds on the throughput of a stream of jobs that no schedule can beat (issue 16's 1.3x
// goal examined): the arrivals, the slaves' compute and the master's one port. The port bound
// lets every job's work be split freely over the slaves (fractional shares, no idle time), with
// each kind's bytes (input sent + results returned) paid on the link of the slave that computes
// it, one transfer at a time; so it is a bound for any split, order and overlap.
class StreamBound
{
public:
    explicit StreamBound(sim::StreamWorkload workload) : m_workload(std::move(workload)) {}

    // In jobs per second, from the workload's mix (a stream without end).
    double offeredRate() const { return m_workload.arrivalRate(); }
    double computeRate() const; // sum_i 1/T_i over the mean work of a job
    double portRate() const;    // the port alone, every byte over the fastest link
    // Compute and port together: the most jobs per second any split can keep up with.
    double jointRate() const;
    // min(offered, joint): what no schedule sustains beyond.
    double rate() const;

    // The same for the finite stream as throughput is measured (jobs / (last result - first
    // arrival)): the last job arrives when it does and needs at least its own work over the
    // whole platform; all the work needs the platform and the port for at least jointSeconds.
    double streamThroughput(const std::vector<sim::StreamJob> &jobs) const;

private:
    struct Demand
    {
        double work = 0;      // platform unit tasks
        double mbPerWork = 0; // MB through the port per platform unit task
    };
    // The least time in which the slaves and the port together get through these demands.
    double jointSeconds(std::vector<Demand> demands) const;
    bool feasible(const std::vector<Demand> &demands, double seconds) const;
    double meanWork() const;
    std::vector<Demand> meanDemands() const; // per kind, for one mean job

    sim::StreamWorkload m_workload;
};

} // namespace starling::bench
