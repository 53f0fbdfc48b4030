#include "backlog.h"

#include "schedulingerror.h"

#include <algorithm>

namespace starling::sched {

bool Backlog::isEmpty() const
{
    return portFreeS <= 0 &&
           std::all_of(slaveFreeS.begin(), slaveFreeS.end(), [](double t) { return t <= 0; });
}

double Backlog::slaveFree(int slave) const
{
    return size_t(slave) < slaveFreeS.size() ? slaveFreeS[size_t(slave)] : 0.0;
}

Backlog Backlog::project(int slaves, const std::vector<QueuedChunk> &ahead)
{
    Backlog b;
    b.slaveFreeS.assign(size_t(std::max(0, slaves)), 0.0);
    // What is at the slaves computes from now on, whatever the port does.
    for (const QueuedChunk &c : ahead) {
        if (c.slave < 0 || c.slave >= slaves)
            throw SchedulingError("backlog: a queued chunk names no slave");
        if (c.atSlave)
            b.slaveFreeS[size_t(c.slave)] += c.computeS;
    }
    for (const QueuedChunk &c : ahead) {
        if (c.atSlave)
            continue;
        b.portFreeS += c.sendS;
        double &free = b.slaveFreeS[size_t(c.slave)];
        free = std::max(free, b.portFreeS) + c.computeS;
    }
    return b;
}

} // namespace starling::sched
