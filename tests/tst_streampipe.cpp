// StreamPipe: bounded bytes from the master's event loop to an HTTP connection thread.
#include "transfer/streampipe.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using starling::transfer::StreamPipe;

class TestStreamPipe final : public QObject
{
    Q_OBJECT

private slots:
    void bytesArriveInOrderAcrossThreads()
    {
        StreamPipe pipe(64 * 1024);
        QByteArray expected;
        for (int i = 0; i < 2000; ++i)
            expected += QByteArray::number(i) + ',';
        std::atomic<int> refills{0};
        pipe.setOnSpace([&] { ++refills; });
        std::thread producer([&] {
            qsizetype sent = 0;
            // Bounded: the consumer drains; this loop ends when all is pushed or after 10 s.
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            while (sent < expected.size() && std::chrono::steady_clock::now() < deadline) {
                if (pipe.space() <= 0) {
                    std::this_thread::yield();
                    continue;
                }
                const qsizetype n = std::min<qsizetype>(333, expected.size() - sent);
                pipe.push(expected.mid(sent, n));
                sent += n;
            }
            pipe.finish();
        });
        QByteArray got;
        char buffer[1000];
        for (;;) {
            const qint64 n = pipe.read(buffer, sizeof buffer, 10s);
            QVERIFY(n >= 0);
            if (n == 0)
                break;
            got.append(buffer, n);
        }
        producer.join();
        QCOMPARE(got, expected);
    }

    void readWaitsForDataThenTimesOut()
    {
        StreamPipe pipe(1024);
        char buffer[16];
        QCOMPARE(pipe.read(buffer, sizeof buffer, 20ms), qint64(-1)); // nothing came
        pipe.push(QByteArray("abc"));
        QCOMPARE(pipe.read(buffer, sizeof buffer, 1s), qint64(3));
        QCOMPARE(QByteArray(buffer, 3), QByteArray("abc"));
    }

    void finishDrainsThenEnds()
    {
        StreamPipe pipe(1024);
        pipe.push(QByteArray("hello"));
        pipe.finish();
        pipe.push(QByteArray("ignored after finish"));
        char buffer[3];
        QCOMPARE(pipe.read(buffer, 3, 1s), qint64(3));
        QCOMPARE(pipe.read(buffer, 3, 1s), qint64(2));
        QCOMPARE(QByteArray(buffer, 2), QByteArray("lo"));
        QCOMPARE(pipe.read(buffer, 3, 1s), qint64(0));
    }

    void failureWakesABlockedReader()
    {
        StreamPipe pipe(1024);
        std::thread failer([&] { pipe.fail(QStringLiteral("file changed on slave-3")); });
        char buffer[8];
        QCOMPARE(pipe.read(buffer, sizeof buffer, 10s), qint64(-1));
        failer.join();
        QCOMPARE(pipe.failure(), QStringLiteral("file changed on slave-3"));
    }

    void cancelDropsDataAndStopsTheProducer()
    {
        StreamPipe pipe(10);
        pipe.push(QByteArray("0123456789"));
        QVERIFY(pipe.space() <= 0);
        pipe.cancel();
        QVERIFY(pipe.cancelled());
        QCOMPARE(pipe.space(), qint64(10)); // the buffered bytes are gone
        char buffer[4];
        QCOMPARE(pipe.read(buffer, 4, 1s), qint64(-1));
    }

    void spaceCallbackFiresOncePerDrain()
    {
        StreamPipe pipe(100);
        int calls = 0;
        pipe.setOnSpace([&] { ++calls; });
        pipe.push(QByteArray(100, 'x'));
        char buffer[10];
        QCOMPARE(pipe.read(buffer, 10, 1s), qint64(10)); // 90 left: still above half
        QCOMPARE(calls, 0);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(pipe.read(buffer, 10, 1s), qint64(10)); // 50 left: crossed
        QCOMPARE(calls, 1);
        QCOMPARE(pipe.read(buffer, 10, 1s), qint64(10)); // below half already
        QCOMPARE(calls, 1);
    }
};

QTEST_GUILESS_MAIN(TestStreamPipe)
#include "tst_streampipe.moc"
