// RelayWindow: the master's in-order relay of a byte range from chunks that slaves answer in
// any order, with a bounded window and reassignment of chunks that time out or are lost.
#include "transfer/relaywindow.h"

#include <QTest>

#include <algorithm>
#include <random>

using starling::transfer::ByteSlice;
using starling::transfer::RelayWindow;

namespace {

QByteArray fileBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char((i * 131 + 7) % 251);
    return bytes;
}

QByteArray joined(const std::vector<starling::transfer::ByteSlice> &slices)
{
    QByteArray all;
    for (const auto &slice : slices)
        all += slice.view();
    return all;
}

// As the master gets it: the chunk's bytes behind a header, in the message they came in.
ByteSlice answer(const QByteArray &file, const RelayWindow::Request &request, qint64 length = -1)
{
    const QByteArray header("{\"header\": true}\n");
    return ByteSlice(header + file.mid(request.offset, request.length), header.size(),
                     length < 0 ? request.length : length);
}

} // namespace

class TestRelayWindow final : public QObject
{
    Q_OBJECT

private slots:
    void chunksCoverTheRangeInOrder_data()
    {
        QTest::addColumn<qint64>("fileSize");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("length");
        QTest::addColumn<qint64>("chunk");
        QTest::addColumn<int>("window");
        QTest::newRow("exact chunks")
            << qint64(4096) << qint64(0) << qint64(4096) << qint64(1024) << 2;
        QTest::newRow("short last chunk")
            << qint64(5000) << qint64(0) << qint64(5000) << qint64(1024) << 3;
        QTest::newRow("one byte") << qint64(1) << qint64(0) << qint64(1) << qint64(1024) << 4;
        QTest::newRow("a range inside")
            << qint64(10000) << qint64(777) << qint64(3333) << qint64(500) << 4;
        QTest::newRow("window of one")
            << qint64(3000) << qint64(0) << qint64(3000) << qint64(700) << 1;
        QTest::newRow("window larger than the range")
            << qint64(3000) << qint64(10) << qint64(2000) << qint64(700) << 64;
    }

    void chunksCoverTheRangeInOrder()
    {
        QFETCH(qint64, fileSize);
        QFETCH(qint64, offset);
        QFETCH(qint64, length);
        QFETCH(qint64, chunk);
        QFETCH(int, window);
        const QByteArray file = fileBytes(fileSize);
        RelayWindow relay(offset, length, chunk, window);
        std::mt19937 random(42);
        QByteArray out;
        std::vector<RelayWindow::Request> inFlight;
        for (int round = 0; round < 10000 && !relay.finished(); ++round) {
            for (const auto &r : relay.nextRequests({2, 3, 4}, round))
                inFlight.push_back(r);
            QVERIFY(relay.outstanding() <= window);
            QVERIFY(!inFlight.empty());
            // Answer one outstanding chunk at random: arrival order is not file order.
            const size_t pick = random() % inFlight.size();
            QVERIFY(relay.deliver(inFlight[pick].seq, inFlight[pick].attempt,
                                  answer(file, inFlight[pick])));
            inFlight.erase(inFlight.begin() + qsizetype(pick));
            out += joined(relay.takeReady());
        }
        QVERIFY(relay.finished());
        QCOMPARE(out, file.mid(offset, length));
        QCOMPARE(relay.bytesOut(), length);
        QCOMPARE(relay.reassignments(), 0);
    }

    void emptyRangeIsFinishedAtOnce()
    {
        RelayWindow relay(100, 0, 1024, 4);
        QVERIFY(relay.finished());
        QVERIFY(relay.nextRequests({2}, 0).empty());
        QVERIFY(joined(relay.takeReady()).isEmpty());
    }

    void noSourceNoRequest()
    {
        RelayWindow relay(0, 4096, 1024, 4);
        QVERIFY(relay.nextRequests({}, 0).empty());
        QVERIFY(!relay.finished());
    }

    void windowIsSharedFairlyAmongSources()
    {
        RelayWindow relay(0, 1 << 20, 1024, 8);
        const auto requests = relay.nextRequests({2, 3, 4, 5}, 0);
        QCOMPARE(requests.size(), size_t(8));
        for (const int source : {2, 3, 4, 5}) {
            QCOMPARE(std::count_if(requests.begin(), requests.end(),
                                   [&](const auto &r) { return r.source == source; }),
                     2);
        }
        // A full window asks for nothing more until something leaves it.
        QVERIFY(relay.nextRequests({2, 3, 4, 5}, 1).empty());
    }

