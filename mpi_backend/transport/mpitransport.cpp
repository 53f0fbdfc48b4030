#include "mpitransport.h"

#include "mpi_backend/mpierror.h"

#include <QThread>

#include <cstdio>

#include <mpi.h>

namespace starling::mpi {

namespace {
// MPICH's error text is a stack of lines; the last one says what failed (for a dead peer over
// UCX: "... Endpoint timeout" or "Connection reset by remote peer").
QString describe(const MpiError &error)
{
    const QStringList lines =
        QString::fromLocal8Bit(error.what()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.last().simplified();
}
} // namespace

struct MpiTransport::PendingSend
{
    int destination = 0;
    QByteArray buffer;
    MPI_Request request = MPI_REQUEST_NULL;
};

struct MpiTransport::PendingReceive
{
    Tag tag = Tag::Hello;
    QByteArray buffer;
    MPI_Request request = MPI_REQUEST_NULL;
    bool done = false;
};

MpiTransport::MpiTransport(Timing timing, QObject *parent) : Transport(parent), m_timing(timing)
{
    check("MPI_Comm_rank", MPI_Comm_rank(MPI_COMM_WORLD, &m_rank));
    check("MPI_Comm_size", MPI_Comm_size(MPI_COMM_WORLD, &m_size));
    m_interval = m_timing.pollMinMs;
    m_timer.setSingleShot(true);
    // Precise timers: a coarse timer may fire up to 5% late, which matters at 1 ms.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &MpiTransport::onTimer);
    connect(&m_probeTimer, &QTimer::timeout, this, &MpiTransport::probePeers);
}

MpiTransport::~MpiTransport()
{
    // A send still in flight (to a stopped peer) owns its buffer until MPI is done with it;
    // freeing it would be undefined behaviour, so it is left to the process's end.
    for (auto &pending : m_pending) {
        int done = 0;
        if (MPI_Test(&pending->request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || !done)
            (void)pending.release();
    }
    for (auto &[source, queue] : m_receiving) {
        for (auto &pending : queue) {
            int done = pending->done ? 1 : 0;
            if (!done &&
                (MPI_Test(&pending->request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || !done))
                (void)pending.release();
        }
    }
}

void MpiTransport::send(int destination, Tag tag, const QByteArray &payload)
{
    if (isLost(destination))
        return;
    auto pending = std::make_unique<PendingSend>();
    pending->destination = destination;
    pending->buffer = payload;
    const int code = MPI_Isend(pending->buffer.constData(), int(pending->buffer.size()), MPI_BYTE,
                               destination, int(tag), MPI_COMM_WORLD, &pending->request);
    if (code != MPI_SUCCESS) {
        // With errors returned and MPI over TCP this is the peer's process gone (UCX reports
        // its endpoint as failed); the buffer was never taken, so it goes with `pending`.
        lose(destination, describe(MpiError("MPI_Isend", code)));
        return;
    }
    if (tag == Tag::Probe) {
        // No answer comes to a probe, so it is no reason to poll fast; an empty message leaves
        // at once, and only one that has not gets reaped by the polls.
        int done = 0;
        const int tested = MPI_Test(&pending->request, &done, MPI_STATUS_IGNORE);
        if (tested != MPI_SUCCESS)
            lose(destination, describe(MpiError("MPI_Test", tested)));
        else if (!done)
            m_pending.push_back(std::move(pending));
        return;
    }
    m_pending.push_back(std::move(pending));
    // Activity: answers are likely soon, so poll fast again.
    m_interval = m_timing.pollMinMs;
    if (m_timer.isActive() && m_timer.remainingTime() > m_interval)
        m_timer.start(m_interval);
}

void MpiTransport::lose(int rank, const QString &reason)
{
    if (!m_lost.insert(rank).second)
        return;
    std::fprintf(stderr, "starling-node rank %d: rank %d is gone (%s)\n", m_rank, rank,
                 qPrintable(reason));
    // Sends still queued for it will never complete; MPI may still hold their buffers, so they
    // are left to the process's end rather than freed.
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if ((*it)->destination == rank) {
            (void)it->release();
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    QMetaObject::invokeMethod(
        this, [this, rank, reason] { emit peerLost(rank, reason); }, Qt::QueuedConnection);
}

void MpiTransport::stayEager(int ms)
{
    if (!m_clock.isValid())
        m_clock.start();
    m_eagerUntilMs = std::max(m_eagerUntilMs, m_clock.elapsed() + ms);
    m_interval = m_timing.pollMinMs;
    if (m_timer.isActive() && m_timer.remainingTime() > m_interval)
        m_timer.start(m_interval);
}

void MpiTransport::watchPeers(std::vector<int> ranks, int intervalMs)
{
    m_watched = std::move(ranks);
    m_probeTimer.setInterval(std::max(10, intervalMs));
    if (!m_stopped && !m_watched.empty())
        m_probeTimer.start();
}

void MpiTransport::probePeers()
{
    for (int rank : m_watched) {
        if (rank != m_rank && !isLost(rank))
            send(rank, Tag::Probe, QByteArray());
    }
}

void MpiTransport::start()
{
    m_stopped = false;
    if (!m_clock.isValid())
        m_clock.start();
    m_interval = m_timing.pollMinMs;
    m_timer.start(m_interval);
    if (!m_watched.empty())
        m_probeTimer.start();
}

void MpiTransport::stop()
{
    m_stopped = true;
    m_timer.stop();
    m_probeTimer.stop();
}

bool MpiTransport::receiveOne()
{
    int flag = 0;
    MPI_Message message = MPI_MESSAGE_NULL;
    MPI_Status status;
    check("MPI_Improbe",
          MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &message, &status));
    if (!flag)
        return false;
    int count = 0;
    check("MPI_Get_count", MPI_Get_count(&status, MPI_BYTE, &count));
    auto pending = std::make_unique<PendingReceive>();
    pending->tag = Tag(status.MPI_TAG);
    pending->buffer = QByteArray(count, Qt::Uninitialized);
    check("MPI_Imrecv",
          MPI_Imrecv(pending->buffer.data(), count, MPI_BYTE, &message, &pending->request));
    m_receiving[status.MPI_SOURCE].push_back(std::move(pending));
    return true;
}

// Hands over every message whose data is complete and has none before it from its source
// still arriving; returns how many.
int MpiTransport::deliverReceived()
{
    int delivered = 0;
    for (auto source = m_receiving.begin(); source != m_receiving.end() && !m_stopped;) {
        auto &queue = source->second;
        if (isLost(source->first)) {
            // Its process is gone: what it was sending never comes. MPI may still hold the
            // buffers, so they are left to the process's end.
            for (auto &pending : queue)
                (void)pending.release();
            queue.clear();
        }
        while (!queue.empty() && !m_stopped) {
            PendingReceive &head = *queue.front();
            if (!head.done) {
                int done = 0;
                check("MPI_Test", MPI_Test(&head.request, &done, MPI_STATUS_IGNORE));
                head.done = done != 0;
            }
            if (!head.done)
                break;
            const auto pending = std::move(queue.front());
            queue.pop_front();
            ++delivered;
            if (pending->tag != Tag::Probe)
                emit received(source->first, pending->tag, pending->buffer);
        }
        source = queue.empty() ? m_receiving.erase(source) : std::next(source);
    }
    return delivered;
}

void MpiTransport::reapSends()
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        int done = 0;
        const int code = MPI_Test(&(*it)->request, &done, MPI_STATUS_IGNORE);
        if (code != MPI_SUCCESS) {
            const int destination = (*it)->destination;
            it = m_pending.erase(it); // the failed request is complete: its buffer is free
            lose(destination, describe(MpiError("MPI_Test", code)));
            it = m_pending.begin(); // lose() may have removed others
            continue;
        }
        it = done ? m_pending.erase(it) : std::next(it);
    }
}

void MpiTransport::pollNow()
{
    reapSends();
    // Bounded per poll so one flooding peer cannot keep the event loop from its timers.
    int matched = 0;
    while (!m_stopped && matched < 256 && receiveOne())
        ++matched;
    // A handler may stop the transport (shutdown): nothing after that is delivered.
    const int handled = matched + deliverReceived();
    // While a send is pending, keep polling fast: a large message goes by rendezvous, and
    // MPICH moves its data only while both sides make MPI calls, so a sender backing off to
    // 20 ms would hold the receiver (blocked in MPI_Mrecv) for as long.
    if (handled > 0 || !m_pending.empty() || !m_receiving.empty() ||
        m_clock.elapsed() < m_eagerUntilMs)
        m_interval = m_timing.pollMinMs;
    else
        m_interval = std::min(m_timing.pollMaxMs, m_interval * 2);
}

void MpiTransport::onTimer()
{
    try {
        pollNow();
    } catch (const MpiError &error) {
        // A receive failed: not one peer's loss (sends report those), and an exception must
        // not cross the event loop. Say so and keep polling; aborting would take every rank
        // down with this one.
        std::fprintf(stderr, "starling-node rank %d: %s\n", m_rank, error.what());
    }
    if (!m_stopped)
        m_timer.start(m_interval);
}

bool MpiTransport::flush(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (true) {
        reapSends();
        if (m_pending.empty())
            return true;
        if (clock.elapsed() >= timeoutMs)
            return false;
        QThread::msleep(1);
    }
}

} // namespace starling::mpi
