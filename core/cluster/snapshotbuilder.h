#pragma once

#include "cluster/clustersnapshot.h"
#include "cluster/failuredetector.h"
#include "protocol/adminstatemessage.h"
#include "protocol/costestimatesmessage.h"
#include "protocol/rankmessages.h"
#include "sched/loadmodel.h"
#include "sched/loadranker.h"

#include <QJsonObject>

#include <cstdint>
#include <deque>
#include <vector>

namespace starling::cluster {

// The monitor's picture of the cluster: the master's table (states, weights), the slaves'
// heartbeats (a bounded history per node), and the failure detector's verdicts, merged into the
// snapshot that the master, bridge clients and /metrics see. Load and rank come from core's
// LoadModel and LoadRanker, over ACTIVE slaves only.
class SnapshotBuilder
{
public:
    SnapshotBuilder(int worldSize, std::size_t historyLength, std::uint64_t seed = 1,
                    sched::LoadModel model = sched::LoadModel{});

    void setHello(int rank, const protocol::RankHello &hello);
    void setAdminState(const QJsonObject &table);
    void setEmulation(int rank, const SlaveEmulation &emulation);
    // monotonicMs: when the monitor received it, for the heartbeat age.
    void addSample(int rank, const NodeStats &stats, std::int64_t monotonicMs);
    // The master's latest estimates replace the previous ones; slaves it no longer names keep
    // none (a stale estimate shown as current would mislead).
    void setCostEstimates(const protocol::CostEstimatesMessage &message);

    const std::deque<NodeStats> &history(int rank) const
    {
        return m_nodes.at(size_t(rank)).history;
    }
    bool hasHello(int rank) const { return m_nodes.at(size_t(rank)).hello.has_value(); }
    protocol::RankHello hello(int rank) const
    {
        return m_nodes.at(size_t(rank)).hello.value_or(protocol::RankHello{});
    }
    int worldSize() const { return int(m_nodes.size()); }
    // Until the master's table arrives, states and weights would be guesses.
    bool hasAdminState() const { return m_haveTable; }

    ClusterSnapshot build(std::int64_t wallMs, std::int64_t monotonicMs,
                          const FailureDetector &detector);

private:
    struct Known
    {
        std::optional<protocol::RankHello> hello;
        protocol::AdminStateMessage::Node table; // this node's entry of the master's table
        SlaveEmulation emulation;
        std::deque<NodeStats> history;
        std::int64_t lastHeardMs = -1;
        std::optional<sched::SlaveCostEstimate> estimates;
    };
    double loadOf(const NodeView &node) const;
    NodeView nodeView(int rank, std::int64_t monotonicMs, const FailureDetector &detector) const;

    std::vector<Known> m_nodes;
    std::size_t m_historyLength;
    protocol::AdminStateMessage m_table; // its nodes are in m_nodes
    bool m_haveTable = false;
    std::int64_t m_sequence = 0;
    sched::LoadModel m_model;
    sched::LoadRanker m_ranker;
};

} // namespace starling::cluster
