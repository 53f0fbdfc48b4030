// The monitor's memory for the console's charts: fed an hour and more of snapshots at 4 Hz it
// keeps at least the last hour of every slave, in no more than its points, with mean rates
// from the byte counters, and hands it out in pages.
#include "cluster/historystore.h"
#include "fakeclustersource.h"

#include <QTest>

using namespace starling;
using cluster::HistoryStore;
using starling::testing::fakeSnapshot;

namespace {
constexpr qint64 kT0 = 1700000000000;
constexpr qint64 kPeriodMs = 250; // 4 Hz
} // namespace

class TestHistoryStore final : public QObject
{
    Q_OBJECT

private slots:
    void keepsAnHourAtBoundedCost()
    {
        HistoryStore store; // an hour, 3600 points
        const int slaves = 3;
        const qint64 snapshots = 80 * 60 * 4; // 80 minutes
        for (qint64 seq = 1; seq <= snapshots; ++seq)
            store.record(fakeSnapshot(slaves, seq, kT0 + seq * kPeriodMs));
        const qint64 newest = kT0 + snapshots * kPeriodMs;
        for (int rank = 2; rank < 2 + slaves; ++rank) {
            QVERIFY(store.sampleCount(rank) <= 3601);
            const auto all = store.page(rank, 0, 100000);
            QCOMPARE(int(all.samples.size()), store.sampleCount(rank));
            QVERIFY(!all.more);
            // One sample a second: the newest kept is at most a second old.
            QVERIFY(newest - all.samples.back().timeMs < store.spacingMs());
            // At least an hour, and not much more.
            const qint64 span = all.samples.back().timeMs - all.samples.front().timeMs;
            QVERIFY2(span >= 3'600'000 && span <= 3'600'000 + 1000,
                     qPrintable(QString::number(span)));
            for (size_t i = 1; i < all.samples.size(); ++i)
                QVERIFY(all.samples[i].timeMs - all.samples[i - 1].timeMs >= store.spacingMs());
        }
        QCOMPARE(store.sampleCount(0), 0); // the master is not charted
        QCOMPARE(store.sampleCount(1), 0);
    }

    void ratesAreMeansBetweenKeptSamples()
    {
        HistoryStore store;
        for (qint64 seq = 1; seq <= 40; ++seq)
            store.record(fakeSnapshot(2, seq, kT0 + seq * kPeriodMs));
        // fakeSnapshot's slave i sends (i + 1) * 100000 bytes a snapshot: 400 kB/s at 4 Hz.
        const auto page = store.page(3, 0, 100);
        QVERIFY(page.samples.size() >= 9);
        QCOMPARE(page.samples.front().txRate, 0.0); // no earlier counters
        for (size_t i = 1; i < page.samples.size(); ++i) {
            QCOMPARE(page.samples[i].txRate, 2 * 400000.0);
            QCOMPARE(page.samples[i].rxRate, 2 * 80000.0);
        }
        const auto &last = page.samples.back();
        const qint64 seq = (last.timeMs - kT0) / kPeriodMs;
        const auto snapshot = fakeSnapshot(2, seq, last.timeMs);
        QCOMPARE(last.tasksDone, snapshot.nodes[3].stats.tasksDone);
        QCOMPARE(last.rssBytes, snapshot.nodes[3].stats.processRssBytes);
        QCOMPARE(last.cpu, double(float(snapshot.nodes[3].stats.processCpu)));
    }

    void restartGivesRateZero()
    {
        HistoryStore store;
        auto a = fakeSnapshot(1, 100, kT0);
        store.record(a);
        auto b = fakeSnapshot(1, 110, kT0 + 2000);
        store.record(b);
        auto c = fakeSnapshot(1, 2, kT0 + 4000); // counters went down: a new process
        c.nodes[2].stats.pid = 4242;
        store.record(c);
        const auto page = store.page(2, 0, 10);
        QCOMPARE(page.samples.size(), size_t(3));
        QVERIFY(page.samples[1].txRate > 0);
        QCOMPARE(page.samples[2].txRate, 0.0);
    }

    // A slave's heartbeat came late: the snapshot still shows the one the last kept sample had.
    // The rate it gave holds (as the console's NodeHistory keeps it), not a dip to 0.
    void repeatedHeartbeatKeepsTheRate()
    {
        HistoryStore store;
        store.record(fakeSnapshot(1, 10, kT0));
        const auto advanced = fakeSnapshot(1, 14, kT0 + 1000);
        store.record(advanced);
        auto repeated = fakeSnapshot(1, 18, kT0 + 2000);
        repeated.nodes[2].stats = advanced.nodes[2].stats;
        store.record(repeated);
        store.record(fakeSnapshot(1, 30, kT0 + 3000));
        const auto page = store.page(2, 0, 10);
        QCOMPARE(page.samples.size(), size_t(4));
        // Slave 0 sends 100000 bytes a snapshot: 4 snapshots in 1 s.
        QCOMPARE(page.samples[1].txRate, 400000.0);
        QCOMPARE(page.samples[2].txRate, 400000.0);
        QCOMPARE(page.samples[2].rxRate, page.samples[1].rxRate);
        // The next heartbeat's rate is the mean since the one it follows: 16 snapshots in 2 s.
        QCOMPARE(page.samples[3].txRate, 800000.0);
    }

    void pagesContinueOneAnother()
    {
        HistoryStore store(600'000, 600); // ten minutes, 1 s apart
        for (qint64 seq = 1; seq <= 4 * 700; ++seq)
            store.record(fakeSnapshot(1, seq, kT0 + seq * kPeriodMs));
        std::vector<cluster::HistorySample> all;
        qint64 after = 0;
        int pages = 0;
        for (;;) {
            const auto page = store.page(2, after, 250);
            all.insert(all.end(), page.samples.begin(), page.samples.end());
            ++pages;
            if (!page.more)
                break;
            after = page.samples.back().timeMs;
            QVERIFY(pages < 10);
        }
        QCOMPARE(int(all.size()), store.sampleCount(2));
        QCOMPARE(pages, (store.sampleCount(2) + 249) / 250);
        QVERIFY(cluster::checkHistory(all).isEmpty());
        QVERIFY(store.page(2, all.back().timeMs, 10).samples.empty());
        QVERIFY(store.page(9, 0, 10).samples.empty()); // unknown rank
    }

    void clockSteppedBackIsSkipped()
    {
        HistoryStore store;
        store.record(fakeSnapshot(1, 1, kT0 + 10000));
        store.record(fakeSnapshot(1, 2, kT0 + 5000));
        store.record(fakeSnapshot(1, 3, kT0));
        QCOMPARE(store.sampleCount(2), 1);
    }
};

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
