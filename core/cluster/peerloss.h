#pragma once

#include <QJsonObject>
#include <QString>

namespace starling::cluster {

// Master -> monitor: a slave's process is gone (a send to it failed), so the monitor's
// detector and snapshot show it DOWN at once instead of after down_after_ms of silence.
struct PeerLoss
{
    int rank = -1;
    QString reason; // "exited"

    QJsonObject toJson() const;
    // rank -1 when the object is not a PeerLoss.
    static PeerLoss fromJson(const QJsonObject &object);
};

} // namespace starling::cluster
