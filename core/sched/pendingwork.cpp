#include "pendingwork.h"

#include <algorithm>

namespace starling::sched {

PendingWork::PendingWork(const CostModel &costs) : m_costs(costs) {}

void PendingWork::addQueued(RequestType type, qint64 lengthBytes, double slowness)
{
    addQueued(m_costs.cost(type, lengthBytes), slowness);
}

void PendingWork::addQueued(double standardS, double slowness)
{
    m_seconds += standardS * slowness;
}

void PendingWork::addRunning(double standardS, double slowness, double elapsedS)
{
    m_seconds += std::max(0.0, standardS * slowness - elapsedS);
}

} // namespace starling::sched
