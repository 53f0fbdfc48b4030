#pragma once

#include "cluster/adminstatetable.h"
#include "cluster/clustersnapshot.h"
#include "cluster/taskledger.h"
#include "cluster/taskplacer.h"
#include "mpi_backend/transport/transport.h"
#include "protocol/nodeevents.h"
#include "protocol/rankmessages.h"

#include <cstdint>

namespace starling::mpi {

// Paper 1's hand-out of unit tasks, the master's part: the queue (TaskLedger), placement on the
// lightest slaves that take work by the monitor's latest loads plus what was given since
// (TaskPlacer), taking work back from a slave that is DOWN or gone, and refusing completions
// from before that. Sends assignments and its events through the transport; the admin-state
// table says who takes work and records how much each holds.
class TaskDispatcher
{
public:
    TaskDispatcher(Transport &transport, cluster::AdminStateTable &table,
                   const cluster::ClusterSnapshot &snapshot, std::uint64_t seed);

    // Queues `tasks` tasks of `taskMs` each and hands out what can go now: the load event says
    // how many went to whom.
    protocol::LoadEvent addLoad(int tasks, double taskMs, std::int64_t nowMs);
    void dispatchWaiting(std::int64_t nowMs);
    // Its queued and running tasks go back to the queue and on to other slaves.
    void takeWorkFrom(int rank, std::int64_t nowMs);
    // False for a completion the ledger refuses (stale epoch, wrong slave, unknown task): it is
    // counted and reported as late_message_dropped.
    bool complete(int source, const protocol::TaskCompletion &message, std::int64_t nowMs);

    std::int64_t waitingCount() const { return std::int64_t(m_ledger.waitingCount()); }
    std::int64_t completed() const { return std::int64_t(m_ledger.completed()); }
    std::int64_t lateDropped() const { return m_lateDropped; }

private:
    std::vector<cluster::TaskPlacer::Candidate> candidates(const std::vector<int> &accepting) const;

    Transport &m_transport;
    cluster::AdminStateTable &m_table;
    const cluster::ClusterSnapshot &m_snapshot;
    cluster::TaskLedger m_ledger;
    cluster::TaskPlacer m_placer;
    std::int64_t m_lateDropped = 0;
};

} // namespace starling::mpi
