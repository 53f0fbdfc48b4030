// NodeHistory: the console's bounded per-slave history. Own send/receive rates come from
// counter deltas between heartbeats (a restart is a new start, never a negative rate), memory
// stays bounded by age and count, downsampling keeps the budget and the extremes, achieved
// shares follow tasks_done, the CSV has a row per sample, and wire garbage is survived.
#include "consolemodel/nodehistory.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using starling::cluster::ClusterSnapshot;
using starling::cluster::NodeRole;
using starling::cluster::NodeState;
using starling::cluster::NodeView;
using starling::consolemodel::Metric;
using starling::consolemodel::NodeHistory;

namespace {

// One heartbeat as a slave reports it (what the monitor repeats until the next one).
struct Beat
{
    qint64 snapshotMs = 0;
    qint64 sequence = 0;
    qint64 pid = 0;
    qint64 sampledAtMs = 0;
    qint64 tx = 0;
    qint64 rx = 0;
    double expectedTx = 0;
    double expectedRx = 0;
};

NodeView slave(int rank, qint64 sampledAtMs, qint64 sequence = 1)
{
    NodeView n;
    n.rank = rank;
    n.name = QStringLiteral("slave-%1").arg(rank);
    n.role = NodeRole::Slave;
    n.stats.sequence = sequence;
    n.stats.pid = 1000 + rank;
    n.stats.sampledAtMs = sampledAtMs;
    return n;
}

ClusterSnapshot snapshot(qint64 timeMs, std::vector<NodeView> slaves)
{
    ClusterSnapshot s;
    s.timeMs = timeMs;
    NodeView master;
    master.rank = 0;
    master.name = QStringLiteral("master");
    master.role = NodeRole::Master;
    master.stats.sequence = 1;
    master.stats.processCpu = 0.9;
    s.nodes.push_back(master);
    for (NodeView &n : slaves)
        s.nodes.push_back(std::move(n));
    return s;
}

// `count` snapshots `stepMs` apart from t0 with `slaves` slaves doing `perStep[i]` tasks each.
NodeHistory feed(int count, qint64 stepMs, int slaves, qint64 maxAgeMs = 3'600'000,
                 int maxSamples = 14'400)
{
    NodeHistory history(maxAgeMs, maxSamples);
    const qint64 t0 = 1'700'000'000'000;
    for (int i = 0; i < count; ++i) {
        std::vector<NodeView> nodes;
        for (int r = 2; r < 2 + slaves; ++r) {
            NodeView n = slave(r, t0 + i * stepMs, i + 1);
            n.stats.processCpu = 0.1 * (r - 1);
            n.stats.processRssBytes = 1'000'000 * r;
            n.stats.txBytesTotal = qint64(i) * 1000 * r;
            n.stats.tasksDone = i;
            n.load = 0.5 + i % 7;
            nodes.push_back(n);
        }
        history.append(snapshot(t0 + i * stepMs, nodes));
    }
    return history;
}

} // namespace

Q_DECLARE_METATYPE(QList<Beat>)

class TestNodeHistory final : public QObject
{
    Q_OBJECT

private slots:
    void ratesFromCounterDeltas_data();
    void ratesFromCounterDeltas();
    void boundedByAge();
    void boundedByCount();
    void departedSlaveAgesOut();
    void downsampling_data();
    void downsampling();
    void downsamplingEmptyAndOutside();
    void achievedShare();
    void achievedShareAcrossRestart();
    void csv();
    void garbage();
    void clear();
    void prefillAnHourBeforeLive();
    void prefillKeepsAchievedShare();
    void prefillBounded();
    void prefillRejectsGarbage_data();
    void prefillRejectsGarbage();
};

void TestNodeHistory::ratesFromCounterDeltas_data()
{
    QTest::addColumn<QList<Beat>>("beats");
    const qint64 t = 1'700'000'000'000;
    // snapshot, seq, pid, sampled_at, tx, rx, expected tx/s, expected rx/s
    QTest::newRow("steady") << QList<Beat>{{t, 1, 7, t, 0, 0, 0, 0},
                                           {t + 1000, 2, 7, t + 1000, 1000, 500, 1000, 500},
                                           {t + 2000, 3, 7, t + 2000, 3000, 500, 2000, 0}};
    QTest::newRow("rate over the heartbeat gap, not the snapshot gap") << QList<Beat>{
        {t + 100, 1, 7, t, 0, 0, 0, 0}, {t + 600, 2, 7, t + 500, 1000, 2000, 2000, 4000}};
    QTest::newRow("repeated heartbeat keeps its rate")
        << QList<Beat>{{t, 1, 7, t, 0, 0, 0, 0},
                       {t + 250, 2, 7, t + 250, 500, 0, 2000, 0},
                       {t + 500, 2, 7, t + 250, 500, 0, 2000, 0},
                       {t + 750, 2, 7, t + 250, 500, 0, 2000, 0},
                       {t + 1000, 3, 7, t + 1000, 500, 750, 0, 1000}};
    QTest::newRow("counter down: restart, no negative rate")
        << QList<Beat>{{t, 10, 7, t, 0, 0, 0, 0},
                       {t + 1000, 11, 7, t + 1000, 5000, 5000, 5000, 5000},
                       {t + 2000, 1, 8, t + 2000, 100, 100, 0, 0},
                       {t + 3000, 2, 8, t + 3000, 1100, 300, 1000, 200}};
    QTest::newRow("new pid with higher counters is a restart too")
        << QList<Beat>{{t, 1, 7, t, 0, 0, 0, 0},
                       {t + 1000, 2, 7, t + 1000, 100, 100, 100, 100},
                       {t + 2000, 3, 9, t + 2000, 90000, 90000, 0, 0}};
    QTest::newRow("never heard from, then a first heartbeat: no spike")
        << QList<Beat>{{t, 0, 0, 0, 0, 0, 0, 0},
                       {t + 500, 0, 0, 0, 0, 0, 0, 0},
                       {t + 1000, 40, 7, t + 1000, 9'000'000'000, 9'000'000, 0, 0},
                       {t + 2000, 41, 7, t + 2000, 9'000'001'000, 9'000'000, 1000, 0}};
    QTest::newRow("no sample time: snapshot time, heartbeat number tells repeats")
        << QList<Beat>{{t, 1, 7, 0, 0, 0, 0, 0},
                       {t + 500, 2, 7, 0, 500, 0, 1000, 0},
                       {t + 1000, 2, 7, 0, 500, 0, 1000, 0},
                       {t + 1500, 3, 7, 0, 1000, 0, 500, 0}};
}

void TestNodeHistory::ratesFromCounterDeltas()
{
    QFETCH(QList<Beat>, beats);
    NodeHistory history;
    for (const Beat &b : beats) {
        NodeView n = slave(2, b.sampledAtMs, b.sequence);
        n.stats.pid = b.pid;
        n.stats.txBytesTotal = b.tx;
        n.stats.rxBytesTotal = b.rx;
        // Machine-wide rates are the same for every rank on a machine: never used.
        n.stats.txBytesPerS = 123456789;
        n.stats.rxBytesPerS = 987654321;
        history.append(snapshot(b.snapshotMs, {n}));
        const auto latest = history.latest(2);
        QVERIFY(latest);
        QCOMPARE(latest->timeMs, b.snapshotMs);
        QCOMPARE(latest->txRate, b.expectedTx);
        QCOMPARE(latest->rxRate, b.expectedRx);
    }
    const QList<QPointF> tx = history.series(2, Metric::TxRate, 0, beats.last().snapshotMs, 100);
    QCOMPARE(tx.size(), beats.size());
    for (const QPointF &p : tx)
        QVERIFY(p.y() >= 0);
}

void TestNodeHistory::boundedByAge()
{
    // 100 s at 4 per second, kept for 10 s.
    const NodeHistory history = feed(400, 250, 3, 10'000);
    QCOMPARE(history.ranks(), (std::vector<int>{2, 3, 4}));
    QVERIFY(history.lastMs() - history.firstMs() <= 10'000);
    QCOMPARE(history.sampleCount(2), 41); // 10 s / 250 ms + the sample at the cutoff itself
    QCOMPARE(history.latest(4)->tasksDone, 399);
    const QList<QPointF> all = history.series(3, Metric::Cpu, 0, history.lastMs(), 1000);
    QCOMPARE(all.size(), 41);
    QCOMPARE(qint64(all.first().x()), history.firstMs());
}

void TestNodeHistory::boundedByCount()
{
    const NodeHistory history = feed(500, 250, 2, 3'600'000, 50);
    QCOMPARE(history.sampleCount(2), 50);
    QCOMPARE(history.sampleCount(3), 50);
    QCOMPARE(history.latest(2)->tasksDone, 499);
    QCOMPARE(history.lastMs() - history.firstMs(), 49 * 250);
    // 64 slaves for two hours at 4/s with the defaults: each keeps at most one hour.
    NodeHistory big;
    const qint64 t0 = 1'700'000'000'000;
    std::vector<NodeView> nodes;
    for (int r = 2; r < 66; ++r)
        nodes.push_back(slave(r, t0));
    for (int i = 0; i < 2 * 14'400; ++i) {
        for (NodeView &n : nodes) {
            n.stats.sampledAtMs = t0 + i * 250;
            n.stats.sequence = i + 1;
        }
        big.append(snapshot(t0 + i * 250, nodes));
    }
    QCOMPARE(int(big.ranks().size()), 64);
    for (int r : big.ranks())
        QVERIFY(big.sampleCount(r) <= NodeHistory::kDefaultMaxSamples);
    QVERIFY(big.lastMs() - big.firstMs() <= NodeHistory::kDefaultMaxAgeMs);
}

void TestNodeHistory::departedSlaveAgesOut()
{
    NodeHistory history(5'000);
    const qint64 t0 = 1'700'000'000'000;
    history.append(snapshot(t0, {slave(2, t0), slave(3, t0)}));
    for (int i = 1; i <= 16; ++i) // 4 s: still within the 5 s kept
        history.append(snapshot(t0 + i * 250, {slave(2, t0 + i * 250, i + 1)}));
    QCOMPARE(history.ranks(), (std::vector<int>{2, 3}));
    QCOMPARE(history.sampleCount(3), 1);
    for (int i = 17; i <= 24; ++i)
        history.append(snapshot(t0 + i * 250, {slave(2, t0 + i * 250, i + 1)}));
    QCOMPARE(history.ranks(), (std::vector<int>{2}));
    QVERIFY(!history.latest(3));
    QCOMPARE(history.name(3), QString());
}

void TestNodeHistory::downsampling_data()
{
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("maxPoints");
    QTest::newRow("under budget: every sample") << 50 << 100;
    QTest::newRow("exactly the budget") << 100 << 100;
    QTest::newRow("hour at 4/s into 600") << 14'400 << 600;
    QTest::newRow("odd budget") << 1000 << 77;
    QTest::newRow("two points") << 1000 << 2;
    QTest::newRow("one point") << 1000 << 1;
}

void TestNodeHistory::downsampling()
{
    QFETCH(int, samples);
    QFETCH(int, maxPoints);
    NodeHistory history;
    const qint64 t0 = 1'700'000'000'000;
    QRandomGenerator rng{42};
    double lowest = 1e9;
    double highest = -1;
    for (int i = 0; i < samples; ++i) {
        NodeView n = slave(2, t0 + i * 250, i + 1);
        double load = 1.0 + rng.bounded(1.0);
        if (i == samples / 3)
            load = 50; // one spike
        if (i == samples / 2)
            load = 0.25; // one dip
        n.load = load;
        lowest = std::min(lowest, double(float(load)));
        highest = std::max(highest, double(float(load)));
        history.append(snapshot(t0 + i * 250, {n}));
    }
    const qint64 from = t0;
    const qint64 to = t0 + (samples - 1) * 250;
    const QList<QPointF> points = history.series(2, Metric::Load, from, to, maxPoints);
    QVERIFY(points.size() <= maxPoints);
    if (samples <= maxPoints) {
        QCOMPARE(points.size(), samples);
    } else {
        // Every bucket holds many samples and so gives its two extremes; with a budget of 4 or
        // more the range's own first and last samples are kept as well.
        QVERIFY2(points.size() >= maxPoints - 3, qPrintable(QString::number(points.size())));
        if (maxPoints >= 4) {
            QCOMPARE(points.first().x(), double(from));
            QCOMPARE(points.last().x(), double(to));
        }
    }
    double seenLow = 1e9;
    double seenHigh = -1;
    for (qsizetype i = 0; i < points.size(); ++i) {
        QVERIFY(points[i].x() >= double(from) && points[i].x() <= double(to));
        if (i > 0)
            QVERIFY(points[i].x() > points[i - 1].x());
        seenLow = std::min(seenLow, points[i].y());
        seenHigh = std::max(seenHigh, points[i].y());
    }
    QCOMPARE(seenHigh, highest); // the spike survives any budget
    if (maxPoints >= 2)
        QCOMPARE(seenLow, lowest);
}

void TestNodeHistory::downsamplingEmptyAndOutside()
{
    const NodeHistory history = feed(100, 250, 2);
    const qint64 last = history.lastMs();
    QVERIFY(history.series(9, Metric::Cpu, 0, last, 100).isEmpty()); // unknown rank
    QVERIFY(history.series(2, Metric::Cpu, last + 1, last + 5000, 100).isEmpty());
    QVERIFY(history.series(2, Metric::Cpu, last, last - 1000, 100).isEmpty());
    QVERIFY(history.series(2, Metric::Cpu, 0, last, 0).isEmpty());
    // A window over the last 5 s: 21 samples, each within it.
    const QList<QPointF> tail = history.series(2, Metric::Memory, last - 5000, last, 1000);
    QCOMPARE(tail.size(), 21);
    QCOMPARE(tail.first().x(), double(last - 5000));
    QCOMPARE(tail.first().y(), 2'000'000.0);
    const QList<QPointF> cpu = history.series(3, Metric::Cpu, 0, last, 1000);
    QCOMPARE(cpu.size(), 100);
    QCOMPARE(cpu.first().y(), double(0.2f));
}

void TestNodeHistory::achievedShare()
{
    NodeHistory history;
    const qint64 t0 = 1'700'000'000'000;
    // slave-2 does 1 task per step, slave-3 2, slave-4 1; slave-5 nothing.
    for (int i = 0; i <= 40; ++i) {
        std::vector<NodeView> nodes;
        for (int r : {2, 3, 4, 5}) {
            NodeView n = slave(r, t0 + i * 250, i + 1);
            n.stats.tasksDone = 100 + (r == 3 ? 2 * i : r == 5 ? 0 : i);
            nodes.push_back(n);
        }
        history.append(snapshot(t0 + i * 250, nodes));
    }
    QCOMPARE(history.achievedShare(2, t0), 0.25);
    QCOMPARE(history.achievedShare(3, t0), 0.5);
    QCOMPARE(history.achievedShare(4, t0), 0.25);
    QCOMPARE(history.achievedShare(5, t0), 0.0);
    QCOMPARE(history.achievedShare(42, t0), 0.0);
    double sum = 0;
    for (int r : history.ranks())
        sum += history.achievedShare(r, t0 + 5000);
    QCOMPARE(sum, 1.0);
    // The window starts half-way: 20 steps of tasks remain for each slave.
    QCOMPARE(history.tasksDoneSince(3, t0 + 5000), 40);
    QCOMPARE(history.tasksDoneSince(2, t0 + 5100), 20); // from the sample at or before
    QCOMPARE(history.tasksDoneSince(2, 0), 40);         // before the history: all of it
    QCOMPARE(history.tasksDoneSince(2, t0 + 10'000), 0);

    // Nothing done anywhere: no shares.
    const NodeHistory busy = feed(10, 250, 2);
    NodeHistory none;
    none.append(snapshot(t0, {slave(2, t0), slave(3, t0)}));
    none.append(snapshot(t0 + 250, {slave(2, t0 + 250, 2), slave(3, t0 + 250, 2)}));
    QCOMPARE(none.achievedShare(2, 0), 0.0);
    QCOMPARE(none.achievedShare(3, 0), 0.0);
    QCOMPARE(busy.achievedShare(2, 0), 0.5);
}

void TestNodeHistory::achievedShareAcrossRestart()
{
    NodeHistory history;
    const qint64 t0 = 1'700'000'000'000;
    const auto step = [&](int i, qint64 done2, qint64 pid2, qint64 done3) {
        NodeView a = slave(2, t0 + i * 250, i + 1);
        a.stats.pid = pid2;
        a.stats.tasksDone = done2;
        NodeView b = slave(3, t0 + i * 250, i + 1);
        b.stats.tasksDone = done3;
        history.append(snapshot(t0 + i * 250, {a, b}));
    };
    step(0, 50, 7, 0);
    step(1, 60, 7, 10); // +10, +10
    step(2, 3, 8, 20);  // restarted: +3, +10
    step(3, 10, 8, 27); // +7, +7
    QCOMPARE(history.tasksDoneSince(2, 0), 20);
    QCOMPARE(history.tasksDoneSince(3, 0), 27);
    QCOMPARE(history.achievedShare(2, 0), 20.0 / 47.0);
}

void TestNodeHistory::csv()
{
    NodeHistory history = feed(10, 250, 3);
    const qint64 t = history.lastMs() + 250;
    NodeView odd = slave(7, t, 1);
    odd.name = QStringLiteral("slave \"seven\", far");
    odd.state = NodeState::Draining;
    history.append(snapshot(t, {odd}));

    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QVERIFY(history.writeCsv(buffer));
    const QList<QByteArray> lines = buffer.data().split('\n');
    QCOMPARE(lines.first(),
             QByteArray("time_ms,node,cpu,rss_bytes,tx_Bps,rx_Bps,load,assigned,tasks_done,state"));
    QCOMPARE(lines.last(), QByteArray()); // ends with a newline
    QCOMPARE(lines.size(), 1 + 30 + 1 + 1);
    QCOMPARE(lines[1].split(',').size(), 10);
    QVERIFY(lines[1].contains(",slave-2,"));
    QVERIFY(lines[2].contains(",slave-3,")); // same time: by rank
    QVERIFY(lines[1].endsWith(",ACTIVE"));
    QVERIFY(lines[31].mid(lines[31].indexOf(',') + 1).startsWith("\"slave \"\"seven\"\", far\","));
    QVERIFY(lines[31].endsWith(",DRAINING"));
    qint64 previous = 0;
    for (int i = 1; i < lines.size() - 1; ++i) {
        const qint64 time = lines[i].left(lines[i].indexOf(',')).toLongLong();
        QVERIFY(time >= previous);
        previous = time;
    }
    // Second row of slave-2: 2000 bytes in 250 ms.
    QCOMPARE(lines[4].split(',').at(4), QByteArray("8000.0"));

    QBuffer closed;
    QVERIFY(!history.writeCsv(closed));
    NodeHistory empty;
    QBuffer header;
    QVERIFY(header.open(QIODevice::WriteOnly));
    QVERIFY(empty.writeCsv(header));
    QCOMPARE(header.data().count('\n'), 1);
}

void TestNodeHistory::garbage()
{
    NodeHistory history;
    const qint64 t0 = 1'700'000'000'000;
    history.append(snapshot(0, {slave(2, 0)})); // no time: ignored
    QVERIFY(history.ranks().empty());
    QCOMPARE(history.firstMs(), 0);
    QCOMPARE(history.lastMs(), 0);

    NodeView zeros; // everything default: a slave never heard from, no name
    zeros.rank = 3;
    NodeView bad = slave(2, t0);
    bad.stats.processCpu = std::numeric_limits<double>::quiet_NaN();
    bad.stats.processRssBytes = -5;
    bad.stats.txBytesTotal = -100;
    bad.load = std::numeric_limits<double>::infinity();
    bad.assigned = -3;
    history.append(snapshot(t0, {bad, zeros}));
    QCOMPARE(history.ranks(), (std::vector<int>{2, 3})); // master not recorded
    QCOMPARE(history.name(3), QStringLiteral("slave-3"));
    const auto b = history.latest(2);
    QVERIFY(b);
    QCOMPARE(b->cpu, 0.0);
    QCOMPARE(b->rssBytes, 0);
    QCOMPARE(b->load, 0.0);
    QCOMPARE(b->assigned, 0);
    QCOMPARE(b->txRate, 0.0);
    const auto z = history.latest(3);
    QVERIFY(z);
    QCOMPARE(z->tasksDone, 0);
    QCOMPARE(z->txRate, 0.0);

    // Older or repeated snapshots are not recorded twice.
    history.append(snapshot(t0, {bad, zeros}));
    history.append(snapshot(t0 - 1000, {bad, zeros}));
    QCOMPARE(history.sampleCount(2), 1);

    // A slave the detector marks DOWN repeats its last heartbeat: no traffic is claimed.
    NodeView up = slave(2, t0 + 1000, 2);
    up.stats.txBytesTotal = 1000;
    history.append(snapshot(t0 + 1000, {up}));
    QCOMPARE(history.latest(2)->txRate, 1000.0);
    up.state = NodeState::Down;
    history.append(snapshot(t0 + 1500, {up}));
    QCOMPARE(history.latest(2)->txRate, 0.0);
    QVERIFY(history.latest(2)->state == NodeState::Down);
}

void TestNodeHistory::clear()
{
    NodeHistory history = feed(20, 250, 4);
    QCOMPARE(int(history.ranks().size()), 4);
    history.clear();
    QVERIFY(history.ranks().empty());
    QCOMPARE(history.lastMs(), 0);
    QCOMPARE(history.firstMs(), 0);
    // After a clear, older snapshots are welcome again (a new cluster, a new clock).
    history.append(snapshot(1000, {slave(2, 1000)}));
    QCOMPARE(history.sampleCount(2), 1);
}

namespace {

// What the monitor sends: one sample a second for `count` seconds ending at endMs, slave doing
// `perSample` tasks a sample from `doneAtStart`.
std::vector<NodeHistory::Sample> monitorHistory(qint64 endMs, int count, qint64 doneAtStart = 0,
                                                qint64 perSample = 1)
{
    std::vector<NodeHistory::Sample> out;
    for (int k = 0; k < count; ++k) {
        NodeHistory::Sample s;
        s.timeMs = endMs - qint64(count - 1 - k) * 1000;
        s.cpu = 0.25;
        s.rssBytes = 7'000'000;
        s.txRate = 1000;
        s.load = 1.5;
        s.tasksDone = doneAtStart + perSample * k;
        out.push_back(s);
    }
    return out;
}

} // namespace

void TestNodeHistory::prefillAnHourBeforeLive()
{
    // Live: 10 s at 4 Hz from t0.
    NodeHistory history = feed(40, 250, 2);
    const qint64 t0 = 1'700'000'000'000;
    const qint64 live = history.lastMs();
    // The monitor's hour ends at the newest snapshot, overlapping the live part.
    const auto hour = monitorHistory(live, 3601);
    const auto merged = history.prefill(2, QStringLiteral("slave-2"), hour);
    QVERIFY2(merged, qPrintable(merged.error()));
    // Only what is older than the live samples: the hour minus the live 10 s.
    QCOMPARE(*merged, 3601 - 10);
    QCOMPARE(history.sampleCount(2), 40 + 3591);
    QCOMPARE(history.firstMs(), live - 3'600'000);
    QCOMPARE(history.lastMs(), live);
    // The chart sees the hour, then the live samples.
    const QList<QPointF> cpu = history.series(2, Metric::Cpu, live - 3'600'000, live, 100000);
    QCOMPARE(cpu.first().x(), double(live - 3'600'000));
    QCOMPARE(cpu.first().y(), 0.25);
    QCOMPARE(cpu.last().x(), double(live));
    for (qsizetype i = 1; i < cpu.size(); ++i)
        QVERIFY(cpu[i].x() > cpu[i - 1].x());
    QCOMPARE(history.series(2, Metric::Cpu, t0, live, 100000).first().y(), double(0.1f));
    // A second prefill (a reconnect) adds nothing already held.
    QCOMPARE(*history.prefill(2, QStringLiteral("slave-2"), hour), 0);
    // A slave only the monitor remembers gets its own track.
    QCOMPARE(*history.prefill(9, QStringLiteral("slave-9"), monitorHistory(live, 60)), 60);
    QCOMPARE(history.name(9), QStringLiteral("slave-9"));
    QCOMPARE(history.lastMs(), live);
}

void TestNodeHistory::prefillKeepsAchievedShare()
{
    NodeHistory history;
    const qint64 t0 = 1'700'000'000'000;
    // Live: slave-2 does 1 task a snapshot, slave-3 3, over 20 snapshots.
    for (int i = 0; i < 20; ++i) {
        std::vector<NodeView> nodes;
        for (int r : {2, 3}) {
            NodeView n = slave(r, t0 + i * 250, i + 1);
            n.stats.tasksDone = 5000 + (r == 2 ? i : 3 * i);
            nodes.push_back(n);
        }
        history.append(snapshot(t0 + i * 250, nodes));
    }
    // The hour before: slave-2 did 1 task a second, slave-3 3, ending just before the live
    // samples with the counts the live ones continue (slave-3 restarted half-way).
    auto two = monitorHistory(t0 - 1000, 600, 5000 - 600, 1);
    auto three = monitorHistory(t0 - 1000, 600, 0, 3);
    for (size_t k = 300; k < three.size(); ++k)
        three[k].tasksDone = 3 * qint64(k - 300); // a new process counts from zero
    three.back().tasksDone = 5000 - 3;            // then the live count continues from here
    QVERIFY(history.prefill(2, QStringLiteral("slave-2"), two));
    QVERIFY(history.prefill(3, QStringLiteral("slave-3"), three));
    const qint64 start = t0 - 600'000;
    QCOMPARE(history.tasksDoneSince(2, start), 600 + 19);
    // slave-3: 299 steps of 3, a restart that counts its 0, 298 steps of 3, then the jump to
    // 4997 (taken as progress), 3 to the live 5000, 19 live steps of 3.
    const qint64 expected3 = 299 * 3 + 0 + 298 * 3 + (4997 - 3 * 298) + 3 + 19 * 3;
    QCOMPARE(history.tasksDoneSince(3, start), expected3);
    QCOMPARE(history.achievedShare(2, start), double(619) / double(619 + expected3));
    // Within the live part, the shares are as before the prefill.
    QCOMPARE(history.achievedShare(2, t0), 0.25);
}

void TestNodeHistory::prefillBounded()
{
    NodeHistory history(600'000, 100); // ten minutes, 100 samples
    history.append(snapshot(1'700'000'000'000, {slave(2, 1'700'000'000'000)}));
    const auto merged = history.prefill(2, {}, monitorHistory(1'700'000'000'000 - 1000, 3600));
    QVERIFY(merged);
    QCOMPARE(*merged, 99);
    QCOMPARE(history.sampleCount(2), 100);
    QCOMPARE(history.name(2), QStringLiteral("slave-2"));
    NodeHistory young(60'000, 14'400); // a minute: older samples are not merged
    young.append(snapshot(1'700'000'000'000, {slave(2, 1'700'000'000'000)}));
    QCOMPARE(*young.prefill(2, {}, monitorHistory(1'700'000'000'000 - 1000, 3600)), 60);
}

void TestNodeHistory::prefillRejectsGarbage_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("expected");
    QTest::newRow("time going back") << 0 << "sample 5: time";
    QTest::newRow("NaN cpu") << 1 << "sample 5: cpu";
    QTest::newRow("infinite rate") << 2 << "sample 5: rate";
    QTest::newRow("negative load") << 3 << "sample 5: load";
    QTest::newRow("negative tasks") << 4 << "sample 5: tasks";
    QTest::newRow("unknown state") << 5 << "sample 5: unknown state";
}

void TestNodeHistory::prefillRejectsGarbage()
{
    QFETCH(int, field);
    QFETCH(QString, expected);
    NodeHistory history = feed(4, 250, 1);
    auto samples = monitorHistory(1'700'000'000'000 - 1000, 10);
    NodeHistory::Sample &s = samples[5];
    switch (field) {
    case 0:
        s.timeMs = samples[4].timeMs;
        break;
    case 1:
        s.cpu = std::numeric_limits<double>::quiet_NaN();
        break;
    case 2:
        s.rxRate = std::numeric_limits<double>::infinity();
        break;
    case 3:
        s.load = -1;
        break;
    case 4:
        s.tasksDone = -3;
        break;
    default:
        s.state = NodeState(17);
        break;
    }
    const auto merged = history.prefill(2, QStringLiteral("slave-2"), samples);
    QVERIFY(!merged);
    QVERIFY2(merged.error().startsWith(QStringLiteral("history of slave-2 rejected: ") + expected),
             qPrintable(merged.error()));
    QCOMPARE(history.sampleCount(2), 4); // nothing merged
}

QTEST_MAIN(TestNodeHistory)
#include "tst_nodehistory.moc"
