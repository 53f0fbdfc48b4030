#pragma once

#include "http/ratefloor.h"

#include <QByteArray>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace starling::http {

// Closes streamed responses whose client reads slower than a minimum rate (a slowloris reader
// that would hold its connection, its thread and whatever feeds the stream forever). One thread
// looks at every watched stream a few times per window; a stream whose reader is running is the
// server's own slowness (waiting for data) and is excused. Closing is shutdown() of the socket:
// libmicrohttpd then fails the next write and ends the connection as it would for a peer that
// went away, releasing the response (and its reader) on its own thread.
class StreamWatchdog
{
public:
    // What the watchdog reads of one stream; the reader wrapper and libmicrohttpd update it.
    struct Progress
    {
        std::shared_ptr<std::atomic<qint64>> produced; // bytes the reader handed over
        std::atomic<bool> inReader{false};             // the reader is running right now
    };

    StreamWatchdog(qint64 minBytesPerS, int windowS);
    ~StreamWatchdog();
    StreamWatchdog(const StreamWatchdog &) = delete;
    StreamWatchdog &operator=(const StreamWatchdog &) = delete;

    // Watches the stream on socket `fd` until unwatch(ticket). unwatch must come before the
    // socket is closed (libmicrohttpd's completion callback), so the descriptor shut down is
    // never a reused one. `peer` is for the log line only.
    quint64 watch(int fd, std::shared_ptr<Progress> progress, QByteArray peer);
    void unwatch(quint64 ticket);
    qint64 closedStreams() const { return m_closed.load(); }

private:
    struct Entry
    {
        int fd;
        std::shared_ptr<Progress> progress;
        QByteArray peer;
        RateFloor floor;
    };

    void run();
    void check(std::int64_t nowMs);

    const qint64 m_minBytesPerS;
    const std::int64_t m_windowMs;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::map<quint64, Entry> m_entries;
    quint64 m_nextTicket = 1;
    bool m_stopping = false;
    std::atomic<qint64> m_closed{0};
    std::thread m_thread;
};

} // namespace starling::http
