#pragma once

#include "cluster/adminstatetable.h"
#include "cluster/clustersnapshot.h"
#include "cluster/operatorstatestore.h"
#include "cluster/procsampler.h"
#include "jobs/jobboard.h"
#include "masterapi.h"
#include "mpi_backend/jobs/jobrunner.h"
#include "mpi_backend/jobs/jobservice.h"
#include "mpi_backend/transfer/fileservice.h"
#include "mpi_backend/transfer/relayservice.h"
#include "mpi_backend/transport/transport.h"
#include "nodeoptions.h"
#include "protocol/rankmessages.h"
#include "taskdispatcher.h"
#include "util/alignedticker.h"

#include <QJsonArray>
#include <QObject>
#include <QTimer>

#include <memory>

namespace starling::mpi {

// The master wires the cluster's authority together: the node states, weights and policy
// (AdminStateTable), applied from operator commands and persisted; the task hand-out
// (TaskDispatcher); files and relays (FileService), image jobs (JobService, JobRunner) and the
// HTTP API over them (MasterApi). A slave whose process is gone (a failed send) is DOWN with
// reason "exited" at once and its work moves; losing the monitor ends the cluster.
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
    void onTaskDone(int source, const protocol::TaskCompletion &message);
    void onSnapshot(const QByteArray &payload);
    void onBlockServed(int source, const QByteArray &payload);
    void reply(const protocol::CommandRequest &request, bool ok, const QJsonObject &result,
               const QString &code = {}, const QString &error = {});
    bool recordFault(const protocol::CommandRequest &message,
                     const cluster::OperatorCommand &command);
    bool applySlow(const protocol::CommandRequest &message,
                   const cluster::OperatorCommand &command);
    void restoreOperatorState();
    Expected<bool> startFileService();
    void startJobService();
    Expected<bool> startApi();
    void announce();
    void sendToMonitorLater(QJsonObject event);
    void publishTable();
    void updateFileService();
    void updateJobRunner();
    void publishEstimates(bool force);
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
    cluster::ProcSampler m_sampler;
    cluster::ClusterSnapshot m_snapshot;
    TaskDispatcher m_dispatcher;
    RelayService m_relay;
    std::optional<FileService> m_files;
    jobs::JobSpool m_spool;
    jobs::JobBoard m_board;
    std::optional<JobService> m_jobService;
    JobRunner m_runner;
    // Declared after the services its connection threads call, so it (and they) stop first.
    std::unique_ptr<MasterApi> m_api;
    QString m_url;
    QTimer m_tableTimer;
    AlignedTicker m_heartbeat;
    // Issue 16, showing the estimates: what was last sent, so only changes go out.
    QTimer m_estimateTimer;
    QJsonArray m_sentEstimates;
    bool m_stopping = false;
};

} // namespace starling::mpi
