#include "adminstatetable.h"

namespace starling::cluster {

NodeState NodeRecord::state() const
{
    if (liveness == Liveness::Down)
        return NodeState::Down;
    if (liveness == Liveness::Suspect)
        return NodeState::Suspect;
    return adminState;
}

AdminStateTable::AdminStateTable(int worldSize, ClusterPolicy defaults)
    : m_policy(std::move(defaults))
{
    for (int rank = 0; rank < worldSize; ++rank) {
        NodeRecord node;
        node.rank = rank;
        node.name = nodeName(rank);
        node.role = roleForRank(rank);
        m_nodes.push_back(node);
    }
}

const NodeRecord *AdminStateTable::find(const QString &nameOrRank) const
{
    bool isNumber = false;
    const int rank = nameOrRank.toInt(&isNumber);
    for (const NodeRecord &node : m_nodes) {
        if (node.name == nameOrRank || (isNumber && node.rank == rank))
            return &node;
    }
    return nullptr;
}

NodeRecord *AdminStateTable::findMutable(const QString &nameOrRank)
{
    return const_cast<NodeRecord *>(std::as_const(*this).find(nameOrRank));
}

std::vector<int> AdminStateTable::slavesAcceptingTasks() const
{
    std::vector<int> ranks;
    for (const NodeRecord &node : m_nodes) {
        if (node.role == NodeRole::Slave && acceptsTasks(node.state()))
            ranks.push_back(node.rank);
    }
    return ranks;
}

Expected<QJsonObject> AdminStateTable::apply(const OperatorCommand &c, std::int64_t nowMs)
{
    if (c.op == CommandOp::Strategy)
        return applyStrategy(c, nowMs);
    Expected<NodeRecord *> found = commandedSlave(c);
    if (!found)
        return Error{found.error(), found.errorCode()};
    NodeRecord &node = **found;
    std::optional<Error> refused;
    switch (c.op) {
    case CommandOp::Drain:
        refused = drain(node, c, nowMs);
        break;
    case CommandOp::Resume:
        refused = resume(node, c, nowMs);
        break;
    case CommandOp::Weight:
        setWeight(node, c, nowMs);
        break;
    default:
        return Error{QStringLiteral("%1 is not a node command").arg(toString(c.op)),
                     QStringLiteral("unknown_op")};
    }
    if (refused)
        return *refused;
    const QJsonObject result{{QLatin1String("node"), node.name},
                             {QLatin1String("state"), toString(node.state())},
                             {QLatin1String("weight"), node.weight},
                             {QLatin1String("assigned"), node.assigned}};
    remember(c, nowMs, result);
    return result;
}

Expected<QJsonObject> AdminStateTable::applyStrategy(const OperatorCommand &c, std::int64_t nowMs)
{
    const ClusterPolicy before = m_policy;
    m_policy.strategy = c.strategy;
    m_policy.w1 = c.w1.value_or(m_policy.w1);
    m_policy.w2 = c.w2.value_or(m_policy.w2);
    if (m_policy.w1 == 0 && m_policy.w2 == 0) {
        m_policy = before;
        return Error{QStringLiteral("w1 and w2 cannot both be 0"), QStringLiteral("bad_argument")};
    }
    const QJsonObject detail{{QLatin1String("strategy"), m_policy.strategy},
                             {QLatin1String("w1"), m_policy.w1},
                             {QLatin1String("w2"), m_policy.w2},
                             {QLatin1String("previous"), before.strategy}};
    remember(c, nowMs, detail);
    protocol::StrategyChangedEvent changed;
    changed.strategy = m_policy.strategy;
    changed.previous = before.strategy;
    changed.w1 = m_policy.w1;
    changed.w2 = m_policy.w2;
    changed.by = c.client;
    changed.reason = c.reason;
    publish(std::move(changed), nowMs);
    return detail;
}

// The slave a node command names; only slaves take tasks, so only they can be commanded.
Expected<NodeRecord *> AdminStateTable::commandedSlave(const OperatorCommand &c)
{
    if (c.op != CommandOp::Drain && c.op != CommandOp::Resume && c.op != CommandOp::Weight)
        return Error{QStringLiteral("%1 is not a node command").arg(toString(c.op)),
                     QStringLiteral("unknown_op")};
    NodeRecord *node = findMutable(c.node);
    if (!node)
        return Error{QStringLiteral("unknown node \"%1\"").arg(c.node.left(64)),
                     QStringLiteral("unknown_node")};
    if (node->role != NodeRole::Slave)
        return Error{QStringLiteral("cannot %1 the %2: only slaves take tasks")
                         .arg(toString(c.op), node->name),
                     QStringLiteral("bad_state")};
    return node;
}

// A slave with nothing assigned is DRAINED at once; otherwise when its last task is done.
std::optional<Error> AdminStateTable::drain(NodeRecord &node, const OperatorCommand &c,
                                            std::int64_t nowMs)
{
    if (node.adminState != NodeState::Active)
        return Error{QStringLiteral("%1 is already %2").arg(node.name, toString(node.adminState)),
                     QStringLiteral("bad_state")};
    changeAdminState(node, NodeState::Draining, c.client, c.reason, nowMs);
    if (node.assigned == 0)
        changeAdminState(node, NodeState::Drained, c.client, c.reason, nowMs);
    return std::nullopt;
}

std::optional<Error> AdminStateTable::resume(NodeRecord &node, const OperatorCommand &c,
                                             std::int64_t nowMs)
{
    if (node.adminState == NodeState::Active)
        return Error{QStringLiteral("%1 is already ACTIVE").arg(node.name),
                     QStringLiteral("bad_state")};
    changeAdminState(node, NodeState::Active, c.client, c.reason, nowMs);
    return std::nullopt;
}

void AdminStateTable::setWeight(NodeRecord &node, const OperatorCommand &c, std::int64_t nowMs)
{
    const double before = node.weight;
    node.weight = c.weight;
    protocol::WeightChangedEvent changed;
    changed.node = node.name;
    changed.from = before;
    changed.to = c.weight;
    changed.by = c.client;
    changed.reason = c.reason;
    publish(std::move(changed), nowMs);
}

void AdminStateTable::changeAdminState(NodeRecord &node, NodeState to, const QString &by,
                                       const QString &reason, std::int64_t nowMs)
{
    const NodeState from = node.adminState;
    node.adminState = to;
    node.by = by;
    node.reason = reason;
    node.sinceMs = nowMs;
    protocol::StateChangedEvent changed;
    changed.node = node.name;
    changed.from = toString(from);
    changed.to = toString(to);
    changed.by = by;
    changed.reason = reason;
    publish(std::move(changed), nowMs);
}

namespace {

// The failure detector's verdict on `node`, which was in state `before`.
template<typename Event>
Event verdict(const NodeRecord &node, NodeState before, const QString &reason)
{
    Event e;
    e.node = node.name;
    e.from = toString(before);
    e.to = toString(node.state());
    e.epoch = node.epoch;
    e.by = QLatin1String(protocol::kDetector);
    e.reason = reason;
    return e;
}

} // namespace

void AdminStateTable::setLiveness(int rank, Liveness liveness, std::int64_t nowMs)
{
    NodeRecord &node = m_nodes.at(size_t(rank));
    if (node.liveness == liveness || node.exited)
        return;
    const NodeState before = node.state();
    node.liveness = liveness;
    if (liveness == Liveness::Down)
        ++node.epoch; // anything it says from its old epoch is now stale
    const QString reason = liveness == Liveness::Alive ? QString() : QStringLiteral("no heartbeat");
    if (liveness == Liveness::Alive)
        publish(verdict<protocol::NodeBackEvent>(node, before, reason), nowMs);
    else if (liveness == Liveness::Suspect)
        publish(verdict<protocol::NodeSuspectEvent>(node, before, reason), nowMs);
    else
        publish(verdict<protocol::NodeDownEvent>(node, before, reason), nowMs);
}

bool AdminStateTable::markExited(int rank, const QString &reason, std::int64_t nowMs)
{
    NodeRecord &node = m_nodes.at(size_t(rank));
    if (node.exited)
        return false;
    const NodeState before = node.state();
    node.exited = true;
    if (node.liveness != Liveness::Down)
        ++node.epoch;
    node.liveness = Liveness::Down;
    publish(verdict<protocol::NodeDownEvent>(node, before, reason), nowMs);
    return true;
}

void AdminStateTable::setAssigned(int rank, int assigned, std::int64_t nowMs)
{
    NodeRecord &node = m_nodes.at(size_t(rank));
    node.assigned = assigned;
    if (assigned == 0 && node.adminState == NodeState::Draining)
        changeAdminState(node, NodeState::Drained, node.by, node.reason, nowMs);
}

void AdminStateTable::remember(const OperatorCommand &command, std::int64_t nowMs,
                               const QJsonObject &detail)
{
    QJsonObject entry = command.toJson();
    entry.insert(QLatin1String("time_ms"), double(nowMs));
    entry.insert(QLatin1String("result"), detail);
    m_history.append(entry);
    while (m_history.size() > kHistoryLimit)
        m_history.removeFirst();
}

std::vector<QJsonObject> AdminStateTable::takeEvents()
{
    return std::exchange(m_events, {});
}

QJsonObject AdminStateTable::persistentState() const
{
    QJsonObject nodes;
    for (const NodeRecord &node : m_nodes) {
        if (node.role != NodeRole::Slave)
            continue;
        nodes.insert(node.name, QJsonObject{{QLatin1String("state"), toString(node.adminState)},
                                            {QLatin1String("weight"), node.weight},
                                            {QLatin1String("by"), node.by},
                                            {QLatin1String("reason"), node.reason},
                                            {QLatin1String("since_ms"), double(node.sinceMs)}});
    }
    return {{QLatin1String("version"), 1},
            {QLatin1String("nodes"), nodes},
            {QLatin1String("strategy"), m_policy.strategy},
            {QLatin1String("w1"), m_policy.w1},
            {QLatin1String("w2"), m_policy.w2},
            {QLatin1String("history"), m_history}};
}

QStringList AdminStateTable::restore(const QJsonObject &saved, std::int64_t nowMs)
{
    QStringList warnings;
    if (saved.value(QLatin1String("version")).toInt() != 1) {
        warnings << QStringLiteral("operator state has an unknown version; starting fresh");
        return warnings;
    }
    const QString strategy = saved.value(QLatin1String("strategy")).toString();
    if (OperatorCommand::fromJson(
            {{QLatin1String("op"), QStringLiteral("strategy")}, {QLatin1String("name"), strategy}},
            {})) {
        m_policy.strategy = strategy;
    }
    const double w1 = saved.value(QLatin1String("w1")).toDouble(-1);
    const double w2 = saved.value(QLatin1String("w2")).toDouble(-1);
    if (w1 >= 0 && w2 >= 0 && (w1 > 0 || w2 > 0)) {
        m_policy.w1 = w1;
        m_policy.w2 = w2;
    }
    const QJsonObject nodes = saved.value(QLatin1String("nodes")).toObject();
    for (auto it = nodes.begin(); it != nodes.end(); ++it) {
        NodeRecord *node = findMutable(it.key());
        if (!node || node->role != NodeRole::Slave) {
            warnings << QStringLiteral("saved state for %1 ignored: this cluster has no such slave")
                            .arg(it.key().left(64));
            continue;
        }
        const QJsonObject entry = it.value().toObject();
        const double weight = entry.value(QLatin1String("weight")).toDouble(-1);
        if (weight > 0 && weight <= OperatorCommand::kMaxWeight)
            node->weight = weight;
        // A drain in progress cannot survive a restart (its tasks died with the job), so it
        // comes back finished: DRAINED.
        const auto state = nodeStateFromString(entry.value(QLatin1String("state")).toString());
        if (state == NodeState::Draining || state == NodeState::Drained)
            node->adminState = NodeState::Drained;
        node->by = entry.value(QLatin1String("by")).toString();
        node->reason = entry.value(QLatin1String("reason")).toString();
        // Only a plausible time: a hand-edited 1e300 must not overflow the conversion.
        const double since = entry.value(QLatin1String("since_ms")).toDouble(-1);
        node->sinceMs = since >= 0 && since <= 0x1p53 ? std::int64_t(since) : nowMs;
    }
    m_history = saved.value(QLatin1String("history")).toArray();
    while (m_history.size() > kHistoryLimit)
        m_history.removeFirst();
    return warnings;
}

protocol::AdminStateMessage AdminStateTable::message() const
{
    protocol::AdminStateMessage message;
    for (const NodeRecord &node : m_nodes) {
        message.nodes.push_back({node.rank, toString(node.state()), toString(node.adminState),
                                 node.weight, node.epoch, node.assigned, node.by, node.reason,
                                 node.sinceMs});
    }
    message.strategy = m_policy.strategy;
    message.w1 = m_policy.w1;
    message.w2 = m_policy.w2;
    return message;
}

QJsonObject AdminStateTable::toJson() const
{
    return message().toJson();
}

} // namespace starling::cluster
