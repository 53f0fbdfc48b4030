#pragma once

#include "cluster/clustersnapshot.h"
#include "cluster/adminstatetable.h"
#include "cluster/operatorstatestore.h"
#include "cluster/procsampler.h"
#include "cluster/taskledger.h"
#include "cluster/taskplacer.h"
#include "http/httpserver.h"
#include "jobs/jobboard.h"
#include "mpi_backend/jobs/jobrunner.h"
#include "mpi_backend/jobs/jobservice.h"
#include "nodeoptions.h"
#include "protocol/rankmessages.h"
#include "mpi_backend/transfer/fileservice.h"
#include "mpi_backend/transfer/relayservice.h"
#include "mpi_backend/transport/transport.h"
#include "util/alignedticker.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <mutex>

namespace starling::mpi {

// The master: holds the authoritative node states, weights and policy (AdminStateTable), applies
// operator commands and persists them, hands out tasks to the lightest ACTIVE slaves using the
// monitor's latest snapshot, takes work back from slaves declared DOWN, and refuses late
// messages from them. Serves a small HTTP API for programs. A slave whose process is gone (a
// failed send) is DOWN with reason "exited" at once and its work moves; losing the monitor ends
// the cluster.
class MasterRole final : public QObject
{
    Q_OBJECT

public:
    MasterRole(Transport &transport, const NodeOptions &options, QObject *parent = nullptr);
    ~MasterRole() override;

    Expected<bool> start();

signals:
    void finished();

private:
    void onMessage(int source, Tag tag, const QByteArray &payload);
    void onCommand(const protocol::CommandRequest &message);
    void onLiveness(const protocol::LivenessReport &message);
    void onPeerLost(int rank, const QString &detail);
    void takeWorkFrom(int rank);
    void onTaskDone(int source, const protocol::TaskCompletion &message);
    void reply(const protocol::CommandRequest &request, bool ok, const QJsonObject &result,
               const QString &code = {}, const QString &error = {});
    // What was given to whom: the ack's result and the event.
    protocol::LoadEvent addLoad(int tasks, double taskMs);
    bool recordFault(const protocol::CommandRequest &message,
                     const cluster::OperatorCommand &command);
    void dispatchWaiting();
    void publishTable();
    void updateFileService();
    void updateJobRunner();
    void flushEvents();
    void persist();
    void sendHeartbeat();
    void shutdown();
    void restoreJobs();
    std::int64_t now() const;

    Transport &m_transport;
    const NodeOptions &m_options;
    cluster::AdminStateTable m_table;
    cluster::OperatorStateStore m_store;
    cluster::TaskLedger m_ledger;
    cluster::TaskPlacer m_placer;
    cluster::ProcSampler m_sampler;
    cluster::ClusterSnapshot m_snapshot;
    // The HTTP API runs on libmicrohttpd's threads and reads this copy and the file service;
    // both are declared before m_http so the server (and its threads) goes first.
    mutable std::mutex m_apiMutex;
    QByteArray m_snapshotJson;
    RelayService m_relay;
    std::optional<FileService> m_files;
    jobs::JobSpool m_spool;
    jobs::JobBoard m_board;
    std::optional<JobService> m_jobService;
    JobRunner m_runner;
    std::unique_ptr<http::HttpServer> m_http;
    QString m_url;
    QTimer m_tableTimer;
    AlignedTicker m_heartbeat;
    std::int64_t m_lateDropped = 0;
    bool m_stopping = false;
};

} // namespace starling::mpi
