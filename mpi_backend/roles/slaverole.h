#pragma once

#include "cluster/nodestats.h"
#include "cluster/procsampler.h"
#include "cluster/slaveemulation.h"
#include "http/dataserver.h"
#include "mpi_backend/jobs/stripworker.h"
#include "mpi_backend/transport/transport.h"
#include "nodeoptions.h"
#include "protocol/rankmessages.h"
#include "sched/costmodel.h"
#include "transfer/exportroot.h"
#include "util/alignedticker.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <cstdint>
#include <deque>
#include <optional>

namespace starling::mpi {

// A slave: keeps paper 1's task queue, runs one task at a time, and reports its measurements to
// the monitor every heartbeat. Synthetic tasks take their emulated cost (cost x cpu_factor of
// the profile) as timer time, so a loaded demo cluster does not fight over the real cores.
class SlaveRole final : public QObject
{
    Q_OBJECT

public:
    SlaveRole(Transport &transport, const NodeOptions &options, QObject *parent = nullptr);

    // Opens the export root and starts the block data server; an error names what failed.
    Expected<bool> start();

signals:
    void finished();

private:
    struct Task
    {
        std::int64_t id = 0;
        std::int64_t epoch = 0;
        double costMs = 0; // on a standard slave
    };

    void onMessage(int source, Tag tag, const QByteArray &payload);
    void onPeerLost(int rank, const QString &detail);
    void stop();
    void onAssign(const protocol::TaskAssignment &message);
    void onChunkRead(const QByteArray &payload);
    void onBlockServed(const http::BlockServed &block);
    void onStripAssign(const QByteArray &payload);
    void onStripFinished(int reply, const QByteArray &result, double computeS, double standardS);
    void measureBandwidth(std::int64_t nowMs, const cluster::NodeStats &stats);
    void resetEpoch(std::int64_t epoch);
    void startNextTask();
    void finishRunningTask();
    void sendHeartbeat();
    double pendingWorkS() const;

    Transport &m_transport;
    const NodeOptions &m_options;
    cluster::SlaveEmulation m_emulation;
    sched::CostModel m_costs; // g1, with the cluster's standard strip speed
    cluster::ProcSampler m_sampler;
    std::optional<transfer::ExportRoot> m_root;
    std::unique_ptr<http::DataServer> m_data;
    QString m_dataUrl;
    // B_i as measured: bytes the data server sent per busy heartbeat period (EWMA).
    double m_measuredMBps = 0;
    double m_profileLinkMBps = 0; // the profile's link_MBps, emulated or not
    qint64 m_lastBytesSent = 0;
    std::int64_t m_lastMeasureMs = 0;
    bool m_wasServing = false; // the data server had a connection at the last measurement
    AlignedTicker m_heartbeat;
    StripWorker m_strips;
    QTimer m_taskTimer;
    QElapsedTimer m_taskClock;
    std::deque<Task> m_queue;
    std::optional<Task> m_running;
    std::int64_t m_epoch = 0;
    bool m_stopped = false;
    std::int64_t m_sequence = 0;
    std::int64_t m_tasksDone = 0;
    std::int64_t m_txBytes = 0;
    std::int64_t m_rxBytes = 0;
    double m_unitComputeS = 0;
    double m_slowdown = 1; // the operator's `slow` factor on top of the profile // EWMA of ms per
                           // standard-cost ms, as seconds per unit
};

} // namespace starling::mpi
