#include "clustersnapshot.h"

#include "protocol/costestimatesmessage.h"

#include <QJsonArray>

#include <algorithm>

namespace starling::cluster {

namespace {
NodeRole roleFromString(const QString &text)
{
    if (text == QLatin1String("master"))
        return NodeRole::Master;
    if (text == QLatin1String("monitor"))
        return NodeRole::Monitor;
    return NodeRole::Slave;
}

std::int64_t integer(const QJsonObject &o, QLatin1String key, std::int64_t fallback)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? std::int64_t(v.toDouble()) : fallback;
}
} // namespace

QJsonObject NodeView::toJson(std::optional<std::int64_t> ageAtMs) const
{
    QJsonObject o{
        {QLatin1String("rank"), rank},
        {QLatin1String("name"), name},
        {QLatin1String("role"), cluster::toString(role)},
        {QLatin1String("host"), host},
        {QLatin1String("data_url"), dataUrl},
        {QLatin1String("state"), cluster::toString(state)},
        {QLatin1String("weight"), weight},
        {QLatin1String("epoch"), double(epoch)},
        {QLatin1String("stats"), stats.toJson()},
        {QLatin1String("load"), load},
        {QLatin1String("load_rank"), loadRank},
        {QLatin1String("heartbeat_age_ms"), double(heartbeatAgeMs)},
        {QLatin1String("assigned"), assigned},
        {QLatin1String("drain_eta_s"), drainEtaS},
        {QLatin1String("state_reason"), stateReason},
        {QLatin1String("state_by"), stateBy},
        {QLatin1String("state_since_ms"), double(stateSinceMs)},
    };
    if (emulation.emulated) {
        o.insert(QLatin1String("emulation"),
                 QJsonObject{{QLatin1String("cpu_factor"), emulation.cpuFactor},
                             {QLatin1String("link_MBps"), emulation.linkMBps}});
    }
    if (estimates) {
        o.insert(QLatin1String("estimates"),
                 protocol::CostEstimatesMessage::slaveToJson(*estimates, ageAtMs));
    }
    return o;
}

NodeView NodeView::fromJson(const QJsonObject &o)
{
    NodeView n;
    n.rank = int(integer(o, QLatin1String("rank"), 0));
    n.name = o.value(QLatin1String("name")).toString();
    n.role = roleFromString(o.value(QLatin1String("role")).toString());
    n.host = o.value(QLatin1String("host")).toString();
    n.dataUrl = o.value(QLatin1String("data_url")).toString();
    n.state =
        nodeStateFromString(o.value(QLatin1String("state")).toString()).value_or(NodeState::Active);
    n.weight = o.value(QLatin1String("weight")).toDouble(1.0);
    n.epoch = integer(o, QLatin1String("epoch"), 0);
    n.stats = NodeStats::fromJson(o.value(QLatin1String("stats")).toObject());
    n.load = o.value(QLatin1String("load")).toDouble();
    n.loadRank = int(integer(o, QLatin1String("load_rank"), -1));
    n.heartbeatAgeMs = integer(o, QLatin1String("heartbeat_age_ms"), -1);
    n.assigned = int(integer(o, QLatin1String("assigned"), 0));
    n.drainEtaS = o.value(QLatin1String("drain_eta_s")).toDouble(-1);
    n.stateReason = o.value(QLatin1String("state_reason")).toString();
    n.stateBy = o.value(QLatin1String("state_by")).toString();
    n.stateSinceMs = integer(o, QLatin1String("state_since_ms"), 0);
    const QJsonObject emulation = o.value(QLatin1String("emulation")).toObject();
    if (!emulation.isEmpty()) {
        n.emulation.emulated = true;
        n.emulation.cpuFactor = emulation.value(QLatin1String("cpu_factor")).toDouble(1.0);
        n.emulation.linkMBps = emulation.value(QLatin1String("link_MBps")).toDouble(0);
    }
    if (const QJsonValue e = o.value(QLatin1String("estimates")); e.isObject())
        n.estimates = protocol::CostEstimatesMessage::slaveFromJson(e.toObject());
    return n;
}

QJsonObject ClusterSnapshot::toJson() const
{
    QJsonArray array;
    for (const NodeView &n : nodes)
        array.append(n.toJson(timeMs));
    return {
        {QLatin1String("seq"), double(sequence)},
        {QLatin1String("time_ms"), double(timeMs)},
        {QLatin1String("strategy"), strategy},
        {QLatin1String("w1"), w1},
        {QLatin1String("w2"), w2},
        {QLatin1String("tasks_queued_at_master"), double(tasksQueuedAtMaster)},
        {QLatin1String("tasks_completed"), double(tasksCompleted)},
        {QLatin1String("late_messages_dropped"), double(lateMessagesDropped)},
        {QLatin1String("nodes"), array},
        {QLatin1String("jobs"), jobs.toJson()},
    };
}

ClusterSnapshot ClusterSnapshot::fromJson(const QJsonObject &o)
{
    ClusterSnapshot s;
    s.sequence = integer(o, QLatin1String("seq"), 0);
    s.timeMs = integer(o, QLatin1String("time_ms"), 0);
    s.strategy = o.value(QLatin1String("strategy")).toString(s.strategy);
    s.w1 = o.value(QLatin1String("w1")).toDouble(s.w1);
    s.w2 = o.value(QLatin1String("w2")).toDouble(s.w2);
    s.tasksQueuedAtMaster = integer(o, QLatin1String("tasks_queued_at_master"), 0);
    s.tasksCompleted = integer(o, QLatin1String("tasks_completed"), 0);
    s.lateMessagesDropped = integer(o, QLatin1String("late_messages_dropped"), 0);
    for (const QJsonValue &v : o.value(QLatin1String("nodes")).toArray())
        s.nodes.push_back(NodeView::fromJson(v.toObject()));
    s.jobs = protocol::AdminStateMessage::Jobs::fromJson(o.value(QLatin1String("jobs")).toObject());
    return s;
}

const NodeView *ClusterSnapshot::node(int rank) const
{
    for (const NodeView &n : nodes) {
        if (n.rank == rank)
            return &n;
    }
    return nullptr;
}

const NodeView *ClusterSnapshot::nodeByName(const QString &name) const
{
    for (const NodeView &n : nodes) {
        if (n.name == name)
            return &n;
    }
    return nullptr;
}

std::vector<int> ClusterSnapshot::ranking() const
{
    std::vector<const NodeView *> ranked;
    for (const NodeView &n : nodes) {
        if (n.loadRank >= 0)
            ranked.push_back(&n);
    }
    std::sort(ranked.begin(), ranked.end(),
              [](const NodeView *a, const NodeView *b) { return a->loadRank < b->loadRank; });
    std::vector<int> ranks;
    for (const NodeView *n : ranked)
        ranks.push_back(n->rank);
    return ranks;
}

} // namespace starling::cluster
