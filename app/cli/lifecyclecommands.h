#pragma once

#include <QStringList>

namespace starling::cli {

// `starling up`: start a cluster under mpiexec, wait until every rank reported, write the state
// file; stay in the foreground (Ctrl-C stops the cluster) unless --detach.
int runUpCommand(const QStringList &arguments);
// `starling down`: ask the cluster to shut down, make sure every rank is gone within seconds.
int runDownCommand(const QStringList &arguments);
// `starling restart`: down (if it runs), then up again with the arguments the last up saved in
// the run directory (launch.json). How a lost slave comes back: this MPICH cannot add a rank.
int runRestartCommand(const QStringList &arguments);

} // namespace starling::cli
