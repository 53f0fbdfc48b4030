#include "metricsformatter.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

namespace starling::bridge {

using cluster::NodeState;
using cluster::NodeView;

namespace {

// Every NodeState, in declaration order: the one-hot state family and the per-state node counts
// list all of them so a series exists (as 0) before the first node ever enters a state, which is
// what alert rules and Grafana panels need. Keep in step with cluster/nodestate.h.
constexpr std::array kStates{NodeState::Active, NodeState::Draining, NodeState::Drained,
                             NodeState::Suspect, NodeState::Down};

// Label values may hold any UTF-8; the format escapes exactly backslash, double quote and
// newline.
QByteArray escapeLabel(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// Whole numbers (byte and task counts) as plain integers, so 8000000000 does not turn into
// 8e+09 for people reading the page; anything else as the shortest text that reads back as the
// same double. The format spells the non-finite values NaN, +Inf and -Inf.
QByteArray number(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    constexpr double kExactIntegers = 9007199254740992.0; // 2^53
    if (std::trunc(value) == value && std::fabs(value) < kExactIntegers)
        return QByteArray::number(qint64(value));
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, result.ptr - buffer);
}

class Exposition
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += help;
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }

    // labels: already escaped `key="value",...` text, or empty.
    void sample(const char *name, const QByteArray &labels, double value)
    {
        m_out += name;
        if (!labels.isEmpty()) {
            m_out += '{';
            m_out += labels;
            m_out += '}';
        }
        m_out += ' ';
        m_out += number(value);
        m_out += '\n';
    }

    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

QByteArray label(const char *key, const QString &value)
{
    return QByteArray(key) + "=\"" + escapeLabel(value.toUtf8()) + '"';
}

QByteArray nodeLabels(const NodeView &node)
{
    return label("node", node.name) + ',' + label("rank", QString::number(node.rank)) + ',' +
           label("role", cluster::toString(node.role));
}

// One per-node family: nullopt leaves the node out of it (a value that does not exist, not 0).
struct NodeFamily
{
    const char *name;
    const char *type;
    const char *help;
    std::optional<double> (*value)(const NodeView &);
};

std::optional<double> ifNonNegative(double v)
{
    return v >= 0 ? std::optional<double>(v) : std::nullopt;
}

std::optional<double> ifPositive(double v)
{
    return v > 0 ? std::optional<double>(v) : std::nullopt;
}

// Estimates are in the units the schedulers use; MB here is 10^6 bytes, as for link speeds.
constexpr double kBytesPerMB = 1e6;

const NodeFamily kNodeFamilies[] = {
    {"starling_node_weight", "gauge", "Scheduling weight W_i of the node.",
     [](const NodeView &n) -> std::optional<double> {
         return n.weight;
     }},
    {"starling_node_load_seconds", "gauge",
     "Load of the node: seconds of pending work on it (paper 1 load, pending cost / weight).",
     [](const NodeView &n) -> std::optional<double> {
         return n.load;
     }},
    {"starling_node_load_rank", "gauge",
     "Position of the slave in the load ranking, 0 = lightest; absent when not ranked.",
     [](const NodeView &n) -> std::optional<double> {
         return ifNonNegative(n.loadRank);
     }},
    {"starling_node_heartbeat_age_seconds", "gauge",
     "Seconds since the node's last heartbeat; absent when never heard from.",
     [](const NodeView &n) -> std::optional<double> {
         return n.heartbeatAgeMs >= 0 ? std::optional<double>(double(n.heartbeatAgeMs) / 1000.0)
                                      : std::nullopt;
     }},
    {"starling_node_drain_eta_seconds", "gauge",
     "Estimated seconds until a DRAINING node is DRAINED.",
     [](const NodeView &n) -> std::optional<double> {
         return n.state == NodeState::Draining ? ifNonNegative(n.drainEtaS) : std::nullopt;
     }},
    {"starling_node_cpu_ratio", "gauge", "CPU use of the whole node, 0..1 over all cores.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.nodeCpu;
     }},
    {"starling_node_memory_used_bytes", "gauge",
     "Memory in use on the node (MemTotal - MemAvailable).",
     [](const NodeView &n) -> std::optional<double> {
         return double(n.stats.nodeMemUsedBytes);
     }},
    {"starling_node_memory_total_bytes", "gauge", "Physical memory of the node.",
     [](const NodeView &n) -> std::optional<double> {
         return double(n.stats.nodeMemTotalBytes);
     }},
    {"starling_node_network_transmit_bytes_per_second", "gauge",
     "Bytes per second sent over all network interfaces of the node, loopback included.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.txBytesPerS;
     }},
    {"starling_node_network_receive_bytes_per_second", "gauge",
     "Bytes per second received over all network interfaces of the node, loopback included.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.rxBytesPerS;
     }},
    {"starling_node_process_cpu_ratio", "gauge",
     "CPU use of the node's Starling process as a fraction of one core.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.processCpu;
     }},
    {"starling_node_process_resident_memory_bytes", "gauge",
     "Resident memory of the node's Starling process.",
     [](const NodeView &n) -> std::optional<double> {
         return double(n.stats.processRssBytes);
     }},
    {"starling_node_transmit_bytes_total", "counter",
     "Bytes the node's Starling process has sent to clients and the master.",
     [](const NodeView &n) -> std::optional<double> {
         return double(n.stats.txBytesTotal);
     }},
    {"starling_node_receive_bytes_total", "counter",
     "Bytes the node's Starling process has received.",
     [](const NodeView &n) -> std::optional<double> {
         return double(n.stats.rxBytesTotal);
     }},
    {"starling_node_established_connections", "gauge",
     "Established TCP connections of the node's Starling process.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.connections;
     }},
    {"starling_node_queued_tasks", "gauge", "Tasks waiting in the node's queue.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.queueLength;
     }},
    {"starling_node_in_flight_tasks", "gauge", "Tasks the node is running now.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.inFlight;
     }},
    {"starling_node_assigned_tasks", "gauge",
     "Tasks the master has given the node and not yet seen finish.",
     [](const NodeView &n) -> std::optional<double> {
         return n.assigned;
     }},
    {"starling_node_tasks_done_total", "counter", "Tasks the node has finished.",
     [](const NodeView &n) -> std::optional<double> {
         return double(n.stats.tasksDone);
     }},
    {"starling_node_unit_compute_seconds", "gauge",
     "Estimated compute seconds per task unit (T_i); absent until measured.",
     [](const NodeView &n) -> std::optional<double> {
         return ifPositive(n.stats.unitComputeS);
     }},
    {"starling_node_bandwidth_bytes_per_second", "gauge",
     "Estimated master-to-node bandwidth (B_i); absent until measured.",
     [](const NodeView &n) -> std::optional<double> {
         return n.stats.bandwidthMBps > 0
                    ? std::optional<double>(n.stats.bandwidthMBps * kBytesPerMB)
                    : std::nullopt;
     }},
};

