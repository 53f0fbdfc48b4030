#pragma once

#include "cluster/clustersnapshot.h"

#include <QByteArray>

namespace starling::bridge {

// Content-Type of the Prometheus text exposition format that formatPrometheus() writes.
inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// The snapshot in Prometheus text exposition format 0.0.4, as the monitor serves it on /metrics.
// Every per-node series carries the labels node (NodeView::name), rank and role. Families, in
// order (one # HELP and # TYPE each; a family may have no samples, e.g. no node ranked):
//   starling_node_info{host}                        gauge, always 1
//   starling_node_state{state}                      gauge, one-hot over every NodeState
//   starling_node_weight                            gauge, W_i
//   starling_node_load_seconds                      gauge, LoadModel realLoad_i
//   starling_node_load_rank                         gauge, 0 = lightest; absent if unranked
//   starling_node_heartbeat_age_seconds             gauge; absent if never heard from
//   starling_node_drain_eta_seconds                 gauge; DRAINING nodes with an ETA only
//   starling_node_cpu_ratio                         gauge, 0..1 over all cores
//   starling_node_memory_used_bytes                 gauge, MemTotal - MemAvailable
//   starling_node_memory_total_bytes                gauge
//   starling_node_network_transmit_bytes_per_second gauge, all interfaces of the node
//   starling_node_network_receive_bytes_per_second  gauge
//   starling_node_process_cpu_ratio                 gauge, of one core
//   starling_node_process_resident_memory_bytes     gauge
//   starling_node_transmit_bytes_total              counter, the Starling process's own bytes
//   starling_node_receive_bytes_total               counter
//   starling_node_established_connections           gauge, TCP, of the Starling process
//   starling_node_queued_tasks                      gauge
//   starling_node_in_flight_tasks                   gauge
//   starling_node_assigned_tasks                    gauge, given by the master, not finished
//   starling_node_tasks_done_total                  counter
//   starling_node_unit_compute_seconds              gauge, T_i estimate; absent until measured
//   starling_node_bandwidth_bytes_per_second        gauge, B_i estimate; absent until measured
//   starling_node_estimate_seconds_per_megabyte{op,channels}  gauge, the master's compute
//                                                   cost estimate per op class (issue 16)
//   starling_node_estimate_confidence_ratio{op,channels}      gauge, 0..1, its confidence
//   starling_snapshot_sequence                      gauge
//   starling_snapshot_timestamp_seconds             gauge; absent if the snapshot has no time
//   starling_cluster_master_queued_tasks            gauge
//   starling_cluster_nodes{state}                   gauge, nodes per NodeState (zeros included)
// Issue 17, for the alert rules in resources/prometheus/starling-rules.yml:
//   starling_node_state_since_timestamp_seconds     gauge, when the current state began (Unix
//                                                   time); absent if not known
//   starling_node_state_duration_seconds            gauge, snapshot time - that; same
//   starling_node_estimate_age_seconds{op,channels} gauge, snapshot time - the estimate's
//                                                   newest sample; absent if never sampled
//   starling_cluster_tasks_completed_total          counter, the master's tasks, each once
//   starling_cluster_late_messages_dropped_total    counter, stale completions refused
//   starling_cluster_jobs_queued                    gauge, image jobs waiting at the master
//   starling_cluster_jobs_running                   gauge
//   starling_cluster_job_queue_limit                gauge, job_queue_limit; absent if not known
//   starling_cluster_jobs_completed_total           counter, since the master started
//   starling_cluster_jobs_failed_total              counter, since the master started
//   starling_bridge_clients                         gauge, authenticated bridge clients
//   starling_bridge_snapshots_dropped_total         counter, snapshots skipped for slow clients
//   starling_bridge_clients_too_slow_total          counter, clients closed with "too_slow"
// The counters restart from 0 with the process that counts them; rules use increase().
struct BridgeMetrics
{
    int clients = 0;
    qint64 droppedSnapshots = 0;
    qint64 tooSlowClosures = 0;
};

QByteArray formatPrometheus(const starling::cluster::ClusterSnapshot &snapshot,
                            const BridgeMetrics &bridge = {});

} // namespace starling::bridge
