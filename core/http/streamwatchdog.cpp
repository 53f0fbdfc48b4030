#include "streamwatchdog.h"

#include "mhdresponse.h"

#include <QDateTime>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>

namespace starling::http {

namespace {
// Looks this many times per window: a too-slow stream is closed at most a window / 4 late.
constexpr std::int64_t kChecksPerWindow = 4;
} // namespace

StreamWatchdog::StreamWatchdog(qint64 minBytesPerS, int windowS)
    : m_minBytesPerS(minBytesPerS), m_windowMs(std::max<std::int64_t>(1, windowS) * 1000)
{
    m_thread = std::thread([this] { run(); });
}

StreamWatchdog::~StreamWatchdog()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

quint64 StreamWatchdog::watch(int fd, std::shared_ptr<Progress> progress, QByteArray peer)
{
    std::lock_guard lock(m_mutex);
    const quint64 ticket = m_nextTicket++;
    Entry entry{fd, std::move(progress), std::move(peer), RateFloor(m_minBytesPerS, m_windowMs)};
    entry.floor.excuse(QDateTime::currentMSecsSinceEpoch(), entry.progress->produced->load());
    m_entries.emplace(ticket, std::move(entry));
    return ticket;
}

void StreamWatchdog::unwatch(quint64 ticket)
{
    std::lock_guard lock(m_mutex);
    m_entries.erase(ticket);
}

void StreamWatchdog::run()
{
    const auto period =
        std::chrono::milliseconds(std::max<std::int64_t>(50, m_windowMs / kChecksPerWindow));
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, period, [this] { return m_stopping; }))
        check(QDateTime::currentMSecsSinceEpoch());
}

// Under m_mutex: an entry leaves only through unwatch(), before its socket is closed, so every
// fd shut down here is still the stream's.
void StreamWatchdog::check(std::int64_t nowMs)
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        Entry &entry = it->second;
        const qint64 produced = entry.progress->produced->load(std::memory_order_relaxed);
        if (entry.progress->inReader.load()) {
            entry.floor.excuse(nowMs, produced); // waiting for its own data, not for the client
            ++it;
            continue;
        }
        if (!entry.floor.tooSlow(nowMs, produced)) {
            ++it;
            continue;
        }
        qCInfo(lcHttp, "closing a stream to %s: %lld bytes in the last %lld s, below %lld B/s",
               entry.peer.constData(), entry.floor.bytesInWindow(), qint64(m_windowMs / 1000),
               m_minBytesPerS);
        ::shutdown(entry.fd, SHUT_RDWR);
        m_closed.fetch_add(1);
        it = m_entries.erase(it);
    }
}

} // namespace starling::http
