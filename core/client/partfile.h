#pragma once

#include "client/spacereservation.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace starling::client {

// The file a download writes into before it is verified (`<out>.starling-part`): opened once,
// written at block offsets with pwrite (blocks arrive in any order from several sources), read
// back to hash, and finally made durable and renamed over the output in one step, so `<out>`
// is either absent, the old file, or the whole verified new one.
class PartFile
{
public:
    PartFile() = default;
    ~PartFile();
    PartFile(PartFile &&other) noexcept;
    PartFile &operator=(PartFile &&other) noexcept;
    PartFile(const PartFile &) = delete;
    PartFile &operator=(const PartFile &) = delete;

    // Opens `path` for a file of `size` bytes. With keepContent, an existing regular file of
    // exactly that size keeps its bytes (resume); anything else starts empty. A file system
    // with less free space than `size` fails here rather than halfway; the space itself is then
    // reserved (fallocate) on a thread while the download writes (reservationFailure()).
    // Symbolic links are refused.
    static Expected<PartFile> open(const QString &path, qint64 size, bool keepContent);

    bool isOpen() const { return m_fd >= 0; }
    // Whether open() kept the bytes of an existing file.
    bool keptContent() const { return m_kept; }
    const QString &path() const { return m_path; }
    qint64 size() const { return m_size; }
    // Why reserving the new file's space failed (a full disk), once it has; else nullopt.
    std::optional<QString> reservationFailure() const;
    // For reading the file back on other threads (pread); valid until close().
    int descriptor() const { return m_fd; }

    // Writes all of data at offset (retrying short writes and EINTR).
    Expected<bool> write(qint64 offset, const char *data, qint64 length);
    // Reads length bytes at offset into buffer (resized to length).
    Expected<bool> read(qint64 offset, qint64 length, QByteArray &buffer) const;

    // Asks the kernel to start writing [offset, offset + length) to disk now, without waiting
    // (Linux sync_file_range). Blocks written early overlap the disk's work with the download,
    // so commit()'s fsync only waits for the last few instead of the whole file. Best effort:
    // a file system without it just flushes everything at commit().
    void startWriteback(qint64 offset, qint64 length) const;

    // fsync, rename over finalPath, fsync the directory; closes the file.
    Expected<bool> commit(const QString &finalPath);
    // Closes and deletes the part file (nothing is left behind).
    void remove();
    void close();

private:
    int m_fd = -1;
    QString m_path;
    qint64 m_size = 0;
    bool m_kept = false;
    std::unique_ptr<SpaceReservation> m_reservation; // stopped before m_fd is closed
};

} // namespace starling::client
