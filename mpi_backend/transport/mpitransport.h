#pragma once

#include "messagetag.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <list>
#include <memory>

namespace starling::mpi {

// Point-to-point messages between ranks without busy waiting. MPICH's blocking receive spins a
// core, and with 6 ranks on 2 cores that starves everyone, so this polls with MPI_Improbe from a
// Qt timer: every pollMinMs while messages flow, backing off to pollMaxMs when idle. Sends are
// MPI_Isend with the buffer kept until the request completes. Call only from the rank's main
// thread (MPI_THREAD_FUNNELED).
class MpiTransport final : public QObject
{
    Q_OBJECT

public:
    struct Timing
    {
        int pollMinMs = 1;
        int pollMaxMs = 20;
    };

    explicit MpiTransport(Timing timing, QObject *parent = nullptr);
    explicit MpiTransport(QObject *parent = nullptr) : MpiTransport(Timing{}, parent) {}
    ~MpiTransport() override;

    int rank() const { return m_rank; }
    int size() const { return m_size; }

    void send(int destination, Tag tag, const QByteArray &payload);
    void send(int destination, Tag tag, const QJsonObject &payload);
    void start();
    void stop();
    // Runs one poll at once (tests, and right after local work that expects an answer).
    void pollNow();
    // Sends not yet completed, e.g. to a stopped process.
    int pendingSends() const { return int(m_pending.size()); }
    // Polls at pollMinMs for the next `ms` milliseconds however quiet it is: a rank that
    // expects a message soon (a slave between the strips of a job, the master running one)
    // must not back off to pollMaxMs and add that much to every hand-off.
    void stayEager(int ms);
    // Waits (polling, with a sleep between polls) until every send completed or timeoutMs passed.
    bool flush(int timeoutMs);

signals:
    void received(int source, starling::mpi::Tag tag, const QByteArray &payload);

private:
    struct PendingSend;
    bool receiveOne();
    void reapSends();
    void onTimer();

    Timing m_timing;
    int m_rank = 0;
    int m_size = 1;
    QTimer m_timer;
    int m_interval = 1;
    QElapsedTimer m_clock;
    qint64 m_eagerUntilMs = 0;
    bool m_stopped = true;
    std::list<std::unique_ptr<PendingSend>> m_pending;
};

} // namespace starling::mpi