    void dataStaysInTheWindowUntilTaken()
    {
        // Arrived chunks count against the window until the client side takes them, so a
        // slow client bounds the master's memory.
        const QByteArray file = fileBytes(4096);
        RelayWindow relay(0, 4096, 1024, 2);
        const auto first = relay.nextRequests({2}, 0);
        QCOMPARE(first.size(), size_t(2));
        for (const auto &r : first)
            QVERIFY(relay.deliver(r.seq, r.attempt, answer(file, r)));
        QVERIFY(relay.nextRequests({2}, 1).empty());
        QCOMPARE(joined(relay.takeReady()), file.left(2048));
        QCOMPARE(relay.nextRequests({2}, 2).size(), size_t(2));
    }

    void takeReadyStopsOnceItHasTheBytesAsked()
    {
        // The relay takes only what its pipe has room for (plus at most one chunk), so ready
        // chunks wait in the window, counted, instead of piling up in the pipe.
        const QByteArray file = fileBytes(4096);
        RelayWindow relay(0, 4096, 1024, 4);
        for (const auto &r : relay.nextRequests({2}, 0))
            QVERIFY(relay.deliver(r.seq, r.attempt, answer(file, r)));
        QCOMPARE(joined(relay.takeReady(1)), file.left(1024));
        QCOMPARE(joined(relay.takeReady(1025)), file.mid(1024, 2048));
        QVERIFY(relay.takeReady(0).empty());
        QCOMPARE(joined(relay.takeReady()), file.mid(3072));
        QVERIFY(relay.finished());
    }

    void lateAndWrongAnswersAreDropped()
    {
        const QByteArray file = fileBytes(4096);
        RelayWindow relay(0, 4096, 1024, 2);
        const auto requests = relay.nextRequests({2, 3}, 0);
        QCOMPARE(requests.size(), size_t(2));
        const RelayWindow::Request &r = requests.front();
        QVERIFY(!relay.deliver(r.seq, r.attempt + 1, answer(file, r))); // attempt never made
        QVERIFY(!relay.deliver(r.seq, r.attempt, answer(file, r, 10))); // truncated
        QVERIFY(!relay.deliver(99, 1, answer(file, r)));                // never asked
        QVERIFY(relay.deliver(r.seq, r.attempt, answer(file, r)));
        QVERIFY(!relay.deliver(r.seq, r.attempt, answer(file, r))); // duplicate
        QCOMPARE(joined(relay.takeReady()), file.left(1024));
    }

    void timedOutChunkGoesToAnotherSourceAndTheLateAnswerIsDropped()
    {
        const QByteArray file = fileBytes(3072);
        RelayWindow relay(0, 3072, 1024, 3);
        const auto requests = relay.nextRequests({2, 3, 4}, 0);
        QCOMPARE(requests.size(), size_t(3));
        const auto hung = *std::find_if(requests.begin(), requests.end(),
                                        [](const auto &r) { return r.source == 3; });
        for (const auto &r : requests) {
            if (r.source != 3)
                QVERIFY(relay.deliver(r.seq, r.attempt, answer(file, r)));
        }
        QVERIFY(relay.reassign({2, 3, 4}, 1999, 2000).empty()); // not yet
        const auto again = relay.reassign({2, 3, 4}, 2000, 2000);
        QCOMPARE(again.size(), size_t(1));
        QCOMPARE(again.front().seq, hung.seq);
        QCOMPARE(again.front().attempt, 2);
        QVERIFY(again.front().source != 3);
        QCOMPARE(relay.reassignments(), 1);
        // The stopped slave wakes up and answers its first attempt: refused.
        QVERIFY(!relay.deliver(hung.seq, hung.attempt, answer(file, hung)));
        QVERIFY(
            relay.deliver(again.front().seq, again.front().attempt, answer(file, again.front())));
        QCOMPARE(joined(relay.takeReady()), file);
        QVERIFY(relay.finished());
    }

    void lostSourceIsReassignedAtOnce()
    {
        const QByteArray file = fileBytes(4096);
        RelayWindow relay(0, 4096, 1024, 4);
        const auto requests = relay.nextRequests({2, 3}, 0);
        QCOMPARE(requests.size(), size_t(4));
        const auto moved = relay.reassign({2, 3}, 1, 60000, {3});
        QCOMPARE(moved.size(), size_t(2));
        for (const auto &r : moved)
            QCOMPARE(r.source, 2);
        // With the only source lost, there is nobody to ask: nothing is reissued yet.
        QVERIFY(relay.reassign({2}, 2, 60000, {2}).empty());
    }
};

QTEST_GUILESS_MAIN(TestRelayWindow)
#include "tst_relaywindow.moc"
