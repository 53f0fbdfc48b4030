#pragma once

#include "transport.h"

#include <QElapsedTimer>
#include <QTimer>

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <set>

namespace starling::mpi {

// Point-to-point messages between ranks without busy waiting. MPICH's blocking receive spins a
// core, and with 6 ranks on 2 cores that starves everyone, so this polls with MPI_Improbe from a
// Qt timer: every pollMinMs while messages flow, backing off to pollMaxMs when idle. Sends are
// MPI_Isend with the buffer kept until the request completes. Call only from the rank's main
// thread (MPI_THREAD_FUNNELED).
//
// A dead peer (its process gone; MPI over TCP, errors returned) makes MPI_Isend or MPI_Test to
// it fail at once: the peer is marked lost, peerLost is emitted, and nothing more is sent to it.
// Nothing else about the job changes (MPI-NOTES.md: ch4 has no failure notices and no ULFM).
class MpiTransport final : public Transport
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

    int rank() const override { return m_rank; }
    int size() const override { return m_size; }

    using Transport::send;
    void send(int destination, Tag tag, const QByteArray &payload) override;
    void start();
    void stop();
    // Runs one poll at once (tests, and right after local work that expects an answer).
    void pollNow();
    // Sends not yet completed, e.g. to a stopped process.
    int pendingSends() const { return int(m_pending.size()); }
    // Polls at pollMinMs for the next `ms` milliseconds however quiet it is: a rank that
    // expects a message soon (a slave between the strips of a job, the master running one)
    // must not back off to pollMaxMs and add that much to every hand-off.
    void stayEager(int ms) override;
    void watchPeers(std::vector<int> ranks, int intervalMs) override;
    bool isLost(int rank) const override { return m_lost.count(rank) > 0; }
    // Waits (polling, with a sleep between polls) until every send completed or timeoutMs passed.
    bool flush(int timeoutMs);

private:
    struct PendingSend;
    struct PendingReceive;
    bool receiveOne();
    int deliverReceived();
    void reapSends();
    void onTimer();
    void probePeers();
    void lose(int rank, const QString &reason);

    Timing m_timing;
    int m_rank = 0;
    int m_size = 1;
    QTimer m_timer;
    QTimer m_probeTimer;
    std::vector<int> m_watched;
    std::set<int> m_lost;
    int m_interval = 1;
    QElapsedTimer m_clock;
    qint64 m_eagerUntilMs = 0;
    bool m_stopped = true;
    std::list<std::unique_ptr<PendingSend>> m_pending;
    // Matched messages whose data is still arriving, in arrival order per source (delivered
    // in that order). A large message moves only while its sender makes MPI calls, so waiting
    // for it in a blocking receive would freeze this rank for as long as a stopped sender
    // stays stopped.
    std::map<int, std::deque<std::unique_ptr<PendingReceive>>> m_receiving;
};

} // namespace starling::mpi
