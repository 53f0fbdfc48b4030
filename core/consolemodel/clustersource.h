#pragma once

#include "cluster/clustersnapshot.h"
#include "cluster/historysample.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <vector>

namespace starling::consolemodel {

enum class LinkState
{
    Disconnected, // no connection; a retry may be scheduled
    Connecting,   // connecting or waiting for the welcome
    Connected     // welcomed: snapshots and events flow
};
QString linkStateName(LinkState state);

// Where the console's data comes from and where its commands go: the monitor's bridge in the
// real console (BridgeClusterSource), a scripted feed in tests and benchmarks. Everything is
// asynchronous: no call blocks, answers and data arrive as signals on the caller's thread.
class ClusterSource : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterSource)

public:
    explicit ClusterSource(QObject *parent = nullptr);
    ~ClusterSource() override;

    virtual void start() = 0; // connect, and keep reconnecting until stop()
    virtual void stop() = 0;
    virtual LinkState linkState() const = 0;
    // `command` has "op" and the op's fields (PROTOCOL.md, Commands); returns the id that
    // commandAnswered() will carry. Without a connection the answer is an error
    // "not_connected", delivered asynchronously like any other.
    virtual QString sendCommand(const QJsonObject &command) = 0;
    // False for a replay: the window disables every operator action.
    virtual bool acceptsCommands() const { return true; }
    // False for a replay, whose data is not aged by the wall clock (a paused replay is not
    // stale) but by nowMs().
    virtual bool isLive() const { return true; }
    // The moment the data stands for: the wall clock, or a replay's position in its recording.
    virtual qint64 nowMs() const;

signals:
    void snapshotReceived(const starling::cluster::ClusterSnapshot &snapshot);
    void eventReceived(const QJsonObject &event);
    void commandAnswered(const QString &id, bool ok, const QJsonObject &result, const QString &code,
                         const QString &message);
    // detail: what happened, for people ("retrying in 4 s: connection refused").
    void linkStateChanged(starling::consolemodel::LinkState state, const QString &detail);
    void roundTripMeasured(qint64 ms);
    // After every (re)connect, the monitor's history of each slave (oldest first, its clock),
    // all at once; or one line saying why some or all of it is missing.
    void historyReceived(const std::vector<starling::cluster::NodeHistorySamples> &history);
    void historyFailed(const QString &message);
};

} // namespace starling::consolemodel
