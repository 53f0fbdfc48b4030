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

// Where each role sits in the job: the one place that knows slaves start at rank 2.
constexpr int kMasterRank = 0;
constexpr int kMonitorRank = 1;
constexpr int kFirstSlaveRank = 2;
constexpr int kMinimumRanks = kFirstSlaveRank + 1;

constexpr int slaveIndex(int rank) { return rank - kFirstSlaveRank; } // 0 = the first slave
constexpr int slaveRank(int index) { return kFirstSlaveRank + index; }
constexpr int slaveCount(int worldSize) { return worldSize - kFirstSlaveRank; }
constexpr bool isSlaveRank(int rank) { return rank >= kFirstSlaveRank; }

NodeRole roleForRank(int rank);
QString toString(NodeRole role);
QString nodeName(int rank); // "master", "monitor", "slave-2", ...

} // namespace starling::cluster
