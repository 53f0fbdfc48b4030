#include "spacereservation.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>

namespace starling::client {

SpaceReservation::SpaceReservation(int fd, qint64 size, QString path)
    : m_fd(fd), m_size(size), m_path(std::move(path)), m_thread([this] { run(); })
{}

SpaceReservation::~SpaceReservation()
{
    m_stop = true;
    wait();
}

std::optional<QString> SpaceReservation::failure() const
{
    if (!m_failed.load(std::memory_order_acquire))
        return std::nullopt;
    std::lock_guard lock(m_mutex);
    return m_failure;
}

void SpaceReservation::wait()
{
    if (m_thread.joinable())
        m_thread.join();
}

void SpaceReservation::run()
{
    for (qint64 offset = 0; offset < m_size && !m_stop.load(std::memory_order_relaxed);
         offset += kSliceBytes) {
        const qint64 length = std::min(kSliceBytes, m_size - offset);
        int result;
        do
            result = ::fallocate(m_fd, 0, off_t(offset), off_t(length));
        while (result != 0 && errno == EINTR);
        if (result == 0)
            continue;
        const int error = errno;
        // File systems without fallocate (some network ones) keep the sparse file: the
        // writes then find a full disk themselves.
        if (error == ENOSPC || error == EFBIG) {
            std::lock_guard lock(m_mutex);
            m_failure = QStringLiteral("not enough space for %1 bytes at %2: %3")
                            .arg(m_size)
                            .arg(m_path, QString::fromLocal8Bit(std::strerror(error)));
            m_failed.store(true, std::memory_order_release);
        }
        return;
    }
}

} // namespace starling::client
