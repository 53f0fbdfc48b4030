#pragma once

#include "idleprober.h"
#include "jobs/jobboard.h"
#include "jobs/jobstream.h"
#include "mpi_backend/transport/transport.h"
#include "protocol/jobevents.h"
#include "sched/costestimator.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace starling::mpi {

struct RunningJob;

// Runs the master's image jobs over MPI, up to `overlap` at once (issue 16, job stream): takes
// the next job from the board, plans it with the job's strategy from the current estimates onto
// the backlog of the jobs already running (jobs::JobStream, one jobs::JobScheduler per job), and
// performs what the stream asks of the one port, earliest job first: sending each strip (with the
// halo rows its op needs) and receiving each result. A send holds the port for bytes / link speed
// when the profile emulates the slave's link, and otherwise until the slave says the strip arrived
// (jobs::StripReceipt) when the slave's host has a link of its own: over TCP, MPI calls a send
// complete once its bytes are buffered, and every strip would leave at once whatever the send
// order (measured in a lab: a 3.3 MB strip to a 10 MB/s host "sent" in 2 ms). On one machine
// (loopback, no link to model) a send takes no port time, as before: waiting for each receipt
// there made a blur job 1.7x slower over TCP than over shared memory. A return holds the port
// only when emulated: the slave sends its result when it is done. The master computes
// nothing; it assembles the rows.
//
// Estimates (issue 16): a sched::CostEstimator fitted on this runner's own timings (and on the
// probe rounds an IdleProber runs once nothing runs) gives each
// slave a fixed cost per strip and a cost per MB for the job's op class (falling back to
// another op of the slave, the slave's calibrated slowness, or a standard slave), and a link
// latency and rate (falling back to the snapshot's estimate, else the profile's link); the
// compute is divided by the operator's weight. A slave that turns SUSPECT or DOWN is lost to
// every running job: their strips go to the others and its late results are dropped.
//
// Running jobs share one platform (the stream's slaves, in one order: JobStream indexes slaves
// alike for every job). A job joins running ones only while the available slaves are exactly
// theirs; after a slave was lost or came back, the next job waits for the stream to drain.
// Strips carry the job's stream sequence, so slaves compute earliest job first.
//
// THREADS: the MPI thread only.
class JobRunner final : public QObject
{
    Q_OBJECT

public:
    struct Slave
    {
        int rank = 0;
        QString name;
        bool available = false; // may take strips of a job that starts now (ACTIVE, alive)
        bool alive = true;      // false (SUSPECT, DOWN): a running job loses it
        double weight = 1;
        double linkMBps = 0;         // the snapshot's B_i estimate; 0 = unknown
        double slowness = 0;         // the snapshot's T_i in standard seconds per second
        double emulatedLinkMBps = 0; // the profile's link; 0 = not emulated
        bool ownLink = false; // its host's link is its own (a lab host, a real host), not loopback
    };

    JobRunner(Transport &transport, jobs::JobBoard &board, double standardMBps,
              QObject *parent = nullptr, double estimatorForgetting = 0.9,
              double estimatorHalfLifeS = 3600, int overlap = 3);
    ~JobRunner() override;

    void setSlaves(std::vector<Slave> slaves);
    // Starts queued jobs while fewer than `overlap` run.
    void wake();
    void onStripResult(int source, const QByteArray &payload);
    // A slave has the strip the port is sending (unemulated links: the port waits for this).
    void onStripReceived(int source, const QByteArray &payload);
    // Fails the running jobs (the cluster is going down); nothing starts afterwards.
    void stop();
    bool isRunning() const { return !m_jobs.empty(); }
    // What the master believes of each slave it knows, confidence aged to `nowMs` (issue 16).
    std::vector<sched::SlaveCostEstimate> costEstimates(std::int64_t nowMs) const;

signals:
    // For the monitor's event stream (job_started, strip_assigned, strip_done,
    // strip_reassigned, job_done, job_failed).
    void event(const QJsonObject &event);

private:
    // What holds the one port: a strip being sent or a result being received, of one job.
    struct Port
    {
        int job = 0; // stream sequence
        jobs::JobScheduler::PortWork work;
        double due = 0;
        QByteArray message;
        qint64 bytes = 0;             // of the strip being sent
        bool awaitingReceipt = false; // the strip left; the port is free when the slave has it
    };

    std::vector<Slave> availableSlaves() const;
    bool canJoin(const std::vector<Slave> &available) const;
    bool waitForSlaves(bool anyAvailable, qint64 nowMs);
    void startJob(jobs::JobBoard::Running running, std::vector<Slave> available);
    sched::Platform estimatesFor(const RunningJob &job, double unitBytes) const;
    void noteLeftOut(const RunningJob &job);
    sched::AffineEstimate linkFallback(const Slave &slave) const;
    void publishStarted(const RunningJob &job, double predictedMakespanS);
    void perform(std::optional<jobs::JobStream::Work> work);
    QByteArray stripFor(RunningJob &job, const jobs::JobChunk &chunk, qint64 *pixelBytes);
    void onPortTimer();
    void finishReturn(Port port);
    void finishSend();
    void loseSlave(int index, const QString &why);
    void checkFinished(int sequence);
    void finishJob(RunningJob &job);
    void probeIdleSlaves();
    void failJob(int sequence, const QString &error);
    RunningJob *findJob(const QString &id);
    double now() const;
    // Stamps a job event with the time and the job's id, and emits it.
    template<typename Event> void publish(const RunningJob &job, Event e);
    void keepSlavesEager();

    Transport &m_transport;
    jobs::JobBoard &m_board;
    double m_standardMBps;
    std::vector<Slave> m_slaves;
    // Learns each slave's affine compute per op class (from every result's computeS against
    // its strip's input MB) and its link (from every timed send).
    sched::CostEstimator m_estimator;
    // Probe rounds on idle slaves for the op classes jobs ran (issue 16): timings beyond what
    // plans give them, so a large job is not planned on a guess.
    IdleProber m_prober;
    QTimer m_probeTimer; // IdleProber::kIdleMs after the last job done, if nothing runs
    int m_overlap = 3;
    jobs::JobStream m_stream;
    std::map<int, std::unique_ptr<RunningJob>> m_jobs; // by stream sequence: earliest first
    std::vector<Slave> m_streamSlaves; // the platform every running job shares, in its order
    std::vector<bool> m_lost;          // per stream slave: lost to every running job
    std::optional<Port> m_port;
    QElapsedTimer m_clock; // the stream's clock: one for every job (JobStream's times)
    QTimer m_portTimer;
    QTimer m_wakeTimer;          // retries a queued job that found no slave
    QTimer m_eagerTimer;         // keeps the jobs' slaves polling fast while it runs
    qint64 m_noSlaveSinceMs = 0; // since when a queued job has found no ACTIVE slave
    bool m_stopped = false;
};

} // namespace starling::mpi
