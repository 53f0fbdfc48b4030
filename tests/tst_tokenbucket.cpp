// TokenBucket with a fake clock: the burst goes out at once, then bytes are paced at the rate;
// idle time refills only up to the burst; concurrent reservations queue behind each other, so
// many threads together never beat the rate; unpaced buckets never wait; a clock stepping back
// mints nothing.
#include "transfer/tokenbucket.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using starling::transfer::TokenBucket;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

namespace {

struct FakeClock
{
    std::shared_ptr<std::atomic<qint64>> now = std::make_shared<std::atomic<qint64>>(1000000000);
    TokenBucket::Clock clock() const
    {
        return [now = now] {
            return nanoseconds(now->load());
        };
    }
    void advance(nanoseconds by) { now->fetch_add(by.count()); }
};

} // namespace

class TestTokenBucket : public QObject
{
    Q_OBJECT

private slots:
    void burstThenRate_data();
    void burstThenRate();
    void refillIsCappedAtBurst();
    void waitingPaysBack();
    void concurrentReservationsShareTheRate();
    void unpaced_data();
    void unpaced();
    void clockSteppingBack();
    void oversizedReservation();
};

void TestTokenBucket::burstThenRate_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<qint64>("burst");
    QTest::addColumn<qint64>("chunk");
    QTest::newRow("1 MB/s, 64 KiB chunks") << 1e6 << qint64(65536) << qint64(65536);
    QTest::newRow("10 MB/s, 128 KiB burst") << 1e7 << qint64(131072) << qint64(65536);
    QTest::newRow("no burst") << 1e6 << qint64(0) << qint64(1000);
    QTest::newRow("slow link") << 1000.0 << qint64(100) << qint64(250);
}

void TestTokenBucket::burstThenRate()
{
    QFETCH(double, rate);
    QFETCH(qint64, burst);
    QFETCH(qint64, chunk);
    FakeClock clock;
    TokenBucket bucket(rate, burst, clock.clock());
    QVERIFY(bucket.isPaced());
    // With time standing still, the n-th chunk waits exactly for the tokens it lacks.
    qint64 reserved = 0;
    for (int i = 0; i < 20; ++i) {
        const nanoseconds wait = bucket.reserve(chunk);
        reserved += chunk;
        const double lacking = double(reserved - burst);
        const double expectedNs = lacking <= 0 ? 0.0 : lacking / rate * 1e9;
        QVERIFY2(std::abs(double(wait.count()) - expectedNs) <= 1.0,
                 qPrintable(QStringLiteral("chunk %1: waited %2 ns, expected %3 ns")
                                .arg(i)
                                .arg(wait.count())
                                .arg(expectedNs)));
    }
}

void TestTokenBucket::refillIsCappedAtBurst()
{
    FakeClock clock;
    TokenBucket bucket(1e6, 50000, clock.clock());
    QCOMPARE(bucket.reserve(50000), 0ns);
    clock.advance(1h); // a long idle spell refills only the burst
    QCOMPARE(bucket.reserve(50000), 0ns);
    QCOMPARE(bucket.reserve(1000), nanoseconds(1000000)); // 1000 bytes at 1 MB/s = 1 ms
}

void TestTokenBucket::waitingPaysBack()
{
    FakeClock clock;
    TokenBucket bucket(1e6, 10000, clock.clock());
    QCOMPARE(bucket.reserve(10000), 0ns); // the burst
    const nanoseconds wait = bucket.reserve(10000);
    QCOMPARE(wait, nanoseconds(10000000)); // 10 kB at 1 MB/s
    // A sender that waits as told and sends again waits one chunk's time, no more.
    clock.advance(wait);
    QCOMPARE(bucket.reserve(10000), nanoseconds(10000000));
    // Pausing longer than the debt earns the burst back, and no more than the burst.
    clock.advance(20ms);
    QCOMPARE(bucket.reserve(10000), 0ns);
    QCOMPARE(bucket.reserve(1), nanoseconds(1000));
}

void TestTokenBucket::concurrentReservationsShareTheRate()
{
    FakeClock clock;
    const double rate = 1e6;
    TokenBucket bucket(rate, 0, clock.clock());
    constexpr int kThreads = 8;
    constexpr int kPerThread = 200;
    constexpr qint64 kChunk = 1000;
    std::vector<std::thread> threads;
    std::vector<qint64> longest(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i)
                longest[size_t(t)] =
                    std::max<qint64>(longest[size_t(t)], bucket.reserve(kChunk).count());
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    // Time stood still, so all 1600 chunks queued: the last waits for every byte before it
    // (1.6 MB at 1 MB/s = 1.6 s), and no thread was let through for free.
    qint64 overall = 0;
    for (const qint64 wait : longest) {
        QVERIFY(wait > 0);
        overall = std::max(overall, wait);
    }
    const double expected = double(kThreads * kPerThread * kChunk) / rate * 1e9;
    QVERIFY2(std::abs(double(overall) - expected) <= 1.0, qPrintable(QString::number(overall)));
    // After that long the queue is paid back and the bucket (burst 0) makes the next one wait
    // only for itself.
    clock.advance(nanoseconds(overall));
    QCOMPARE(bucket.reserve(kChunk), nanoseconds(1000000));
}

void TestTokenBucket::unpaced_data()
{
    QTest::addColumn<double>("rate");
    QTest::newRow("zero") << 0.0;
    QTest::newRow("negative") << -5.0;
    QTest::newRow("infinite") << std::numeric_limits<double>::infinity();
    QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN();
}

void TestTokenBucket::unpaced()
{
    QFETCH(double, rate);
    FakeClock clock;
    TokenBucket bucket(rate, 0, clock.clock());
    QVERIFY(!bucket.isPaced());
    for (int i = 0; i < 100; ++i)
        QCOMPARE(bucket.reserve(1 << 30), 0ns);
}

void TestTokenBucket::clockSteppingBack()
{
    FakeClock clock;
    TokenBucket bucket(1e6, 0, clock.clock());
    QCOMPARE(bucket.reserve(1000), nanoseconds(1000000));
    clock.advance(-10s);
    QCOMPARE(bucket.reserve(1000), nanoseconds(2000000)); // nothing was refilled
    QCOMPARE(bucket.reserve(0), 0ns);
    QCOMPARE(bucket.reserve(-100), 0ns);
}

void TestTokenBucket::oversizedReservation()
{
    FakeClock clock;
    TokenBucket bucket(1.0, 0, clock.clock());
    // 2^62 bytes at 1 byte/s: a wait beyond what nanoseconds hold is capped, not overflowed.
    const nanoseconds wait = bucket.reserve(qint64(1) << 62);
    QVERIFY(wait.count() > 0);
    QVERIFY(wait.count() <= qint64(9.0e18));
}

QTEST_GUILESS_MAIN(TestTokenBucket)
#include "tst_tokenbucket.moc"
