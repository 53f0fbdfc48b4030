#include "streambound.h"

#include <algorithm>

namespace starling::bench {

double StreamBound::meanWork() const
{
    double work = 0;
    for (const sim::StreamJobKind &kind : m_workload.kinds) {
        for (long long units : m_workload.sizes)
            work += double(units) * kind.computeFactor;
    }
    return work / double(m_workload.kinds.size() * m_workload.sizes.size());
}

std::vector<StreamBound::Demand> StreamBound::meanDemands() const
{
    double meanUnits = 0;
    for (long long units : m_workload.sizes)
        meanUnits += double(units);
    meanUnits /= double(m_workload.sizes.size());
    std::vector<Demand> demands;
    for (const sim::StreamJobKind &kind : m_workload.kinds) {
        const double mbPerUnit = m_workload.base.unitMB * kind.sizeFactor * (1 + kind.returnRatio);
        demands.push_back({meanUnits * kind.computeFactor / double(m_workload.kinds.size()),
                           mbPerUnit / kind.computeFactor});
    }
    return demands;
}

double StreamBound::computeRate() const
{
    return m_workload.capacity() / meanWork();
}

double StreamBound::portRate() const
{
    double fastest = 0;
    for (const sched::SlaveSpec &slave : m_workload.base.slaves)
        fastest = std::max(fastest, slave.bandwidthMBps);
    double mb = 0;
    for (const Demand &d : meanDemands())
        mb += d.work * d.mbPerWork;
    return fastest / mb;
}

double StreamBound::jointRate() const
{
    // Every constraint scales with the horizon, so one mean job's least time gives the rate.
    return 1 / jointSeconds(meanDemands());
}

double StreamBound::rate() const
{
    return std::min(offeredRate(), jointRate());
}

// Filling the fastest links first with the most bytes per unit of work is the cheapest
// transport: the cost of a unit of kind k on slave i is the product mbPerWork_k / B_i, which
// makes the north-west corner rule on both sorted sides optimal (work left over goes nowhere).
bool StreamBound::feasible(const std::vector<Demand> &demands, double seconds) const
{
    std::vector<sched::SlaveSpec> slaves = m_workload.base.slaves;
    std::sort(slaves.begin(), slaves.end(),
              [](const auto &a, const auto &b) { return a.bandwidthMBps > b.bandwidthMBps; });
    size_t k = 0;
    double left = demands.empty() ? 0 : demands[0].work;
    double portS = 0;
    for (const sched::SlaveSpec &slave : slaves) {
        double room = seconds / slave.unitComputeS;
        while (k < demands.size() && room > 0) {
            const double take = std::min(room, left);
            portS += take * demands[k].mbPerWork / slave.bandwidthMBps;
            room -= take;
            left -= take;
            if (left <= 0 && ++k < demands.size())
                left = demands[k].work;
        }
    }
    return k >= demands.size() && portS <= seconds;
}

double StreamBound::jointSeconds(std::vector<Demand> demands) const
{
    std::sort(demands.begin(), demands.end(),
              [](const Demand &a, const Demand &b) { return a.mbPerWork > b.mbPerWork; });
    // Jobs of one kind are one demand: the fill is then over a handful, not every job.
    std::vector<Demand> merged;
    for (const Demand &d : demands) {
        if (!merged.empty() && merged.back().mbPerWork == d.mbPerWork)
            merged.back().work += d.work;
        else
            merged.push_back(d);
    }
    demands = std::move(merged);
    double work = 0;
    for (const Demand &d : demands)
        work += d.work;
    double low = work / m_workload.capacity(); // compute alone
    double high = low;
    for (int i = 0; i < 64 && !feasible(demands, high); ++i)
        high *= 2;
    for (int i = 0; i < 60; ++i) {
        const double mid = (low + high) / 2;
        (feasible(demands, mid) ? high : low) = mid;
    }
    return high;
}

double StreamBound::streamThroughput(const std::vector<sim::StreamJob> &jobs) const
{
    if (jobs.empty())
        return 0;
    const double baseT = m_workload.base.slaves.front().unitComputeS;
    std::vector<Demand> suffix;
    double span = 0;
    // Jobs m..N arrive no earlier than job m, so the last result is no earlier than that plus
    // the least time for their work; the tightest m bounds the stream.
    for (size_t m = jobs.size(); m-- > 0;) {
        const sim::StreamJob &job = jobs[m];
        const double factor = job.truth.slaves.front().unitComputeS / baseT;
        suffix.push_back(
            {job.spec.load * factor, job.truth.unitMB * (1 + job.truth.returnRatio) / factor});
        span = std::max(span, job.arrivalS - jobs.front().arrivalS + jointSeconds(suffix));
    }
    return double(jobs.size()) / span;
}

} // namespace starling::bench
