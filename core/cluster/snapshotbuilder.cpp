#include "snapshotbuilder.h"

#include "cluster/adminstatetable.h"
#include "protocol/eventkind.h"

#include <QJsonArray>

namespace starling::cluster {

namespace {

// The detector here sees heartbeats first-hand, so its verdict wins over the master's copy,
// which lags by one round trip.
void applyLiveness(NodeView &node, const FailureDetector &detector, std::int64_t monotonicMs,
                   const QString &adminState)
{
    const Liveness liveness = detector.liveness(node.rank);
    const NodeState admin = nodeStateFromString(adminState).value_or(NodeState::Active);
    node.state = liveness == Liveness::Down      ? NodeState::Down
                 : liveness == Liveness::Suspect ? NodeState::Suspect
                                                 : admin;
    if (node.state == NodeState::Suspect || node.state == NodeState::Down) {
        node.stateBy = QLatin1String(protocol::kDetector);
        node.stateReason = detector.exited(node.rank)
                               ? QLatin1String(protocol::kExited)
                               : QStringLiteral("no heartbeat for %1 ms")
                                     .arg(detector.silenceMs(node.rank, monotonicMs));
    }
}

} // namespace

SnapshotBuilder::SnapshotBuilder(int worldSize, std::size_t historyLength, std::uint64_t seed,
                                 sched::LoadModel model)
    : m_nodes(size_t(worldSize)), m_historyLength(std::max<std::size_t>(1, historyLength)),
      m_model(model), m_ranker(seed)
{}

void SnapshotBuilder::setHello(int rank, const protocol::RankHello &hello)
{
    m_nodes.at(size_t(rank)).hello = hello;
}

void SnapshotBuilder::setAdminState(const QJsonObject &table)
{
    m_table = protocol::AdminStateMessage::fromJson(table);
    for (const protocol::AdminStateMessage::Node &entry : m_table.nodes) {
        if (entry.rank < worldSize())
            m_nodes[size_t(entry.rank)].table = entry;
    }
    m_table.nodes.clear();
    m_haveTable = true;
}

void SnapshotBuilder::setCostEstimates(const protocol::CostEstimatesMessage &message)
{
    for (Known &known : m_nodes)
        known.estimates.reset();
    for (const sched::SlaveCostEstimate &slave : message.slaves) {
        if (isSlaveRank(slave.rank) && slave.rank < worldSize())
            m_nodes[size_t(slave.rank)].estimates = slave;
    }
}

void SnapshotBuilder::setEmulation(int rank, const SlaveEmulation &emulation)
{
    m_nodes.at(size_t(rank)).emulation = emulation;
}

void SnapshotBuilder::addSample(int rank, const NodeStats &stats, std::int64_t monotonicMs)
{
    Known &node = m_nodes.at(size_t(rank));
    node.history.push_back(stats);
    while (node.history.size() > m_historyLength)
        node.history.pop_front();
    node.lastHeardMs = monotonicMs;
}

double SnapshotBuilder::loadOf(const NodeView &node) const
{
    sched::LoadSample sample;
    sample.weight = node.weight;
    sample.pending = {node.stats.pendingWorkS};
    sample.cpuUtilisation = node.stats.nodeCpu;
    if (node.emulation.linkMBps > 0)
        sample.networkUtilisation =
            std::min(1.0, node.stats.txBytesPerS / (node.emulation.linkMBps * 1e6));
    sample.connections = node.stats.connections;
    sample.queueLength = node.stats.queueLength;
    return m_model.realLoad(sample);
}

NodeView SnapshotBuilder::nodeView(int rank, std::int64_t monotonicMs,
                                   const FailureDetector &detector) const
{
    const Known &known = m_nodes[size_t(rank)];
    NodeView node;
    node.rank = rank;
    node.name = nodeName(rank);
    node.role = roleForRank(rank);
    if (known.hello) {
        node.host = known.hello->host;
        node.dataUrl = known.hello->dataUrl;
    }
    node.emulation = known.emulation;
    node.estimates = known.estimates;
    // An exited process has no current numbers: its last sample would read as live ones.
    if (!known.history.empty() && !detector.exited(rank))
        node.stats = known.history.back();
    node.heartbeatAgeMs = known.lastHeardMs < 0 ? -1 : monotonicMs - known.lastHeardMs;
    const protocol::AdminStateMessage::Node &t = known.table;
    node.weight = t.weight;
    node.epoch = t.epoch;
    node.assigned = t.assigned;
    node.stateBy = t.by;
    node.stateReason = t.reason;
    node.stateSinceMs = t.sinceMs;
    applyLiveness(node, detector, monotonicMs, t.adminState);
    if (node.state == NodeState::Draining)
        node.drainEtaS = node.stats.pendingWorkS;
    if (node.role == NodeRole::Slave)
        node.load = loadOf(node);
    return node;
}

ClusterSnapshot SnapshotBuilder::build(std::int64_t wallMs, std::int64_t monotonicMs,
                                       const FailureDetector &detector)
{
    ClusterSnapshot snapshot;
    snapshot.sequence = ++m_sequence;
    snapshot.timeMs = wallMs;
    if (!m_table.strategy.isEmpty())
        snapshot.strategy = m_table.strategy;
    snapshot.w1 = m_table.w1.value_or(snapshot.w1);
    snapshot.w2 = m_table.w2.value_or(snapshot.w2);
    snapshot.tasksQueuedAtMaster = m_table.queuedAtMaster;
    snapshot.tasksCompleted = m_table.tasksCompleted;
    snapshot.lateMessagesDropped = m_table.lateDropped;
    snapshot.jobs = m_table.jobs;

    // Only ACTIVE slaves are ranked (paper 1: lightest = 0).
    std::vector<int> rankable;
    std::vector<double> loads;
    for (int rank = 0; rank < worldSize(); ++rank) {
        NodeView node = nodeView(rank, monotonicMs, detector);
        if (node.role == NodeRole::Slave && node.state == NodeState::Active) {
            rankable.push_back(rank);
            loads.push_back(node.load);
        }
        snapshot.nodes.push_back(std::move(node));
    }
    const std::vector<int> order = m_ranker.order(loads);
    for (size_t position = 0; position < order.size(); ++position)
        snapshot.nodes[size_t(rankable[size_t(order[position])])].loadRank = int(position);
    return snapshot;
}

} // namespace starling::cluster
