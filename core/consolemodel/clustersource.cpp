#include "clustersource.h"

#include <QDateTime>

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

qint64 ClusterSource::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace starling::consolemodel