// Issue 16: the master's compute estimates, one sample per node and op class.
void estimateFamilies(Exposition &out, const cluster::ClusterSnapshot &snapshot,
                      const std::vector<QByteArray> &labels)
{
    const auto each = [&](const char *name, double (*value)(const sched::AffineEstimate &)) {
        for (size_t i = 0; i < snapshot.nodes.size(); ++i) {
            if (!snapshot.nodes[i].estimates)
                continue;
            for (const sched::OpCostEstimate &op : snapshot.nodes[i].estimates->ops) {
                out.sample(name,
                           labels[i] + ',' + label("op", op.op) + ',' +
                               label("channels", QString::number(op.channels)),
                           value(op.compute));
            }
        }
    };
    out.family("starling_node_estimate_seconds_per_megabyte", "gauge",
               "The master's estimate of the node's compute seconds per MB of input, per op "
               "class; absent until estimated.");
    each("starling_node_estimate_seconds_per_megabyte",
         [](const sched::AffineEstimate &e) { return e.perMBS; });
    out.family("starling_node_estimate_confidence_ratio", "gauge",
               "Confidence of that estimate, 0 (a guess) to 1.");
    each("starling_node_estimate_confidence_ratio",
         [](const sched::AffineEstimate &e) { return e.confidence; });
}

// Issue 17: an age needs the snapshot's time, which the per-node table does not see.
void estimateAges(Exposition &out, const cluster::ClusterSnapshot &snapshot,
                  const std::vector<QByteArray> &labels)
{
    out.family("starling_node_estimate_age_seconds", "gauge",
               "Seconds from the estimate's newest sample to the snapshot; absent if never "
               "sampled.");
    if (snapshot.timeMs <= 0)
        return;
    for (size_t i = 0; i < snapshot.nodes.size(); ++i) {
        if (!snapshot.nodes[i].estimates)
            continue;
        for (const sched::OpCostEstimate &op : snapshot.nodes[i].estimates->ops) {
            if (op.compute.lastSampleMs <= 0)
                continue;
            out.sample(
                "starling_node_estimate_age_seconds",
                labels[i] + ',' + label("op", op.op) + ',' +
                    label("channels", QString::number(op.channels)),
                double(std::max<std::int64_t>(0, snapshot.timeMs - op.compute.lastSampleMs)) /
                    1000.0);
        }
    }
}

// Issue 17: "SUSPECT for 2 minutes", "a drain not finished in 30 minutes" need when the state
// began; the duration spares rules a time() that promtool's tests start at 0.
void stateTimes(Exposition &out, const cluster::ClusterSnapshot &snapshot,
                const std::vector<QByteArray> &labels)
{
    out.family("starling_node_state_since_timestamp_seconds", "gauge",
               "When the node entered its current state, seconds since the Unix epoch.");
    for (size_t i = 0; i < snapshot.nodes.size(); ++i) {
        if (snapshot.nodes[i].stateSinceMs > 0)
            out.sample("starling_node_state_since_timestamp_seconds", labels[i],
                       double(snapshot.nodes[i].stateSinceMs) / 1000.0);
    }
    out.family("starling_node_state_duration_seconds", "gauge",
               "Seconds the node has been in its current state at the snapshot's time.");
    for (size_t i = 0; i < snapshot.nodes.size(); ++i) {
        const std::int64_t since = snapshot.nodes[i].stateSinceMs;
        if (since > 0 && snapshot.timeMs > 0)
            out.sample("starling_node_state_duration_seconds", labels[i],
                       double(std::max<std::int64_t>(0, snapshot.timeMs - since)) / 1000.0);
    }
}

