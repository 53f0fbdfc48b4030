#include "loadmodel.h"

#include "schedulingerror.h"

#include <algorithm>
#include <numeric>

namespace starling::sched {

namespace {

void checkWeight(const LoadSample &sample)
{
    if (!(sample.weight > 0))
        throw SchedulingError("load: node weight must be positive");
}

} // namespace

LoadModel::LoadModel(LoadTerms terms) : m_terms(terms) {}

double LoadModel::paperLoad(const LoadSample &sample)
{
    checkWeight(sample);
    return std::accumulate(sample.pending.begin(), sample.pending.end(), 0.0) / sample.weight;
}

double LoadModel::realLoad(const LoadSample &sample) const
{
    checkWeight(sample);
    const double pending = std::accumulate(sample.pending.begin(), sample.pending.end(), 0.0);
    const double cpu = std::clamp(sample.cpuUtilisation, 0.0, 1.0);
    const double net = std::clamp(sample.networkUtilisation, 0.0, 1.0);
    const double work = pending + m_terms.cpuS * cpu + m_terms.networkS * net +
                        m_terms.connectionS * std::max(0, sample.connections) +
                        m_terms.queueS * std::max(0, sample.queueLength);
    return work / sample.weight;
}

} // namespace starling::sched
