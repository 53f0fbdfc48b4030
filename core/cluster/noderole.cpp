#include "noderole.h"

namespace starling::cluster {

NodeRole roleForRank(int rank)
{
    if (rank == kMasterRank)
        return NodeRole::Master;
    if (rank == kMonitorRank)
        return NodeRole::Monitor;
    return NodeRole::Slave;
}

QString toString(NodeRole role)
{
    switch (role) {
    case NodeRole::Master:
        return QStringLiteral("master");
    case NodeRole::Monitor:
        return QStringLiteral("monitor");
    case NodeRole::Slave:
        return QStringLiteral("slave");
    }
    return {};
}

QString nodeName(int rank)
{
    const NodeRole role = roleForRank(rank);
    return role == NodeRole::Slave ? QStringLiteral("slave-%1").arg(rank) : toString(role);
}

} // namespace starling::cluster
