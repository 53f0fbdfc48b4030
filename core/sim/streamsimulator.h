#pragma once

#include "sched/platform.h"
#include "sched/timeline.h"
#include "starsimulator.h"
#include "strategyrun.h"

#include <vector>

namespace starling::sim {

// One job of a stream: when it is submitted, what it really costs on each slave (its op and its
// unit size give T_i, B_i and the size of its results), what the master believes, and how it is
// split (`spec.load` whole unit tasks; `spec.divisible` is not used).
struct StreamJob
{
    double arrivalS = 0;
    sched::Platform truth;
    sched::Platform estimates; // no slaves: the master knows the truth
    RunSpec spec;
};

struct StreamJobResult
{
    double arrivalS = 0;
    double startS = 0; // when it left the queue and was planned
    double doneS = 0;  // its last result was in
    std::vector<int> sendOrder;
    sched::Timeline timeline; // absolute times (seconds since the stream began)

    double latencyS() const { return doneS - arrivalS; }
};

struct StreamResult
{
    std::vector<StreamJobResult> jobs; // in submission order

    // Jobs per second from the first arrival to the last result.
    double throughput() const;
    double meanLatencyS() const;
    // The smallest latency that at least 95% of the jobs do not exceed.
    double p95LatencyS() const;
};

// A stream of jobs on paper 2's star (issue 16), with StarSimulator's rules for each job and
// jobs::JobStream's across them: at most `overlap` jobs run at once, started first come, first
// served; the one port serves the earliest running job that has port work; a job that starts
// behind others is planned onto the backlog they leave (sched::Backlog); slaves compute what
// they hold earliest job first. `overlap` 1 runs the jobs one at a time, as the cluster always
// did. SimOptions: prefetch depth and rate smoothing of `dynamic` (slowdowns are not modelled).
class StreamSimulator
{
public:
    // Throws sched::SchedulingError for overlap < 1.
    explicit StreamSimulator(int overlap, SimOptions options = {});

    // Throws sched::SchedulingError for jobs out of arrival order, without slaves, or with
    // fewer than one whole unit task.
    StreamResult run(const std::vector<StreamJob> &jobs) const;

private:
    class Run;

    int m_overlap;
    SimOptions m_options;
};

} // namespace starling::sim
