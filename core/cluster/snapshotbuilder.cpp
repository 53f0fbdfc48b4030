#include "snapshotbuilder.h"

#include "cluster/nodetable.h"
#include "protocol/eventkind.h"

#include <QJsonArray>

namespace starling::cluster {

SnapshotBuilder::SnapshotBuilder(int worldSize, std::size_t historyLength, std::uint64_t seed,
                                 sched::LoadModel model)
    : m_nodes(size_t(worldSize)), m_historyLength(std::max<std::size_t>(1, historyLength)),
      m_model(model), m_ranker(seed)
{}

void SnapshotBuilder::setHello(int rank, const QJsonObject &hello)
{
    m_nodes.at(size_t(rank)).hello = hello;
}

void SnapshotBuilder::setNodeTable(const QJsonObject &table)
{
    for (const QJsonValue &value : table.value(QLatin1String("nodes")).toArray()) {
        const QJsonObject entry = value.toObject();
        const int rank = entry.value(QLatin1String("rank")).toInt(-1);
        if (rank >= 0 && rank < worldSize())
            m_nodes[size_t(rank)].table = entry;
    }
    m_policy = table;
    m_policy.remove(QLatin1String("nodes"));
    m_haveTable = true;
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

ClusterSnapshot SnapshotBuilder::build(std::int64_t wallMs, std::int64_t monotonicMs,
                                       const FailureDetector &detector)
{
    ClusterSnapshot snapshot;
    snapshot.sequence = ++m_sequence;
    snapshot.timeMs = wallMs;
    snapshot.strategy = m_policy.value(QLatin1String("strategy")).toString(snapshot.strategy);
    snapshot.w1 = m_policy.value(QLatin1String("w1")).toDouble(snapshot.w1);
    snapshot.w2 = m_policy.value(QLatin1String("w2")).toDouble(snapshot.w2);
    snapshot.tasksQueuedAtMaster =
        std::int64_t(m_policy.value(QLatin1String("queued_at_master")).toDouble());
    snapshot.tasksCompleted =
        std::int64_t(m_policy.value(QLatin1String("tasks_completed")).toDouble());
    snapshot.lateMessagesDropped =
        std::int64_t(m_policy.value(QLatin1String("late_dropped")).toDouble());

    std::vector<int> rankable;
    std::vector<double> loads;
    for (int rank = 0; rank < worldSize(); ++rank) {
        const Known &known = m_nodes[size_t(rank)];
        NodeView node;
        node.rank = rank;
        node.name = nodeName(rank);
        node.role = roleForRank(rank);
        node.host = known.hello.value(QLatin1String("host")).toString();
        node.dataUrl = known.hello.value(QLatin1String("data_url")).toString();
        node.emulation = known.emulation;
        // An exited process has no current numbers: its last sample would read as live ones.
        if (!known.history.empty() && !detector.exited(rank))
            node.stats = known.history.back();
        node.heartbeatAgeMs = known.lastHeardMs < 0 ? -1 : monotonicMs - known.lastHeardMs;
        const QJsonObject &t = known.table;
        node.weight = t.value(QLatin1String("weight")).toDouble(1.0);
        node.epoch = std::int64_t(t.value(QLatin1String("epoch")).toDouble());
        node.assigned = t.value(QLatin1String("assigned")).toInt();
        node.stateBy = t.value(QLatin1String("by")).toString();
        node.stateReason = t.value(QLatin1String("reason")).toString();
        node.stateSinceMs = std::int64_t(t.value(QLatin1String("since_ms")).toDouble());
        // The detector here sees heartbeats first-hand, so its verdict wins over the master's
        // copy, which lags by one round trip.
        const Liveness liveness = detector.liveness(rank);
        const NodeState admin =
            nodeStateFromString(t.value(QLatin1String("admin_state")).toString())
                .value_or(NodeState::Active);
        node.state = liveness == Liveness::Down      ? NodeState::Down
                     : liveness == Liveness::Suspect ? NodeState::Suspect
                                                     : admin;
        if (node.state == NodeState::Suspect || node.state == NodeState::Down) {
            node.stateBy = QLatin1String(protocol::kDetector);
            node.stateReason = detector.exited(rank)
                                   ? QLatin1String(protocol::kExited)
                                   : QStringLiteral("no heartbeat for %1 ms")
                                         .arg(detector.silenceMs(rank, monotonicMs));
        }
        if (node.state == NodeState::Draining)
            node.drainEtaS = node.stats.pendingWorkS;
        if (node.role == NodeRole::Slave) {
            node.load = loadOf(node);
            if (node.state == NodeState::Active) {
                rankable.push_back(rank);
                loads.push_back(node.load);
            }
        }
        snapshot.nodes.push_back(node);
    }
    const std::vector<int> order = m_ranker.order(loads);
    for (size_t position = 0; position < order.size(); ++position)
        snapshot.nodes[size_t(rankable[size_t(order[position])])].loadRank = int(position);
    return snapshot;
}

} // namespace starling::cluster
