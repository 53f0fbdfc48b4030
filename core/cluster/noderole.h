#pragma once

#include <QString>

namespace starling::cluster {

// One MPI job is one cluster: rank 0 is the master, rank 1 the monitor, every other rank a slave.
enum class NodeRole
{
    Master,
    Monitor,
    Slave
};

constexpr int kMinimumRanks = 3;

NodeRole roleForRank(int rank);
QString toString(NodeRole role);

} // namespace starling::cluster
