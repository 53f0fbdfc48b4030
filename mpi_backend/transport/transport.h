#pragma once

#include "messagetag.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <vector>

namespace starling::mpi {

// What the roles need from the wire between ranks: point-to-point messages, and the news that a
// peer is gone. MpiTransport is the real one; tests drive the roles through a fake, so a dead
// peer's handling is tested without starting processes. No MPI here.
class Transport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual int rank() const = 0;
    virtual int size() const = 0;

    // Sends to a peer already known to be lost are dropped: there is nobody to tell.
    virtual void send(int destination, Tag tag, const QByteArray &payload) = 0;
    void send(int destination, Tag tag, const QJsonObject &payload);

    // Polls at the fastest rate for the next `ms` milliseconds (a hand-off is expected soon).
    virtual void stayEager(int ms) = 0;

    // Probes these peers every intervalMs with an empty message, so a peer whose process died
    // is known within about one interval even when nothing else is being sent to it.
    virtual void watchPeers(std::vector<int> ranks, int intervalMs) = 0;
    virtual bool isLost(int rank) const = 0;

signals:
    void received(int source, starling::mpi::Tag tag, const QByteArray &payload);
    // Queued, never from inside send(): a handler may react by sending again.
    void peerLost(int rank, const QString &reason);
};

} // namespace starling::mpi
