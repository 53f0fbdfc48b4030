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
QByteArray formatPrometheus(const starling::cluster::ClusterSnapshot &snapshot);

} // namespace starling::bridge
