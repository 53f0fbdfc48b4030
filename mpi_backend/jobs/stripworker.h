#pragma once

#include "jobs/stripmessage.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <deque>
#include <optional>

namespace starling::mpi {

// A slave's image work: strips are computed one after another, earliest job of the master's
// stream first and in the order they arrived within a job (paper 2's slave computes what it
// holds in turn), each on a worker thread so the rank's MPI
// thread keeps polling and heartbeating. On an emulated slave (the profile gives it a
// cpu_factor) a strip takes max(kernel time, strip_fixed + standard cost x cpu_factor): the kernel
// runs for real, and the rest is waited out on a timer, so compute speed follows the profile
// whatever the other ranks on the same cores do. An unemulated slave takes what the kernel takes.
class StripWorker final : public QObject
{
    Q_OBJECT

public:
    // `stripFixedS`: what every strip costs on an emulated slave on top of its standard cost.
    StripWorker(bool emulated, double cpuFactor, QObject *parent = nullptr, double stripFixedS = 0);
    ~StripWorker() override;

    // From the MPI thread. `reply` is handed back with the result.
    void enqueue(int reply, jobs::StripAssignment strip);
    int queued() const { return int(m_queue.size()); }
    bool busy() const { return m_running.has_value(); }
    // Standard seconds of the strips held (queued and running), for the slave's load.
    double pendingStandardS() const;
    // From now on (the running strip included) compute takes `factor` times as long: the
    // operator's `slow` command, for demos and for the benchmark of `dynamic`.
    void setSlowdown(double factor);
    // Waits for a running kernel; nothing is emitted afterwards.
    void stop();

signals:
    // `computeS` is the strip's time as the job sees it; `standardS` what it costs a standard
    // slave, so computeS / standardS is this slave's measured slowness.
    void finished(int reply, const QByteArray &resultMessage, double computeS, double standardS);

private:
    struct Item
    {
        int reply = 0;
        jobs::StripAssignment strip;
    };
    void startNext();
    void onKernelDone(jobs::StripResult result);
    void deliver();

    bool m_emulated;
    double m_cpuFactor;
    double m_stripFixedS;
    double m_slowdown = 1;
    QThreadPool m_pool;
    std::deque<Item> m_queue;
    std::optional<Item> m_running;
    std::optional<jobs::StripResult> m_ready; // computed, waiting out its emulated time
    QElapsedTimer m_computeClock;             // since the running strip started
    double m_computeS = 0;
    QTimer m_waitTimer;
    bool m_stopped = false;
};

} // namespace starling::mpi
