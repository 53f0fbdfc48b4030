#pragma once

#include <QString>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace starling::client {

// Reserves a file's blocks (fallocate) on a thread of its own, one slice at a time, while the
// download already writes into the file. On tmpfs, reserving means allocating and zeroing the
// memory (about 0.1 s per GiB here); done in one call before the first request, it delayed the
// first byte by that much. Slices keep the writer's waits short: fallocate and pwrite take the
// same inode lock.
class SpaceReservation
{
public:
    // Starts reserving [0, size) of the open descriptor fd; path names the file in messages.
    SpaceReservation(int fd, qint64 size, QString path);
    ~SpaceReservation(); // stops after the current slice and joins
    SpaceReservation(const SpaceReservation &) = delete;
    SpaceReservation &operator=(const SpaceReservation &) = delete;

    // The reason the reservation failed ("not enough space ..."), once it has; cheap to poll.
    std::optional<QString> failure() const;
    // Blocks until every slice is reserved, the file system turned out not to support it, or
    // the reservation failed.
    void wait();

    static constexpr qint64 kSliceBytes = 16 * 1024 * 1024;

private:
    void run();

    const int m_fd;
    const qint64 m_size;
    const QString m_path;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_failed{false};
    mutable std::mutex m_mutex;
    std::optional<QString> m_failure;
    std::thread m_thread;
};

} // namespace starling::client
