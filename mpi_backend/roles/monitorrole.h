#pragma once

#include "bridge/bridgeserver.h"
#include "cluster/failuredetector.h"
#include "cluster/historystore.h"
#include "cluster/procsampler.h"
#include "cluster/snapshotbuilder.h"
#include "http/httpserver.h"
#include "mpi_backend/transport/transport.h"
#include "nodeoptions.h"
#include "protocol/rankmessages.h"
#include "util/alignedticker.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <mutex>
#include <vector>

namespace starling::mpi {

// The monitor: collects heartbeats, runs the failure detector, builds the snapshot (load and
// rank), publishes it to the master, bridge clients and /metrics, forwards operator commands
// from the bridge to the master and the master's answers and events back, and writes the
// cluster's state file once every rank has reported.
class MonitorRole final : public QObject
{
    Q_OBJECT

public:
    MonitorRole(Transport &transport, const NodeOptions &options, QObject *parent = nullptr);
    ~MonitorRole() override;

    // Opens the bridge and metrics ports; a failure here is fatal for the cluster.
    Expected<bool> start();

signals:
    void finished();

private:
    void onMessage(int source, Tag tag, const QByteArray &payload);
    void onHello(int source, const protocol::RankHello &hello);
    void onHeartbeat(int source, const QJsonObject &stats);
    void onCommandFromBridge(quint64 clientId, const QString &clientName,
                             const QJsonObject &command);
    void onCommandReply(const protocol::CommandReply &reply);
    void serveHistoryPage(quint64 clientId, const QString &id, const QJsonObject &command);
    int rankOfNode(const QString &name) const; // -1 if no node has that name
    void onPeerLost(int rank, const QString &detail);
    void onSlaveExited(const QJsonObject &message);
    void checkLiveness();
    void publishSnapshot();
    void publishIfRoundComplete();
    void publishIfOverdue();
    int snapshotGapMs() const;
    void sampleSelf();
    void reportStateIfReady();
    void writeStartupProgress() const;
    void shutdown();
    std::int64_t monotonicMs() const { return m_clock.elapsed(); }

    Transport &m_transport;
    const NodeOptions &m_options;
    QElapsedTimer m_clock;
    cluster::FailureDetector m_detector;
    cluster::SnapshotBuilder m_builder;
    cluster::HistoryStore m_history; // the console's charts (history_page)
    cluster::ProcSampler m_sampler;
    QByteArray m_token;
    // /metrics is served from libmicrohttpd's thread; it reads the last rendered text. Declared
    // before the servers so they are destroyed (and their threads joined) first.
    mutable std::mutex m_metricsMutex;
    QByteArray m_metricsText;
    std::unique_ptr<bridge::BridgeServer> m_bridge;
    std::unique_ptr<http::HttpServer> m_metricsServer;
    quint16 m_bridgePort = 0;
    quint16 m_metricsPort = 0;
    bool m_stateReported = false;
    bool m_stopped = false;
    QTimer m_livenessTimer;
    QTimer m_snapshotTimer;
    AlignedTicker m_selfTimer;
    // Round mode: publish as soon as every live slave's sample for this tick is in.
    bool m_roundMode = false;
    std::int64_t m_lastPublishMs = -1'000'000;
    std::vector<bool> m_fresh;
};

} // namespace starling::mpi
