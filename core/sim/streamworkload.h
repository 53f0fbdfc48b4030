#pragma once

#include "streamsimulator.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace starling::sim {

// A kind of job in a mixed stream: its op, as it weighs on the platform's unit task.
struct StreamJobKind
{
    QString name;
    double computeFactor = 1; // T_i of one of its units / T_i of the platform's unit
    double sizeFactor = 1;    // megabytes of one of its units / the platform's unitMB
    double returnRatio = 1;   // result bytes / input bytes
};

// A seeded stream of mixed jobs with Poisson arrivals at a given fraction of capacity
// (issue 16's benchmark). Capacity is the slaves' aggregate compute rate, sum_i 1 / T_i unit
// tasks of the platform per second; a job of u units of a kind with compute factor f is
// u * f of them. Jobs pick a kind and a size uniformly; arrivals have the rate
// loadFraction * capacity / (mean units * factor per job).
struct StreamWorkload
{
    sched::Platform base;
    std::vector<StreamJobKind> kinds;
    std::vector<long long> sizes; // unit tasks per job
    double loadFraction = 0.9;
    int jobs = 200;
    std::uint64_t seed = 1;
    RunSpec spec; // strategy and send order of every job; `load` is set per job

    // Unit tasks of the platform per second that the slaves compute together.
    double capacity() const;
    // Jobs per second submitted on average.
    double arrivalRate() const;
    // The stream; `kindOf`, if given, receives each job's kind index. Throws
    // sched::SchedulingError for an empty platform, kind or size list, a load fraction outside
    // (0, 10], or fewer than one job.
    std::vector<StreamJob> generate(std::vector<int> *kindOf = nullptr) const;
};

} // namespace starling::sim
