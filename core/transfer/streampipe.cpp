#include "streampipe.h"

#include <cstring>

namespace starling::transfer {

StreamPipe::StreamPipe(qint64 capacityBytes) : m_capacity(capacityBytes) {}

void StreamPipe::push(ByteSlice data)
{
    if (data.isEmpty())
        return;
    {
        std::lock_guard lock(m_mutex);
        if (m_cancelled || m_finished || !m_failure.isEmpty())
            return;
        m_buffered += data.size();
        m_chunks.push_back(std::move(data));
    }
    m_ready.notify_one();
}

qint64 StreamPipe::space() const
{
    std::lock_guard lock(m_mutex);
    return m_capacity - m_buffered;
}

void StreamPipe::finish()
{
    {
        std::lock_guard lock(m_mutex);
        m_finished = true;
    }
    m_ready.notify_one();
}

void StreamPipe::fail(const QString &reason)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_failure.isEmpty())
            m_failure = reason.isEmpty() ? QStringLiteral("relay failed") : reason;
    }
    m_ready.notify_one();
}

bool StreamPipe::cancelled() const
{
    std::lock_guard lock(m_mutex);
    return m_cancelled;
}

void StreamPipe::cancel()
{
    {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        m_chunks.clear();
        m_buffered = 0;
    }
    m_ready.notify_one();
}

QString StreamPipe::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

void StreamPipe::setOnSpace(std::function<void()> callback)
{
    std::lock_guard lock(m_mutex);
    m_onSpace = std::move(callback);
}

qint64 StreamPipe::read(char *buffer, qint64 max, std::chrono::milliseconds timeout)
{
    std::function<void()> onSpace;
    qint64 copied = 0;
    {
        std::unique_lock lock(m_mutex);
        const bool woke = m_ready.wait_for(lock, timeout, [this] {
            return m_buffered > 0 || m_finished || m_cancelled || !m_failure.isEmpty();
        });
        if (!woke || m_cancelled || !m_failure.isEmpty())
            return -1;
        if (m_buffered == 0)
            return 0; // finished and drained
        while (copied < max && !m_chunks.empty()) {
            const ByteSlice &front = m_chunks.front();
            const qint64 n = std::min(max - copied, front.size() - m_frontOffset);
            std::memcpy(buffer + copied, front.data() + m_frontOffset, size_t(n));
            copied += n;
            m_frontOffset += n;
            if (m_frontOffset == front.size()) {
                m_chunks.pop_front();
                m_frontOffset = 0;
            }
        }
        // Edge-triggered when the pipe drains below half, so the producer hears of room once
        // per refill, not once per socket write.
        const qint64 before = m_buffered;
        m_buffered -= copied;
        if (before > m_capacity / 2 && m_buffered <= m_capacity / 2)
            onSpace = m_onSpace;
    }
    if (onSpace)
        onSpace();
    return copied;
}

} // namespace starling::transfer
