// BlockVerifier: hashes blocks read back from a file on worker threads and reports each one.
#include "client/blockverifier.h"
#include "testutil.h"
#include "transfer/sha256.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>

using namespace starling::transfer;
using namespace starling::client;

namespace {

constexpr qint64 kBlock = 300 * 1024; // not a multiple of the verifier's read chunk

// Waits for `count` results, taking them as they come, for at most 10 s.
std::vector<BlockVerifier::Result> collect(BlockVerifier &verifier, size_t count)
{
    std::vector<BlockVerifier::Result> all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
        for (auto &r : verifier.takeResults())
            all.push_back(std::move(r));
        if (all.size() < count)
            QTest::qWait(5);
    }
    return all;
}

} // namespace

class TestBlockVerifier : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_data = randomBytes(8 * kBlock + 5, 7);
        m_path = m_dir.filePath(QStringLiteral("part"));
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(m_data), m_data.size());
        file.close();
        m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(m_fd >= 0);
    }
    void cleanup()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    void reportsEveryBlockWithItsSource_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("3 threads") << 3;
    }
    void reportsEveryBlockWithItsSource()
    {
        QFETCH(int, threads);
        std::atomic<int> wakes{0};
        BlockVerifier verifier(m_fd, threads, [&wakes] { ++wakes; });
        std::map<int, bool> expected;
        for (int b = 0; b * kBlock < m_data.size(); ++b) {
            const qint64 offset = b * kBlock;
            const qint64 length = qMin(kBlock, m_data.size() - offset);
            QByteArray sha = Sha256::hexOf(m_data.mid(offset, length));
            const bool corrupt = b % 3 == 1; // expect another hash: the bytes are "wrong"
            if (corrupt)
                sha = Sha256::hexOf(QByteArrayLiteral("something else"));
            expected[b] = !corrupt;
            verifier.submit({b, b % 2, offset, length, sha});
        }
        QCOMPARE(verifier.pending(), int(expected.size()));
        QCOMPARE(verifier.pendingBytes(), m_data.size());

        const auto results = collect(verifier, expected.size());
        QCOMPARE(results.size(), expected.size());
        for (const auto &r : results) {
            QCOMPARE(r.readError, 0);
            QCOMPARE(r.matches, expected.at(r.job.block));
            QCOMPARE(r.job.source, r.job.block % 2);
            expected.erase(r.job.block); // each block once
        }
        QVERIFY(expected.empty());
        QCOMPARE(verifier.pending(), 0);
        QCOMPARE(verifier.pendingBytes(), qint64(0));
        QCOMPARE(wakes.load(), int(results.size()));
    }

    void blockBeyondTheFileIsAReadError()
    {
        BlockVerifier verifier(m_fd, 1, {});
        verifier.submit({0, 0, m_data.size() - 10, 20, Sha256::hexOf({})});
        const auto results = collect(verifier, 1);
        QCOMPARE(results.size(), size_t(1));
        QVERIFY(!results[0].matches);
        QVERIFY(results[0].readError != 0);
    }

    void badDescriptorIsAReadError()
    {
        BlockVerifier verifier(-1, 1, {});
        verifier.submit({0, 0, 0, kBlock, Sha256::hexOf(m_data.left(kBlock))});
        const auto results = collect(verifier, 1);
        QCOMPARE(results.size(), size_t(1));
        QCOMPARE(results[0].readError, EBADF);
    }

    void stopDropsQueuedWorkAndJoins()
    {
        BlockVerifier verifier(m_fd, 1, {});
        for (int i = 0; i < 2000; ++i)
            verifier.submit({i, 0, 0, m_data.size(), QByteArray(64, '0')});
        verifier.stop(); // returns once the job in progress (if any) is hashed
        QVERIFY(verifier.takeResults().size() < 2000);
        QCOMPARE(verifier.pending(), 0); // dropped jobs are no longer pending
        QCOMPARE(verifier.pendingBytes(), qint64(0));
        verifier.stop(); // twice is harmless
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_data;
    QString m_path;
    int m_fd = -1;
};

QTEST_GUILESS_MAIN(TestBlockVerifier)
#include "tst_blockverifier.moc"
