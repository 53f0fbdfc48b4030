#include "downloadoptions.h"

namespace starling::client {

std::optional<QString> DownloadOptions::problem() const
{
    if (outputPath.isEmpty())
        return QStringLiteral("no output file given");
    if (connectionsPerSource < 1 || connectionsPerSource > kMaxConnections)
        return QStringLiteral("connections per source must be 1 to %1").arg(kMaxConnections);
    if (verifyThreads < 1 || verifyThreads > kMaxConnections)
        return QStringLiteral("verify threads must be 1 to %1").arg(kMaxConnections);
    return std::nullopt;
}

} // namespace starling::client
