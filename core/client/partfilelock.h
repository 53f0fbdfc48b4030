#pragma once

#include "util/expected.h"

#include <QString>

namespace starling::client {

// One download per output: an exclusive, non-blocking flock on `<out>.starling-part`, taken
// before anything there is read, truncated or removed, and held until the download is done.
// Two `starling get` to one output would otherwise write the same part file and the second
// could rename bytes the first never verified over the output. The lock follows the file's
// inode through the final rename; the kernel drops it when the process ends, however it ends.
class PartFileLock
{
public:
    // The error code when another process holds the lock.
    static constexpr const char *kBusyCode = "busy";

    PartFileLock() = default;
    ~PartFileLock();
    PartFileLock(PartFileLock &&other) noexcept;
    PartFileLock &operator=(PartFileLock &&other) noexcept;
    PartFileLock(const PartFileLock &) = delete;
    PartFileLock &operator=(const PartFileLock &) = delete;

    // Creates the part file if missing (empty, 0644 less the umask, as PartFile does). Symbolic
    // links are refused.
    static Expected<PartFileLock> acquire(const QString &partPath);

    bool isHeld() const { return m_fd >= 0; }
    void release();

private:
    int m_fd = -1;
};

} // namespace starling::client
