#include "taskdispatcher.h"

#include "cluster/noderole.h"

#include <algorithm>

namespace starling::mpi {

TaskDispatcher::TaskDispatcher(Transport &transport, cluster::AdminStateTable &table,
                               const cluster::ClusterSnapshot &snapshot, std::uint64_t seed)
    : m_transport(transport), m_table(table), m_snapshot(snapshot), m_placer(seed)
{}

protocol::LoadEvent TaskDispatcher::addLoad(int tasks, double taskMs, std::int64_t nowMs)
{
    for (int i = 0; i < tasks; ++i)
        m_ledger.add(taskMs);
    QJsonObject before;
    for (int rank : m_table.slavesAcceptingTasks())
        before.insert(cluster::nodeName(rank), m_ledger.assignedTo(rank));
    dispatchWaiting(nowMs);
    protocol::LoadEvent loaded;
    loaded.tasks = tasks;
    for (int rank : m_table.slavesAcceptingTasks()) {
        const QString name = cluster::nodeName(rank);
        loaded.assigned[name] = m_ledger.assignedTo(rank) - before.value(name).toInt();
    }
    loaded.waitingAtMaster = waitingCount();
    return loaded;
}

// The monitor's latest loads, plus what this master gave since that snapshot was taken.
std::vector<cluster::TaskPlacer::Candidate>
TaskDispatcher::candidates(const std::vector<int> &accepting) const
{
    std::vector<cluster::TaskPlacer::Candidate> out;
    for (int rank : accepting) {
        const cluster::NodeView *view = m_snapshot.node(rank);
        const double weight = m_table.node(rank).weight;
        const double pendingS = m_ledger.assignedCostMs(rank) / 1000.0;
        const double measured = view ? view->load : 0;
        // The snapshot's load already counts the pending work the slave reported; use the
        // larger of the two views so work given since the last heartbeat counts too.
        const double queued = pendingS / weight;
        out.push_back({rank, std::max(measured, queued), weight});
    }
    return out;
}

void TaskDispatcher::dispatchWaiting(std::int64_t nowMs)
{
    const std::vector<int> accepting = m_table.slavesAcceptingTasks();
    if (accepting.empty() || m_ledger.waitingCount() == 0)
        return;
    const std::vector<std::int64_t> ids = m_ledger.waiting();
    std::vector<double> costs;
    for (std::int64_t id : ids)
        costs.push_back(m_ledger.find(id)->costMs / 1000.0);
    const std::vector<int> placement = m_placer.place(candidates(accepting), costs);
    for (size_t i = 0; i < placement.size(); ++i) {
        const int rank = placement[i];
        const std::int64_t epoch = m_table.node(rank).epoch;
        m_ledger.assign(ids[i], rank, epoch);
        m_transport.send(
            rank, Tag::TaskAssign,
            protocol::TaskAssignment{ids[i], epoch, m_ledger.find(ids[i])->costMs}.toJson());
    }
    for (int rank : accepting)
        m_table.setAssigned(rank, m_ledger.assignedTo(rank), nowMs);
}

void TaskDispatcher::takeWorkFrom(int rank, std::int64_t nowMs)
{
    const std::vector<std::int64_t> reclaimed = m_ledger.reclaim(rank);
    m_table.setAssigned(rank, 0, nowMs);
    if (!reclaimed.empty()) {
        protocol::TaskReassignedEvent reassigned;
        reassigned.timeMs = nowMs;
        reassigned.node = cluster::nodeName(rank);
        reassigned.count = qint64(reclaimed.size());
        if (reclaimed.size() <= protocol::TaskReassignedEvent::kMaxListed)
            reassigned.tasks.assign(reclaimed.begin(), reclaimed.end());
        m_transport.send(cluster::kMonitorRank, Tag::Event, reassigned.toJson());
    }
    dispatchWaiting(nowMs);
}

bool TaskDispatcher::complete(int source, const protocol::TaskCompletion &message,
                              std::int64_t nowMs)
{
    const auto done = m_ledger.complete(message.task, source, message.epoch);
    if (!done) {
        ++m_lateDropped;
        protocol::LateMessageDroppedEvent dropped;
        dropped.timeMs = nowMs;
        dropped.node = cluster::nodeName(source);
        dropped.task = message.task;
        dropped.epoch = message.epoch;
        dropped.detail = done.error();
        m_transport.send(cluster::kMonitorRank, Tag::Event, dropped.toJson());
        return false;
    }
    m_table.setAssigned(source, m_ledger.assignedTo(source), nowMs);
    return true;
}

} // namespace starling::mpi
