#include "noderole.h"

namespace starling::cluster {

NodeRole roleForRank(int rank)
{
    if (rank == 0)
        return NodeRole::Master;
    if (rank == 1)
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

} // namespace starling::cluster
