#pragma once

#include <QStringList>

namespace starling::cli {

// `starling demo`: the console's demo without a display. Starts a local cluster with the
// four-slave profile and the demo load generator, prints a live status view for --seconds,
// then a summary, and stops the cluster. Exit codes: 0 ran (and every step of the load
// succeeded), 1 some step failed or the cluster did not start, 2 bad usage or a cluster
// already in the run directory.
int runDemoCommand(const QStringList &arguments);

} // namespace starling::cli
