#pragma once

#include "cluster/clusterconfig.h"
#include "cluster/heterogeneityprofile.h"

#include <QString>

namespace starling::mpi {

// Everything a rank is started with: the validated config and profile and where the run
// directory (state file, operator state, logs) lives.
struct NodeOptions
{
    cluster::ClusterConfig config;
    cluster::HeterogeneityProfile profile;
    QString runDir;
    QString profilePath;
    QString hostName;
};

constexpr int kMasterRank = 0;
constexpr int kMonitorRank = 1;

} // namespace starling::mpi
