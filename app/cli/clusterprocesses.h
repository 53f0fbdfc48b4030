#pragma once

#include "cluster/statefile.h"

#include <QString>

#include <vector>

namespace starling::cli {

// The processes of a cluster as the state file names them, and stopping them: the bridge's
// shutdown first, then signals, only ever to pids that are still what we started.

// mpiexec and every starling-node of the state file that still runs.
std::vector<qint64> livePids(const cluster::ClusterStateFile &state);
bool waitUntilGone(const cluster::ClusterStateFile &state, int timeoutMs);
void removeRunFiles(const QString &runDir);
// The same, unless the state file now belongs to another cluster (another token): a
// `starling restart` may have written a new one by then.
void removeOwnRunFiles(const cluster::ClusterStateFile &state);
// Graceful first (the master persists and tells every rank to stop), then SIGTERM, then
// SIGKILL; within about 5 s even with a hung (stopped) rank. True if no signal was needed.
bool stopCluster(const cluster::ClusterStateFile &state, const QString &reason);

} // namespace starling::cli
