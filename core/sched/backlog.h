#pragma once

#include <vector>

namespace starling::sched {

// One chunk of an earlier job still ahead of a job that starts now: on its way (to be sent, or
// being sent) or already at its slave and not yet computed. Seconds as the master estimates them
// for that chunk's own job (its op and unit size).
struct QueuedChunk
{
    int slave = 0;
    double sendS = 0;    // port time still needed to deliver it (0 once at the slave)
    double computeS = 0; // the slave's time to compute it
    bool atSlave = false;
};

// When each slave, and the one port, become free for a job that starts behind others: the
// master's projection of what it has queued (issue 16, a stream of jobs). Earlier jobs keep
// the port and the slaves first, so a new job's sends start once the port has delivered every
// queued chunk of theirs, and its chunks compute once the slave has worked through theirs.
// Times in seconds from the new job's start; an empty backlog is an idle cluster.
struct Backlog
{
    double portFreeS = 0;
    std::vector<double> slaveFreeS; // per slave, platform order; empty = all free now

    bool isEmpty() const;
    double slaveFree(int slave) const;

    // The projection of `ahead` (earlier jobs first, each job's chunks in the order it created
    // them): the port delivers the queued chunks back to back, a slave computes what it holds
    // and then each chunk as it arrives. Results' returns are left out: they interleave with the
    // new job's sends and a projection that counted them would plan too late.
    static Backlog project(int slaves, const std::vector<QueuedChunk> &ahead);
};

} // namespace starling::sched
