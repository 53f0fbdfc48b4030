#pragma once

#include "costmodel.h"

namespace starling::sched {

// Paper 1's `sum of t over the requests queued or running on node i`, in seconds of that node.
// A request's t is its g1, what it costs a standard node; the node needs that times its
// slowness (seconds per standard second, the inverse of its speed), so a node twice as slow
// holds twice the seconds for the same queue. The running request counts only what is left.
class PendingWork
{
public:
    explicit PendingWork(const CostModel &costs);

    // A queued request priced by g1 from its type and length.
    void addQueued(RequestType type, qint64 lengthBytes, double slowness);
    // A queued request whose g1 its sender already priced (an image strip carries its standard
    // cost, a synthetic task its declared one).
    void addQueued(double standardS, double slowness);
    // The running request, `elapsedS` into it: never less than nothing left.
    void addRunning(double standardS, double slowness, double elapsedS);

    double seconds() const { return m_seconds; }

private:
    const CostModel &m_costs;
    double m_seconds = 0;
};

} // namespace starling::sched
