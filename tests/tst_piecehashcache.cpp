// PieceHashCache: a second request costs no read; a file rewritten, touched or replaced (new
// inode) is hashed again; piece sizes are separate entries; entry and byte bounds evict the
// least recently used; errors are not cached; concurrent requests for one file share a single
// pass (and its failure), while other files hash in parallel.
#include "testutil.h"
#include "transfer/piecehashcache.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <functional>
#include <thread>
#include <variant>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>

using namespace starling;
using namespace starling::transfer;

namespace {

constexpr int kWaitMs = 10000;

template<typename T> QString why(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

bool setMtime(const QString &path, std::int64_t seconds)
{
    const timespec times[2] = {{seconds, 0}, {seconds, 0}};
    return ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0) == 0;
}

// Polls a condition shared with worker threads. Not QTRY_*: a failing QTRY returns from the
// test function before the workers are released and joined.
bool waitFor(const std::function<bool()> &condition)
{
    QDeadlineTimer deadline(kWaitMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QThread::yieldCurrentThread();
    }
    return true;
}

QByteArray sha(QByteArrayView data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

} // namespace

class TestPieceHashCache : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void hitCostsNoPass();
    void changedFileIsRehashed_data();
    void changedFileIsRehashed();
    void pieceSizesAreSeparate();
    void evictsLeastRecentlyUsed();
    void boundedBytes();
    void errorsAreNotCached();
    void concurrentRequestsShareOnePass();
    void failedPassReachesWaiters();
    void otherFilesDoNotWait();
    void progressAnswersAtOnce();
    void passesBeyondTheCapWaitQueued();
    void readRateIsCapped();

private:
    QString file(const char *name) const { return m_dir->filePath(QLatin1String(name)); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestPieceHashCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestPieceHashCache::hitCostsNoPass()
{
    QVERIFY(writeFile(file("a.bin"), "abcdefghij"));
    PieceHashCache cache;
    const Expected<FileDigest> first = cache.digest(file("a.bin"), 4);
    QVERIFY2(first, qPrintable(why(first)));
    QCOMPARE(first->sha256, sha("abcdefghij"));
    QCOMPARE(first->pieces, (QList<QByteArray>{sha("abcd"), sha("efgh"), sha("ij")}));
    QCOMPARE(cache.hashCount(), 1);

    // A relative spelling of the same file is the same entry.
    const QString relative = QDir::current().relativeFilePath(file("a.bin"));
    const Expected<FileDigest> second = cache.digest(relative, 4);
    QVERIFY2(second, qPrintable(why(second)));
    QCOMPARE(second->sha256, first->sha256);
    QCOMPARE(second->pieces, first->pieces);
    QCOMPARE(cache.hashCount(), 1);
    QCOMPARE(cache.entryCount(), 1);
    QVERIFY(cache.byteCount() > 0);

    cache.clear();
    QCOMPARE(cache.entryCount(), 0);
    QCOMPARE(cache.byteCount(), 0);
    QVERIFY(cache.digest(file("a.bin"), 4));
    QCOMPARE(cache.hashCount(), 2);
}

void TestPieceHashCache::changedFileIsRehashed_data()
{
    QTest::addColumn<QString>("change");
    QTest::newRow("new content and mtime") << QStringLiteral("rewrite");
    QTest::newRow("same bytes, new mtime") << QStringLiteral("touch");
    QTest::newRow("other inode, same size and mtime") << QStringLiteral("replace");
    QTest::newRow("grown") << QStringLiteral("grow");
}

void TestPieceHashCache::changedFileIsRehashed()
{
    QFETCH(QString, change);
    const QString path = file("v.bin");
    QVERIFY(writeFile(path, "version one"));
    QVERIFY(setMtime(path, 1700000000));
    PieceHashCache cache;
    QVERIFY(cache.digest(path, 1024));
    QCOMPARE(cache.hashCount(), 1);

    QByteArray now = "version one";
    if (change == u"rewrite") {
        now = "version two";
        QVERIFY(writeFile(path, now));
        QVERIFY(setMtime(path, 1700000100));
    } else if (change == u"touch") {
        QVERIFY(setMtime(path, 1700000100));
    } else if (change == u"replace") {
        // Same size and mtime, different bytes: only the inode shows it (a copy put in place).
        now = "VERSION ONE";
        const QString other = file("new.bin");
        QVERIFY(writeFile(other, now));
        QVERIFY(setMtime(other, 1700000000));
        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::rename(other, path));
    } else {
        now += "!";
        QVERIFY(writeFile(path, now));
        QVERIFY(setMtime(path, 1700000000));
    }
    const Expected<FileDigest> digest = cache.digest(path, 1024);
    QVERIFY2(digest, qPrintable(why(digest)));
    QCOMPARE(cache.hashCount(), 2);
    QCOMPARE(digest->sha256, sha(now));
    QCOMPARE(digest->size, now.size());
    // The stale version went: one entry per file.
    QCOMPARE(cache.entryCount(), 1);
}

void TestPieceHashCache::pieceSizesAreSeparate()
{
    QVERIFY(writeFile(file("p.bin"), "0123456789"));
    PieceHashCache cache;
    const Expected<FileDigest> two = cache.digest(file("p.bin"), 2);
    const Expected<FileDigest> five = cache.digest(file("p.bin"), 5);
    QVERIFY(two && five);
    QCOMPARE(two->pieces.size(), 5);
    QCOMPARE(five->pieces.size(), 2);
    QCOMPARE(cache.hashCount(), 2);
    QCOMPARE(cache.entryCount(), 2);
    QCOMPARE(cache.digest(file("p.bin"), 2)->pieces.size(), 5);
    QCOMPARE(cache.hashCount(), 2);
}

void TestPieceHashCache::evictsLeastRecentlyUsed()
{
    for (const char *name : {"1", "2", "3"})
        QVERIFY(writeFile(file(name), name));
    PieceHashCache cache({2, 1 << 20});
    QVERIFY(cache.digest(file("1"), 16));
    QVERIFY(cache.digest(file("2"), 16));
    QVERIFY(cache.digest(file("1"), 16)); // 1 is now the most recent
    QVERIFY(cache.digest(file("3"), 16)); // evicts 2
    QCOMPARE(cache.entryCount(), 2);
    QCOMPARE(cache.hashCount(), 3);
    QVERIFY(cache.digest(file("1"), 16));
    QVERIFY(cache.digest(file("3"), 16));
    QCOMPARE(cache.hashCount(), 3);
    QVERIFY(cache.digest(file("2"), 16));
    QCOMPARE(cache.hashCount(), 4);
    QCOMPARE(cache.entryCount(), 2);
}

void TestPieceHashCache::boundedBytes()
{
    // 1000 one-byte pieces cost far more than 4 KiB; the 1-piece file fits.
    QVERIFY(writeFile(file("many.bin"), QByteArray(1000, 'm')));
    QVERIFY(writeFile(file("one.bin"), "1"));
    PieceHashCache cache({100, 4096});
    const Expected<FileDigest> many = cache.digest(file("many.bin"), 1);
    QVERIFY(many);
    QCOMPARE(many->pieces.size(), 1000); // served, just not kept
    QCOMPARE(cache.entryCount(), 0);
    QCOMPARE(cache.byteCount(), 0);
    QVERIFY(cache.digest(file("one.bin"), 1));
    QCOMPARE(cache.entryCount(), 1);
    QVERIFY(cache.byteCount() <= 4096);

    // Many small files: the byte bound holds while entries come and go.
    for (int i = 0; i < 50; ++i) {
        const QString path = m_dir->filePath(QStringLiteral("small-%1").arg(i));
        QVERIFY(writeFile(path, QByteArray::number(i)));
        QVERIFY(cache.digest(path, 1));
        QVERIFY(cache.byteCount() <= 4096);
    }
    QVERIFY(cache.entryCount() > 1);
    QVERIFY(cache.entryCount() < 50);
}

void TestPieceHashCache::errorsAreNotCached()
{
    PieceHashCache cache;
    const Expected<FileDigest> missing = cache.digest(file("later.bin"), 4);
    QVERIFY(!missing);
    QCOMPARE(missing.errorCode(), QStringLiteral("not_found"));
    QVERIFY(missing.error().startsWith(file("later.bin")));
    QVERIFY(!cache.digest(m_dir->path(), 4)); // a directory
    QVERIFY(!cache.digest(file("later.bin"), 0));
    QCOMPARE(cache.entryCount(), 0);

    QVERIFY(writeFile(file("later.bin"), "here now"));
    const Expected<FileDigest> found = cache.digest(file("later.bin"), 4);
    QVERIFY2(found, qPrintable(why(found)));
    QCOMPARE(found->sha256, sha("here now"));
}

void TestPieceHashCache::concurrentRequestsShareOnePass()
{
    QVERIFY(writeFile(file("shared.bin"), "shared bytes"));
    QSemaphore entered;
    QSemaphore release;
    std::atomic<int> passes{0};
    PieceHashCache cache({}, [&](const QString &path, qint64 pieceSize) {
        ++passes;
        entered.release();
        release.acquire(); // held until every other request is waiting
        return hashFile(path, pieceSize);
    });

    constexpr int kThreads = 8;
    std::vector<std::optional<Expected<FileDigest>>> results(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back(
            [&, i] { results[size_t(i)].emplace(cache.digest(file("shared.bin"), 4)); });
    const bool oneInside = entered.tryAcquire(1, kWaitMs);
    const bool othersWait =
        oneInside && waitFor([&] { return cache.waiterCount() == kThreads - 1; });
    release.release(kThreads); // also frees a stray second pass, so joins cannot hang
    for (std::thread &thread : threads)
        thread.join();

    QVERIFY(oneInside);
    QVERIFY(othersWait);
    QCOMPARE(passes.load(), 1);
    QCOMPARE(cache.hashCount(), 1);
    QCOMPARE(cache.waiterCount(), 0);
    for (const auto &result : results) {
        QVERIFY(result && *result);
        QCOMPARE((*result)->sha256, sha("shared bytes"));
    }
}

void TestPieceHashCache::failedPassReachesWaiters()
{
    QVERIFY(writeFile(file("flaky.bin"), "flaky"));
    QSemaphore entered;
    QSemaphore release;
    std::atomic<int> passes{0};
    PieceHashCache cache({}, [&](const QString &path, qint64 pieceSize) -> Expected<FileDigest> {
        const bool first = passes.fetch_add(1) == 0;
        entered.release();
        release.acquire();
        if (first)
            return Error{path + QStringLiteral(": changed while hashing"),
                         QStringLiteral("changed")};
        return hashFile(path, pieceSize);
    });

    std::optional<Expected<FileDigest>> a;
    std::optional<Expected<FileDigest>> b;
    std::thread first([&] { a.emplace(cache.digest(file("flaky.bin"), 4)); });
    const bool inside = entered.tryAcquire(1, kWaitMs);
    std::thread second([&] { b.emplace(cache.digest(file("flaky.bin"), 4)); });
    const bool waiting = inside && waitFor([&] { return cache.waiterCount() == 1; });
    release.release(2);
    first.join();
    second.join();
    QVERIFY(inside);
    QVERIFY(waiting);
    QVERIFY(a && !*a && b && !*b);
    QCOMPARE(b->errorCode(), QStringLiteral("changed"));
    QCOMPARE(cache.entryCount(), 0);

    // The next request tries again and succeeds.
    release.release(1);
    const Expected<FileDigest> again = cache.digest(file("flaky.bin"), 4);
    QVERIFY2(again, qPrintable(why(again)));
    QCOMPARE(passes.load(), 2);
}

void TestPieceHashCache::otherFilesDoNotWait()
{
    QVERIFY(writeFile(file("slow.bin"), "slow"));
    QVERIFY(writeFile(file("fast.bin"), "fast"));
    QSemaphore entered;
    QSemaphore release;
    PieceHashCache cache({}, [&](const QString &path, qint64 pieceSize) {
        if (path.endsWith(QLatin1String("slow.bin"))) {
            entered.release();
            release.acquire();
        }
        return hashFile(path, pieceSize);
    });
    std::thread slow([&] { cache.digest(file("slow.bin"), 4); });
    const bool inside = entered.tryAcquire(1, kWaitMs);
    // While slow.bin is being hashed, fast.bin is answered: the lock is not held for a pass.
    const Expected<FileDigest> fast = cache.digest(file("fast.bin"), 4);
    release.release();
    slow.join();
    QVERIFY(inside);
    QVERIFY(fast);
    QCOMPARE(fast->sha256, sha("fast"));
    QCOMPARE(cache.entryCount(), 2);
}

// Planning a huge file: the caller is not held for the whole pass but told how far it got; the
// same file asked for again joins that pass instead of starting another.
void TestPieceHashCache::progressAnswersAtOnce()
{
    QVERIFY(writeFile(file("huge.bin"), "pretend this is 30 GiB"));
    QSemaphore entered;
    QSemaphore release;
    PieceHashCache cache({}, [&](const QString &path, qint64 pieceSize) {
        entered.release();
        release.acquire();
        return hashFile(path, pieceSize);
    });
    const auto first = cache.digestOrProgress(file("huge.bin"), 4, 0);
    const bool inside = entered.tryAcquire(1, kWaitMs);
    std::vector<std::variant<Expected<FileDigest>, HashProgress>> again;
    for (int i = 0; i < 5; ++i)
        again.push_back(cache.digestOrProgress(file("huge.bin"), 4, 10));
    release.release(2); // a stray second pass could not hang the test either
    const auto done = std::get<Expected<FileDigest>>(
        cache.digestOrProgress(file("huge.bin"), 4, kWaitMs)); // waits for the pass
    QVERIFY(inside);
    QVERIFY(std::holds_alternative<HashProgress>(first));
    QCOMPARE(std::get<HashProgress>(first).totalBytes, qint64(22));
    for (const auto &answer : again) {
        QVERIFY(std::holds_alternative<HashProgress>(answer));
        QVERIFY(!std::get<HashProgress>(answer).queued);
    }
    QVERIFY2(done, qPrintable(why(done)));
    QCOMPARE(done->sha256, sha("pretend this is 30 GiB"));
    QCOMPARE(cache.hashCount(), 1);
}

void TestPieceHashCache::passesBeyondTheCapWaitQueued()
{
    QVERIFY(writeFile(file("a.bin"), "aaaa"));
    QVERIFY(writeFile(file("b.bin"), "bbbb"));
    QSemaphore entered;
    QSemaphore release;
    std::atomic<int> running{0};
    std::atomic<int> mostRunning{0};
    PieceHashCacheLimits limits;
    limits.maxPasses = 1;
    PieceHashCache cache(limits, [&](const QString &path, qint64 pieceSize) {
        mostRunning = std::max(mostRunning.load(), ++running);
        entered.release();
        release.acquire();
        --running;
        return hashFile(path, pieceSize);
    });
    cache.digestOrProgress(file("a.bin"), 4, 0);
    const bool aInside = entered.tryAcquire(1, kWaitMs);
    const auto b = cache.digestOrProgress(file("b.bin"), 4, 50);
    const bool bStayedOut = !entered.tryAcquire(1, 50);
    release.release(1); // a finishes, b starts
    const bool bInside = entered.tryAcquire(1, kWaitMs);
    release.release(1);
    const auto bDone = cache.digestOrProgress(file("b.bin"), 4, kWaitMs);
    QVERIFY(aInside);
    QVERIFY(std::holds_alternative<HashProgress>(b));
    QVERIFY(std::get<HashProgress>(b).queued);
    QVERIFY(bStayedOut);
    QVERIFY(bInside);
    QVERIFY(std::holds_alternative<Expected<FileDigest>>(bDone));
    QCOMPARE(mostRunning.load(), 1);
    QCOMPARE(cache.hashCount(), 2);
}

// The default hasher reports the bytes it has read and keeps to readBytesPerSecond: 12 MiB at
// 4 MiB/s cannot be done in its first second, whatever the machine's speed.
void TestPieceHashCache::readRateIsCapped()
{
    QVERIFY(writeFile(file("paced.bin"), randomBytes(12 * 1024 * 1024, 3)));
    PieceHashCacheLimits limits;
    limits.readBytesPerSecond = 4 * 1024 * 1024;
    PieceHashCache cache(limits);
    QElapsedTimer clock;
    clock.start();
    const auto first = cache.digestOrProgress(file("paced.bin"), 1 << 20, 0);
    QVERIFY(std::holds_alternative<HashProgress>(first));
    qint64 seenDone = 0;
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired()) {
        const auto answer = cache.digestOrProgress(file("paced.bin"), 1 << 20, 100);
        if (const auto *digest = std::get_if<Expected<FileDigest>>(&answer)) {
            QVERIFY2(*digest, qPrintable(why(*digest)));
            break;
        }
        const HashProgress progress = std::get<HashProgress>(answer);
        QVERIFY(progress.doneBytes >= seenDone);
        QVERIFY(progress.doneBytes <= progress.totalBytes);
        seenDone = progress.doneBytes;
    }
    QVERIFY(!deadline.hasExpired());
    QVERIFY(seenDone > 0);            // progress was reported on the way
    QVERIFY(clock.elapsed() >= 2000); // 12 MiB paced at 4 MiB/s: a lower bound, not a speed
}

QTEST_APPLESS_MAIN(TestPieceHashCache)
#include "tst_piecehashcache.moc"
