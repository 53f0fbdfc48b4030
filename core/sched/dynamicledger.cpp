#include "dynamicledger.h"

#include "schedulingerror.h"

#include <algorithm>

namespace starling::sched {

DynamicLedger::DynamicLedger(const Platform &estimates, double smoothing)
    : m_startupS(estimates.startupS), m_smoothing(smoothing)
{
    if (!(smoothing > 0 && smoothing <= 1))
        throw SchedulingError("dynamic: the smoothing must be in (0, 1]");
    for (int i = 0; i < estimates.size(); ++i) {
        m_sendS.push_back(estimates.unitSendS(i));
        m_computeS.push_back(estimates.unitComputeS(i));
    }
    const auto n = size_t(estimates.size());
    m_held.assign(n, 0.0);
    m_freeAt.assign(n, 0.0);
    m_live.assign(n, true);
}

void DynamicLedger::sent(int slave, double units, double sendS, double now)
{
    const auto i = size_t(slave);
    if (!m_live[i] || !(units > 0))
        return;
    m_held[i] += units;
    m_freeAt[i] = std::max(m_freeAt[i], now) + units * m_computeS[i];
    // The start-up part of a send is not the link's per-unit cost.
    const double perUnit = std::max(0.0, sendS - m_startupS) / units;
    m_sendS[i] = m_smoothing * perUnit + (1 - m_smoothing) * m_sendS[i];
}

void DynamicLedger::computed(int slave, double units, double computeS, double now)
{
    const auto i = size_t(slave);
    if (!m_live[i] || !(units > 0))
        return;
    m_computeS[i] =
        m_smoothing * std::max(0.0, computeS) / units + (1 - m_smoothing) * m_computeS[i];
    m_held[i] = std::max(0.0, m_held[i] - units);
    // What it still holds starts now, at the speed just seen.
    m_freeAt[i] = now + m_held[i] * m_computeS[i];
}

void DynamicLedger::lose(int slave)
{
    m_live[size_t(slave)] = false;
    m_held[size_t(slave)] = 0;
}

double DynamicLedger::readyAt(int slave, double now) const
{
    return std::max(now, m_freeAt[size_t(slave)]);
}

} // namespace starling::sched
