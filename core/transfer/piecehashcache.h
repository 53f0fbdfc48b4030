#pragma once

#include "piecehasher.h"

#include <QHash>
#include <QMutex>
#include <QString>
#include <QThreadPool>
#include <QWaitCondition>

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <variant>

namespace starling::transfer {

struct PieceHashCacheLimits
{
    int maxEntries = 4096;
    // Estimated memory of the cached digests (~128 bytes per piece hash); a 1 GiB file in 4 MiB
    // pieces costs ~33 KiB, so the default holds thousands of large files.
    qint64 maxBytes = 64 * 1024 * 1024;
    // Hashing passes reading at once (each reads one whole file); more wait queued.
    int maxPasses = 2;
    // Read rate of one pass in bytes per second; 0 = as fast as the disk goes. Keeps hashing a
    // huge file from starving the data servers' reads (and lets a test make hashing slow).
    qint64 readBytesPerSecond = 0;
};

// How far the pass computing a digest has got (the plan's 202 answer).
struct HashProgress
{
    bool queued = false; // waiting for one of the maxPasses slots
    qint64 doneBytes = 0;
    qint64 totalBytes = 0;
};

// Digests of the export root's files, so a plan or a Metalink for a file already hashed costs a
// stat, not a read of the whole file. Entries are keyed by absolute path, size, mtime, device,
// inode and piece size: a file rewritten or replaced since is a miss and is hashed again (the
// stale entry for the same path goes). Least recently used entries are evicted beyond the
// limits. Thread-safe: requests for a file being hashed wait for that one pass instead of
// reading the file again; a failure is handed to those waiters and not cached. Passes run on the
// cache's own threads, at most maxPasses at once, so a request may also just look at progress
// (digestOrProgress) and come back later instead of holding its connection for a huge file.
class PieceHashCache final
{
public:
    // How a miss is hashed; hashFile unless a test needs control over timing.
    using Hasher = std::function<Expected<FileDigest>(const QString &path, qint64 pieceSize)>;

    explicit PieceHashCache(PieceHashCacheLimits limits = {}, Hasher hasher = {});
    ~PieceHashCache();
    Q_DISABLE_COPY_MOVE(PieceHashCache)

    // Waits for the digest (starting or joining its pass).
    Expected<FileDigest> digest(const QString &path, qint64 pieceSize);
    // Waits at most waitMs: the digest (or its error) if ready by then, else how far its pass
    // (started now if none runs) has got.
    std::variant<Expected<FileDigest>, HashProgress> digestOrProgress(const QString &path,
                                                                      qint64 pieceSize, int waitMs);

    void clear();
    int entryCount() const;
    qint64 byteCount() const;
    qint64 hashCount() const; // hashing passes run (misses), for tests and metrics
    int waiterCount() const;  // requests waiting on a pass another request started

private:
    struct Key
    {
        QString path;
        qint64 size = 0;
        std::int64_t mtimeNs = 0;
        quint64 device = 0;
        quint64 inode = 0;
        qint64 pieceSize = 0;
        bool operator==(const Key &) const = default;
    };
    friend size_t qHash(const Key &key, size_t seed) noexcept;
    struct Entry
    {
        FileDigest digest;
        qint64 cost = 0;
        std::list<Key>::iterator lru;
    };
    struct Pass
    {
        std::optional<Expected<FileDigest>> result;
        std::atomic<bool> started{false};
        std::atomic<qint64> doneBytes{0};
        qint64 totalBytes = 0;
    };

    // The cache's key for the file as it is now; nullopt if it is no regular file (or bad size).
    static std::optional<Key> keyOf(const QString &absolute, qint64 pieceSize);
    // The pass for key (joined, or started on the pool) and whether this call started it.
    std::shared_ptr<Pass> passLocked(const Key &key, const QString &absolute, bool &started);
    void runPass(const Key &key, const QString &absolute, const std::shared_ptr<Pass> &pass);
    Expected<FileDigest> hashOnce(const QString &absolute, qint64 pieceSize, Pass &pass);
    void insertLocked(const Key &key, const FileDigest &digest);
    void removeLocked(const Key &key);

    PieceHashCacheLimits m_limits;
    Hasher m_hasher;
    mutable QMutex m_mutex;
    QWaitCondition m_passDone;
    QHash<Key, Entry> m_entries;
    std::list<Key> m_lru; // most recently used first
    QHash<Key, std::shared_ptr<Pass>> m_passes;
    qint64 m_bytes = 0;
    qint64 m_hashCount = 0;
    int m_waiters = 0;
    std::atomic<bool> m_stopping{false}; // running passes give up (error "cancelled")
    QThreadPool m_pool;                  // waited for in the destructor
};

} // namespace starling::transfer
