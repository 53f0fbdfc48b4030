#pragma once

#include "jobs/jobboard.h"
#include "mpi_backend/transport/transport.h"
#include "protocol/jobevents.h"
#include "sched/costestimate.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

namespace starling::mpi {

// Runs the master's image jobs, one at a time, over MPI: takes the next job from the board,
// plans it with the job's strategy from the current estimates (jobs::JobScheduler), and
// performs what the scheduler asks of the one port: sending each strip (with the halo rows its
// op needs) and receiving each result. A send holds the port for bytes / link speed when the
// profile emulates the slave's link, and otherwise until the slave says the strip arrived
// (jobs::StripReceipt) when the slave's host has a link of its own: over TCP, MPI calls a send
// complete once its bytes are buffered, and every strip would leave at once whatever the send
// order (measured in a lab: a 3.3 MB strip to a 10 MB/s host "sent" in 2 ms). On one machine
// (loopback, no link to model) a send takes no port time, as before: waiting for each receipt
// there made a blur job 1.7x slower over TCP than over shared memory. A return holds the port
// only when emulated: the slave sends its result when it is done. The master computes
// nothing; it assembles the rows.
//
// Estimates: T_i is the slave's slowness (its compute time over the standard cost; measured by
// the slave's start-up calibration and every strip since, and by this runner from every
// result) times the standard cost of one unit of this job, divided by the operator's weight;
// B_i is what this runner measured on the slave's link, else the snapshot's estimate, else the
// profile's link. A slave that turns SUSPECT or DOWN during a job is lost to it: its strips go
// to the others and its late results are dropped.
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
              QObject *parent = nullptr);
    ~JobRunner() override;

    void setSlaves(std::vector<Slave> slaves);
    // Starts the next queued job if none is running.
    void wake();
    void onStripResult(int source, const QByteArray &payload);
    // A slave has the strip the port is sending (unemulated links: the port waits for this).
    void onStripReceived(int source, const QByteArray &payload);
    // Fails the running job (the cluster is going down); nothing starts afterwards.
    void stop();
    bool isRunning() const { return m_job != nullptr; }
    // What the master believes of each slave it has observed, for the monitor's snapshot. A thin
    // view of the EWMAs below (fixed cost 0) until the estimator replaces it.
    std::vector<sched::SlaveCostEstimate> costEstimates(std::int64_t nowMs) const;

signals:
    // For the monitor's event stream (job_started, strip_assigned, strip_done,
    // strip_reassigned, job_done, job_failed).
    void event(const QJsonObject &event);

private:
    struct Current;

    void startJob(jobs::JobBoard::Running running);
    sched::Platform estimatesFor(const Current &job, double unitBytes) const;
    void publishStarted(const Current &job, double predictedMakespanS);
    void perform(std::optional<jobs::JobScheduler::PortWork> work);
    void onPortTimer();
    void finishSend();
    void noteComputeSample(int rank, const Current &job);
    void loseSlave(int index, const QString &why);
    void checkFinished();
    void failJob(const QString &error);
    double now() const;
    // Stamps a job event with the time and the running job's id, and emits it.
    template<typename Event> void publish(Event e);
    void keepSlavesEager();

    Transport &m_transport;
    jobs::JobBoard &m_board;
    double m_standardMBps;
    std::vector<Slave> m_slaves;
    std::map<int, double> m_observedSlowness; // rank -> EWMA of computeS / standardS
    std::map<int, double> m_observedLinkMBps; // rank -> EWMA of port bytes per second
    // Per rank, the op classes and the link observed: samples and when (wall clock). An op's
    // perMBS holds its standard seconds per MB, scaled by the slowness when reported.
    std::map<int, sched::SlaveCostEstimate> m_observed;
    std::unique_ptr<Current> m_job;
    QTimer m_portTimer;
    QTimer m_wakeTimer;          // retries a queued job that found no slave
    QTimer m_eagerTimer;         // keeps the job's slaves polling fast while it runs
    qint64 m_noSlaveSinceMs = 0; // since when a queued job has found no ACTIVE slave
    bool m_stopped = false;
};

} // namespace starling::mpi
