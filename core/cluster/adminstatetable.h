#pragma once

#include "cluster/failuredetector.h"
#include "cluster/noderole.h"
#include "cluster/nodestate.h"
#include "cluster/operatorcommand.h"
#include "protocol/adminstatemessage.h"
#include "protocol/nodeevents.h"
#include "sched/distributionstrategy.h"
#include "util/expected.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace starling::cluster {

struct ClusterPolicy
{
    QString strategy = sched::toString(sched::kDefaultStrategy);
    double w1 = sched::PddsWeights{}.w1;
    double w2 = sched::PddsWeights{}.w2;
};

// The master's authoritative record of one node.
struct NodeRecord
{
    int rank = 0;
    QString name;
    NodeRole role = NodeRole::Slave;
    NodeState adminState = NodeState::Active; // ACTIVE, DRAINING or DRAINED: the operator's
    Liveness liveness = Liveness::Alive;      // the failure detector's
    bool exited = false; // its process is gone: DOWN for the rest of this cluster's life
    double weight = 1.0;
    std::int64_t epoch = 0; // bumped when the node is declared DOWN: older messages are stale
    int assigned = 0;       // tasks given to it and not yet seen finish
    QString reason;
    QString by;
    std::int64_t sinceMs = 0;

    // What everyone sees: the detector's verdict hides the operator state while it lasts.
    NodeState state() const;
};

// The master's node states, weights and policy, with the rules operators see: who may be
// drained, what a weight may be, what happens on DOWN and on return. Pure: the caller supplies
// the time and moves the events it produces to the bridge.
class AdminStateTable
{
public:
    explicit AdminStateTable(int worldSize, ClusterPolicy defaults = {});

    const std::vector<NodeRecord> &nodes() const { return m_nodes; }
    const NodeRecord &node(int rank) const { return m_nodes.at(size_t(rank)); }
    // "slave-2" or "2"; nullptr when there is no such node.
    const NodeRecord *find(const QString &nameOrRank) const;
    const ClusterPolicy &policy() const { return m_policy; }
    std::vector<int> slavesAcceptingTasks() const;

    // Applies an operator command (not shutdown/load, which the master handles itself) and
    // returns the ack's result, or a clear error that changed nothing.
    Expected<QJsonObject> apply(const OperatorCommand &command, std::int64_t nowMs);
    // The detector's verdict from heartbeats ("no heartbeat"); ignored for an exited node.
    void setLiveness(int rank, Liveness liveness, std::int64_t nowMs);
    // The node's process is gone (a failed send): DOWN with `reason` for good, since this
    // MPICH cannot add it back to the running job. False if it was already known.
    bool markExited(int rank, const QString &reason, std::int64_t nowMs);
    void setAssigned(int rank, int assigned, std::int64_t nowMs);
    // Records an operator's command the master carried out itself (shutdown, load, slow,
    // fault) in the history with its result, and in the event stream as `event`, which gets
    // the command's client and reason.
    template<typename Event>
    void record(const OperatorCommand &command, std::int64_t nowMs, const QJsonObject &detail,
                Event event)
    {
        remember(command, nowMs, detail);
        event.by = command.client;
        event.reason = command.reason;
        publish(std::move(event), nowMs);
    }

    std::vector<QJsonObject> takeEvents();

    // What survives a restart: weights, drains, policy and the recent history of actions.
    QJsonObject persistentState() const;
    // Returns warnings (e.g. a saved node that this smaller cluster lacks); never fails on a
    // well-formed object, skips what it cannot use.
    QStringList restore(const QJsonObject &saved, std::int64_t nowMs);

    // The compact form the master sends the monitor with every change (Tag::AdminState), without
    // the master's task counters, which it adds.
    protocol::AdminStateMessage message() const;
    QJsonObject toJson() const;

    static constexpr int kHistoryLimit = 200;

private:
    NodeRecord *findMutable(const QString &nameOrRank);
    // One per operator command; each returns what the command reports or why it was refused.
    Expected<QJsonObject> applyStrategy(const OperatorCommand &c, std::int64_t nowMs);
    Expected<NodeRecord *> commandedSlave(const OperatorCommand &c);
    std::optional<Error> drain(NodeRecord &node, const OperatorCommand &c, std::int64_t nowMs);
    std::optional<Error> resume(NodeRecord &node, const OperatorCommand &c, std::int64_t nowMs);
    void setWeight(NodeRecord &node, const OperatorCommand &c, std::int64_t nowMs);
    template<typename Event> void publish(Event event, std::int64_t nowMs)
    {
        event.timeMs = nowMs;
        m_events.push_back(event.toJson());
    }
    void changeAdminState(NodeRecord &node, NodeState to, const QString &by, const QString &reason,
                          std::int64_t nowMs);
    void remember(const OperatorCommand &command, std::int64_t nowMs, const QJsonObject &detail);

    std::vector<NodeRecord> m_nodes;
    ClusterPolicy m_policy;
    std::vector<QJsonObject> m_events;
    QJsonArray m_history;
};

} // namespace starling::cluster
