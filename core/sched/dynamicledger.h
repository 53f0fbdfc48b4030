#pragma once

#include "platform.h"

#include <vector>

namespace starling::sched {

// What the master has learnt of each slave during a dynamic job: seconds per unit on its link
// and on its CPU (each an average that leans on the newest chunk), the units it holds and has
// not computed, and when it should run dry. The simulator and the cluster's JobScheduler feed
// it the same events, so they size the same chunks.
class DynamicLedger
{
public:
    // `estimates` seed the per-unit times; `smoothing` in (0, 1] is the newest chunk's weight.
    DynamicLedger(const Platform &estimates, double smoothing);

    // A chunk of `units` reached `slave` at `now`, after `sendS` seconds on the port.
    void sent(int slave, double units, double sendS, double now);
    // `slave` computed a chunk of `units` in `computeS` seconds, its result known at `now`.
    void computed(int slave, double units, double computeS, double now);
    void lose(int slave);

    int size() const { return int(m_live.size()); }
    bool isLive(int slave) const { return m_live[size_t(slave)]; }
    double unitSendS(int slave) const { return m_sendS[size_t(slave)]; }
    double unitComputeS(int slave) const { return m_computeS[size_t(slave)]; }
    double startupS() const { return m_startupS; }
    // When the slave should have computed all it holds, seen from `now`.
    double readyAt(int slave, double now) const;

private:
    double m_startupS;
    double m_smoothing;
    std::vector<double> m_sendS;
    std::vector<double> m_computeS;
    std::vector<double> m_held;
    std::vector<double> m_freeAt;
    std::vector<bool> m_live;
};

} // namespace starling::sched
