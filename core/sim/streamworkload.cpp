#include "streamworkload.h"

#include "sched/schedulingerror.h"

#include <cmath>
#include <random>

namespace starling::sim {

double StreamWorkload::capacity() const
{
    double rate = 0;
    for (const sched::SlaveSpec &slave : base.slaves)
        rate += 1.0 / slave.unitComputeS;
    return rate;
}

double StreamWorkload::arrivalRate() const
{
    double meanWork = 0;
    for (const StreamJobKind &kind : kinds) {
        for (long long units : sizes)
            meanWork += double(units) * kind.computeFactor;
    }
    meanWork /= double(kinds.size() * sizes.size());
    return loadFraction * capacity() / meanWork;
}

std::vector<StreamJob> StreamWorkload::generate(std::vector<int> *kindOf) const
{
    if (base.slaves.empty() || kinds.empty() || sizes.empty() || jobs < 1)
        throw sched::SchedulingError("a stream needs slaves, job kinds, sizes and jobs");
    if (!(loadFraction > 0 && loadFraction <= 10))
        throw sched::SchedulingError("the stream's load must be in (0, 10] of capacity");
    for (long long units : sizes) {
        if (units < 1)
            throw sched::SchedulingError("a job of the stream needs at least one unit task");
    }
    std::mt19937_64 rng(seed);
    // Our own draws: the standard distributions differ between standard libraries.
    const auto uniform = [&] {
        return double(rng() >> 11) * 0x1.0p-53;
    };
    const double rate = arrivalRate();
    std::vector<StreamJob> stream;
    double t = 0;
    for (int i = 0; i < jobs; ++i) {
        t += -std::log(1 - uniform()) / rate;
        const auto kind = size_t(rng() % kinds.size());
        const long long units = sizes[size_t(rng() % sizes.size())];
        StreamJob job;
        job.arrivalS = t;
        job.truth = base;
        job.truth.unitMB *= kinds[kind].sizeFactor;
        job.truth.returnRatio = kinds[kind].returnRatio;
        for (sched::SlaveSpec &slave : job.truth.slaves)
            slave.unitComputeS *= kinds[kind].computeFactor;
        job.spec = spec;
        job.spec.load = double(units);
        stream.push_back(job);
        if (kindOf)
            kindOf->push_back(int(kind));
    }
    return stream;
}

} // namespace starling::sim
