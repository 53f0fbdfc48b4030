#include "piecehashcache.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <exception>

#include <sys/stat.h>

namespace starling::transfer {

namespace {

constexpr qint64 kBytesPerHash = 128; // 64 hex characters plus QByteArray and list overhead

qint64 costOf(const QString &path, const FileDigest &digest)
{
    return 256 + path.size() * 2 + (digest.pieces.size() + 1) * kBytesPerHash;
}

} // namespace

size_t qHash(const PieceHashCache::Key &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.path, key.size, key.mtimeNs, key.device, key.inode, key.pieceSize);
}

PieceHashCache::PieceHashCache(PieceHashCacheLimits limits, Hasher hasher)
    : m_limits(limits), m_hasher(std::move(hasher))
{
    m_pool.setMaxThreadCount(std::max(1, m_limits.maxPasses));
    // A pass may run for minutes on a huge file: a thread per pass, not a borrowed one.
    m_pool.setExpiryTimeout(30000);
}

PieceHashCache::~PieceHashCache()
{
    m_stopping = true;
    m_pool.waitForDone();
}

std::optional<PieceHashCache::Key> PieceHashCache::keyOf(const QString &absolute, qint64 pieceSize)
{
    struct stat st = {};
    if (pieceSize <= 0 || ::stat(QFile::encodeName(absolute).constData(), &st) != 0 ||
        !S_ISREG(st.st_mode))
        return std::nullopt;
    return Key{absolute,
               st.st_size,
               std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
               quint64(st.st_dev),
               quint64(st.st_ino),
               pieceSize};
}

Expected<FileDigest> PieceHashCache::digest(const QString &path, qint64 pieceSize)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::optional<Key> key = keyOf(absolute, pieceSize);
    if (!key) // words the error the same way as a real pass
        return m_hasher ? m_hasher(absolute, pieceSize) : hashFile(absolute, pieceSize);
    QMutexLocker locker(&m_mutex);
    if (const auto it = m_entries.find(*key); it != m_entries.end()) {
        m_lru.splice(m_lru.begin(), m_lru, it->lru);
        return it->digest;
    }
    bool started = false;
    const std::shared_ptr<Pass> pass = passLocked(*key, absolute, started);
    if (!started)
        ++m_waiters;
    while (!pass->result)
        m_passDone.wait(&m_mutex);
    if (!started)
        --m_waiters;
    return *pass->result;
}

std::variant<Expected<FileDigest>, HashProgress>
PieceHashCache::digestOrProgress(const QString &path, qint64 pieceSize, int waitMs)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::optional<Key> key = keyOf(absolute, pieceSize);
    if (!key)
        return m_hasher ? m_hasher(absolute, pieceSize) : hashFile(absolute, pieceSize);
    QMutexLocker locker(&m_mutex);
    if (const auto it = m_entries.find(*key); it != m_entries.end()) {
        m_lru.splice(m_lru.begin(), m_lru, it->lru);
        return Expected<FileDigest>(it->digest);
    }
    bool started = false;
    const std::shared_ptr<Pass> pass = passLocked(*key, absolute, started);
    const QDeadlineTimer deadline(std::max(0, waitMs));
    while (!pass->result && !deadline.hasExpired())
        m_passDone.wait(&m_mutex, deadline);
    if (pass->result)
        return *pass->result;
    return HashProgress{!pass->started.load(), pass->doneBytes.load(), pass->totalBytes};
}

std::shared_ptr<PieceHashCache::Pass>
PieceHashCache::passLocked(const Key &key, const QString &absolute, bool &started)
{
    if (const auto it = m_passes.find(key); it != m_passes.end()) {
        started = false;
        return it.value();
    }
    started = true;
    auto pass = std::make_shared<Pass>();
    pass->totalBytes = key.size;
    m_passes.insert(key, pass);
    ++m_hashCount;
    m_pool.start([this, key, absolute, pass] { runPass(key, absolute, pass); });
    return pass;
}

void PieceHashCache::runPass(const Key &key, const QString &absolute,
                             const std::shared_ptr<Pass> &pass)
{
    pass->started = true;
    std::optional<Expected<FileDigest>> result;
    try {
        result.emplace(hashOnce(absolute, key.pieceSize, *pass));
    } catch (const std::exception &e) {
        // Waiters must not hang on a pass that threw.
        result.emplace(
            Error{absolute + QStringLiteral(": cannot hash: ") + QString::fromLocal8Bit(e.what()),
                  QStringLiteral("io")});
    }
    QMutexLocker locker(&m_mutex);
    // A pass that saw another version than the stat did describes no key reliably.
    if (*result && (*result)->size == key.size && (*result)->mtimeNs == key.mtimeNs)
        insertLocked(key, **result);
    pass->result = result;
    m_passes.remove(key);
    m_passDone.wakeAll();
}

Expected<FileDigest> PieceHashCache::hashOnce(const QString &absolute, qint64 pieceSize, Pass &pass)
{
    if (m_hasher)
        return m_hasher(absolute, pieceSize);
    QElapsedTimer clock;
    clock.start();
    const qint64 rate = m_limits.readBytesPerSecond;
    return hashFile(absolute, pieceSize, [&](qint64 done, qint64) {
        pass.doneBytes = done;
        // Paced by sleeping until the bytes read are due at `rate`, in short steps so that a
        // stopping service is not held up.
        while (rate > 0 && !m_stopping) {
            const qint64 dueMs = qint64(double(done) * 1000.0 / double(rate));
            const qint64 aheadMs = dueMs - clock.elapsed();
            if (aheadMs <= 0)
                break;
            QThread::msleep(ulong(std::min<qint64>(aheadMs, 50)));
        }
        return !m_stopping.load();
    });
}

void PieceHashCache::insertLocked(const Key &key, const FileDigest &digest)
{
    // An older version of the same file will never be asked for again.
    for (auto it = m_lru.begin(); it != m_lru.end();) {
        const Key &other = *it++;
        if (other.path == key.path && other.pieceSize == key.pieceSize)
            removeLocked(other);
    }
    const qint64 cost = costOf(key.path, digest);
    if (cost > m_limits.maxBytes || m_limits.maxEntries <= 0)
        return;
    while (!m_lru.empty() &&
           (m_entries.size() >= m_limits.maxEntries || m_bytes + cost > m_limits.maxBytes)) {
        removeLocked(m_lru.back());
    }
    m_lru.push_front(key);
    m_entries.insert(key, Entry{digest, cost, m_lru.begin()});
    m_bytes += cost;
}

void PieceHashCache::removeLocked(const Key &key)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    m_bytes -= it->cost;
    m_lru.erase(it->lru); // `key` may refer into this node: erase last
    m_entries.erase(it);
}

void PieceHashCache::clear()
{
    QMutexLocker locker(&m_mutex);
    m_entries.clear();
    m_lru.clear();
    m_bytes = 0;
}

int PieceHashCache::entryCount() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_entries.size());
}

qint64 PieceHashCache::byteCount() const
{
    QMutexLocker locker(&m_mutex);
    return m_bytes;
}

qint64 PieceHashCache::hashCount() const
{
    QMutexLocker locker(&m_mutex);
    return m_hashCount;
}

int PieceHashCache::waiterCount() const
{
    QMutexLocker locker(&m_mutex);
    return m_waiters;
}

} // namespace starling::transfer
