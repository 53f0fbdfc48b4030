#include "clustersource.h"

namespace starling::consolemodel {

QString linkStateName(LinkState state)
{
    switch (state) {
    case LinkState::Disconnected:
        return QStringLiteral("disconnected");
    case LinkState::Connecting:
        return QStringLiteral("connecting");
    case LinkState::Connected:
        return QStringLiteral("connected");
    }
    return {};
}

ClusterSource::ClusterSource(QObject *parent) : QObject(parent) {}

ClusterSource::~ClusterSource() = default;

} // namespace starling::consolemodel
