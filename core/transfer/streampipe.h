#pragma once

#include "transfer/byteslice.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace starling::transfer {

// A bounded byte pipe from one producer thread to one consumer thread: the master's event loop
// pushes relayed chunks, the HTTP server's connection thread reads them into the socket. The
// producer never blocks (it asks space() first and may overshoot by one push); the consumer
// waits with a timeout. Either side can end it: the producer with finish() or fail(), the
// consumer with cancel() when its connection goes away.
class StreamPipe
{
public:
    explicit StreamPipe(qint64 capacityBytes);

    // Producer side.
    void push(ByteSlice data);
    qint64 space() const; // bytes that fit before the pipe is at capacity (may be <= 0)
    void finish();        // nothing more will come; reads drain what is left
    void fail(const QString &reason);
    bool cancelled() const;

    // Consumer side. Blocks until data, the end, a failure, cancel() or the timeout.
    // Returns bytes copied (> 0), 0 at the end after finish(), -1 on failure, cancel or timeout.
    qint64 read(char *buffer, qint64 max, std::chrono::milliseconds timeout);
    void cancel();
    QString failure() const;
    // Called on the consumer's thread when a read takes the pipe from above half its capacity
    // to half or below; the producer uses it to refill (typically by posting to its own
    // thread). Set before the consumer starts.
    void setOnSpace(std::function<void()> callback);

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<ByteSlice> m_chunks;
    qint64 m_frontOffset = 0; // bytes of m_chunks.front() already read
    qint64 m_buffered = 0;
    qint64 m_capacity;
    bool m_finished = false;
    bool m_cancelled = false;
    QString m_failure;
    std::function<void()> m_onSpace;
};

} // namespace starling::transfer
