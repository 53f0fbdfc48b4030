#include "mpitransport.h"

#include "mpierror.h"

#include <QJsonDocument>
#include <QThread>

#include <cstdio>

#include <mpi.h>

namespace starling::mpi {

struct MpiTransport::PendingSend
{
    QByteArray buffer;
    MPI_Request request = MPI_REQUEST_NULL;
};

MpiTransport::MpiTransport(Timing timing, QObject *parent) : QObject(parent), m_timing(timing)
{
    check("MPI_Comm_rank", MPI_Comm_rank(MPI_COMM_WORLD, &m_rank));
    check("MPI_Comm_size", MPI_Comm_size(MPI_COMM_WORLD, &m_size));
    m_interval = m_timing.pollMinMs;
    m_timer.setSingleShot(true);
    // Precise timers: a coarse timer may fire up to 5% late, which matters at 1 ms.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &MpiTransport::onTimer);
}

MpiTransport::~MpiTransport()
{
    // A send still in flight (to a stopped peer) owns its buffer until MPI is done with it;
    // freeing it would be undefined behaviour, so it is left to the process's end.
    for (auto &pending : m_pending) {
        int done = 0;
        MPI_Test(&pending->request, &done, MPI_STATUS_IGNORE);
        if (!done)
            (void)pending.release();
    }
}

void MpiTransport::send(int destination, Tag tag, const QByteArray &payload)
{
    auto pending = std::make_unique<PendingSend>();
    pending->buffer = payload;
    check("MPI_Isend", MPI_Isend(pending->buffer.constData(), int(pending->buffer.size()), MPI_BYTE,
                                 destination, int(tag), MPI_COMM_WORLD, &pending->request));
    m_pending.push_back(std::move(pending));
    // Activity: answers are likely soon, so poll fast again.
    m_interval = m_timing.pollMinMs;
    if (m_timer.isActive() && m_timer.remainingTime() > m_interval)
        m_timer.start(m_interval);
}

void MpiTransport::send(int destination, Tag tag, const QJsonObject &payload)
{
    send(destination, tag, QJsonDocument(payload).toJson(QJsonDocument::Compact));
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

void MpiTransport::start()
{
    m_stopped = false;
    if (!m_clock.isValid())
        m_clock.start();
    m_interval = m_timing.pollMinMs;
    m_timer.start(m_interval);
}

void MpiTransport::stop()
{
    m_stopped = true;
    m_timer.stop();
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
    QByteArray payload(count, Qt::Uninitialized);
    check("MPI_Mrecv", MPI_Mrecv(payload.data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE));
    emit received(status.MPI_SOURCE, Tag(status.MPI_TAG), payload);
    return true;
}

void MpiTransport::reapSends()
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        int done = 0;
        check("MPI_Test", MPI_Test(&(*it)->request, &done, MPI_STATUS_IGNORE));
        it = done ? m_pending.erase(it) : std::next(it);
    }
}

void MpiTransport::pollNow()
{
    reapSends();
    // Bounded per poll so one flooding peer cannot keep the event loop from its timers.
    int handled = 0;
    // A handler may stop the transport (shutdown): nothing after that is delivered.
    while (!m_stopped && handled < 256 && receiveOne())
        ++handled;
    // While a send is pending, keep polling fast: a large message goes by rendezvous, and
    // MPICH moves its data only while both sides make MPI calls, so a sender backing off to
    // 20 ms would hold the receiver (blocked in MPI_Mrecv) for as long.
    if (handled > 0 || !m_pending.empty() || m_clock.elapsed() < m_eagerUntilMs)
        m_interval = m_timing.pollMinMs;
    else
        m_interval = std::min(m_timing.pollMaxMs, m_interval * 2);
}

void MpiTransport::onTimer()
{
    try {
        pollNow();
    } catch (const MpiError &error) {
        // An exception must not cross the event loop, and one rank leaving would leave the
        // others waiting: end the whole job with the reason.
        std::fprintf(stderr, "starling-node rank %d: %s\n", m_rank, error.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
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
