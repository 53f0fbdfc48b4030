#pragma once

#include "cluster/noderole.h"
#include "cluster/nodestate.h"
#include "cluster/nodestats.h"
#include "cluster/slaveemulation.h"
#include "protocol/adminstatemessage.h"
#include "sched/costestimate.h"
#include "sched/distributionstrategy.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace starling::cluster {

// What the monitor knows of one node at one moment; the master's view (state, weight, epoch)
// merged with the slave's latest heartbeat and the monitor's load and rank.
struct NodeView
{
    int rank = 0; // MPI rank
    QString name; // "master", "monitor", "slave-2", ...
    NodeRole role = NodeRole::Slave;
    QString host;
    QString dataUrl; // slaves: base URL of the block data server ("" until it listens)
    NodeState state = NodeState::Active;
    double weight = 1.0;
    std::int64_t epoch = 0;
    NodeStats stats;
    double load = 0;   // realLoad_i of core's LoadModel
    int loadRank = -1; // 0 = lightest ACTIVE slave, -1 = not ranked (not a slave or not ACTIVE)
    std::int64_t heartbeatAgeMs = -1; // -1 = never heard from
    int assigned = 0;      // tasks the master has given this slave and not yet seen finish
    double drainEtaS = -1; // DRAINING only: estimated seconds until DRAINED
    SlaveEmulation emulation;
    QString stateReason; // operator reason or detector message behind the current state
    QString stateBy;     // who set it ("detector" for SUSPECT/DOWN)
    std::int64_t stateSinceMs = 0;
    // Slaves: what the master believes of it (Tag::CostEstimates); none until the master says.
    std::optional<sched::SlaveCostEstimate> estimates;

    // With ageAtMs (the snapshot's time), each estimate also carries its age.
    QJsonObject toJson(std::optional<std::int64_t> ageAtMs = std::nullopt) const;
    static NodeView fromJson(const QJsonObject &object);
};

// The cluster at one moment, as the monitor publishes it to the master and bridge clients.
struct ClusterSnapshot
{
    std::int64_t sequence = 0;
    std::int64_t timeMs = 0; // wall clock when published
    QString strategy = sched::toString(sched::kDefaultStrategy);
    double w1 = sched::PddsWeights{}.w1;
    double w2 = sched::PddsWeights{}.w2;
    std::int64_t tasksQueuedAtMaster = 0;
    std::int64_t tasksCompleted = 0;      // by the master's book, each task counted once
    std::int64_t lateMessagesDropped = 0; // stale completions refused (see TaskLedger)
    std::vector<NodeView> nodes;          // ordered by MPI rank
    // Issue 17, Prometheus: the master's image jobs (from its latest AdminStateMessage).
    protocol::AdminStateMessage::Jobs jobs;

    QJsonObject toJson() const;
    static ClusterSnapshot fromJson(const QJsonObject &object);

    const NodeView *node(int rank) const;
    const NodeView *nodeByName(const QString &name) const;
    // Slave ranks from lightest to heaviest, ACTIVE ones only.
    std::vector<int> ranking() const;
};

} // namespace starling::cluster