// Issue 17: the master's task and job counters and the monitor's bridge.
void clusterCounters(Exposition &out, const cluster::ClusterSnapshot &snapshot,
                     const BridgeMetrics &bridge)
{
    const auto one = [&out](const char *name, const char *type, const char *help, double value) {
        out.family(name, type, help);
        out.sample(name, {}, value);
    };
    one("starling_cluster_tasks_completed_total", "counter",
        "Tasks the master has seen complete, each counted once.", double(snapshot.tasksCompleted));
    one("starling_cluster_late_messages_dropped_total", "counter",
        "Completions from an older epoch the master refused.",
        double(snapshot.lateMessagesDropped));
    const protocol::AdminStateMessage::Jobs &jobs = snapshot.jobs;
    one("starling_cluster_jobs_queued", "gauge", "Image jobs waiting at the master.",
        double(jobs.queued));
    one("starling_cluster_jobs_running", "gauge", "Image jobs the master is running.",
        double(jobs.running));
    out.family("starling_cluster_job_queue_limit", "gauge",
               "Image jobs that may wait at the master (job_queue_limit).");
    if (jobs.queueLimit > 0)
        out.sample("starling_cluster_job_queue_limit", {}, double(jobs.queueLimit));
    one("starling_cluster_jobs_completed_total", "counter",
        "Image jobs completed since the master started.", double(jobs.doneTotal));
    one("starling_cluster_jobs_failed_total", "counter",
        "Image jobs failed since the master started.", double(jobs.failedTotal));
    one("starling_bridge_clients", "gauge", "Authenticated bridge clients of the monitor.",
        bridge.clients);
    one("starling_bridge_snapshots_dropped_total", "counter",
        "Snapshots skipped for bridge clients that were behind.", double(bridge.droppedSnapshots));
    one("starling_bridge_clients_too_slow_total", "counter",
        "Bridge clients closed as too slow (not reading their events).",
        double(bridge.tooSlowClosures));
}

} // namespace

QByteArray formatPrometheus(const cluster::ClusterSnapshot &snapshot, const BridgeMetrics &bridge)
{
    Exposition out;
    std::vector<QByteArray> labels;
    labels.reserve(snapshot.nodes.size());
    for (const NodeView &node : snapshot.nodes)
        labels.push_back(nodeLabels(node));

    out.family("starling_node_info", "gauge",
               "Always 1; the labels name each node's MPI rank, role and host.");
    for (size_t i = 0; i < snapshot.nodes.size(); ++i)
        out.sample("starling_node_info", labels[i] + ',' + label("host", snapshot.nodes[i].host),
                   1);

    out.family("starling_node_state", "gauge",
               "1 for the node's current state, 0 for every other state.");
    for (size_t i = 0; i < snapshot.nodes.size(); ++i) {
        for (NodeState state : kStates) {
            out.sample("starling_node_state",
                       labels[i] + ',' + label("state", cluster::toString(state)),
                       snapshot.nodes[i].state == state ? 1 : 0);
        }
    }

    for (const NodeFamily &family : kNodeFamilies) {
        out.family(family.name, family.type, family.help);
        for (size_t i = 0; i < snapshot.nodes.size(); ++i) {
            if (const std::optional<double> value = family.value(snapshot.nodes[i]))
                out.sample(family.name, labels[i], *value);
        }
    }

    estimateFamilies(out, snapshot, labels);

    out.family("starling_snapshot_sequence", "gauge",
               "Sequence number of the monitor's cluster snapshot.");
    out.sample("starling_snapshot_sequence", {}, double(snapshot.sequence));
    out.family("starling_snapshot_timestamp_seconds", "gauge",
               "Wall-clock time the snapshot was published, seconds since the Unix epoch.");
    if (snapshot.timeMs > 0)
        out.sample("starling_snapshot_timestamp_seconds", {}, double(snapshot.timeMs) / 1000.0);
    out.family("starling_cluster_master_queued_tasks", "gauge",
               "Tasks waiting at the master for a slave.");
    out.sample("starling_cluster_master_queued_tasks", {}, double(snapshot.tasksQueuedAtMaster));

    out.family("starling_cluster_nodes", "gauge", "Number of nodes in each state.");
    for (NodeState state : kStates) {
        int count = 0;
        for (const NodeView &node : snapshot.nodes)
            count += node.state == state ? 1 : 0;
        out.sample("starling_cluster_nodes", label("state", cluster::toString(state)), count);
    }

    stateTimes(out, snapshot, labels);
    estimateAges(out, snapshot, labels);
    clusterCounters(out, snapshot, bridge);
    return out.take();
}

} // namespace starling::bridge
