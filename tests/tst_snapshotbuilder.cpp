// SnapshotBuilder and ClusterSnapshot: the monitor's merged picture of the cluster (the master's
// table, the slaves' heartbeats, the detector's verdicts, load and rank) and its JSON form.
#include "cluster/adminstatetable.h"
#include "cluster/clustersnapshot.h"
#include "cluster/snapshotbuilder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>
#include <set>

using namespace starling;
using namespace starling::cluster;

Q_DECLARE_METATYPE(starling::cluster::NodeState)
Q_DECLARE_METATYPE(starling::cluster::Liveness)

// The cluster enums are compared by name: QCOMPARE would pick their QString toString() by
// argument-dependent lookup and fail to compile, and the names read better in a failure.

namespace {

starling::protocol::RankHello helloFrom(const QString &host)
{
    starling::protocol::RankHello hello;
    hello.host = host;
    return hello;
}

constexpr int kWorld = 6; // master, monitor, slave-2 .. slave-5
constexpr qint64 kSuspect = 3000;
constexpr qint64 kDown = 8000;

OperatorCommand command(const QByteArray &json)
{
    const auto c =
        OperatorCommand::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("alice"));
    if (!c)
        qFatal("bad test command %s: %s", json.constData(), qPrintable(c.error()));
    return *c;
}

FailureDetector watchingAll(std::int64_t nowMs)
{
    FailureDetector detector(kSuspect, kDown);
    for (int rank = 2; rank < kWorld; ++rank)
        detector.watch(rank, nowMs);
    return detector;
}

NodeStats stats(double pendingWorkS)
{
    NodeStats s;
    s.pendingWorkS = pendingWorkS;
    return s;
}

// The documented formula (core/README.md, sched/loadmodel.h) with the default LoadTerms.
double expectedLoad(double weight, double pending, double cpu, double networkUtilisation,
                    int connections, int queue)
{
    const double clampedCpu = std::clamp(cpu, 0.0, 1.0);
    const double clampedNet = std::clamp(networkUtilisation, 0.0, 1.0);
    return (pending + 1.0 * clampedCpu + 1.0 * clampedNet + 0.02 * connections + 0.01 * queue) /
           weight;
}

NodeStats fullStats(int seed)
{
    NodeStats s;
    s.sequence = 100 + seed;
    s.epoch = 3;
    s.sampledAtMs = 1700000000000 + seed;
    s.pid = 4242 + seed;
    s.nodeCpu = 0.375;
    s.processCpu = 0.125;
    s.nodeMemUsedBytes = 3'000'000'000 + seed;
    s.nodeMemTotalBytes = 8'000'000'000;
    s.processRssBytes = 50'000'000;
    s.txBytesPerS = 1.5e6;
    s.rxBytesPerS = 2.5e5;
    s.txBytesTotal = 123'456'789;
    s.rxBytesTotal = 987'654;
    s.connections = 4;
    s.queueLength = 7;
    s.inFlight = 2;
    s.tasksDone = 55;
    s.pendingWorkS = 3.25;
    s.unitComputeS = 0.0125;
    s.bandwidthMBps = 95.5;
    return s;
}

void compareStats(const NodeStats &a, const NodeStats &b)
{
    QCOMPARE(a.sequence, b.sequence);
    QCOMPARE(a.epoch, b.epoch);
    QCOMPARE(a.sampledAtMs, b.sampledAtMs);
    QCOMPARE(a.pid, b.pid);
    QCOMPARE(a.nodeCpu, b.nodeCpu);
    QCOMPARE(a.processCpu, b.processCpu);
    QCOMPARE(a.nodeMemUsedBytes, b.nodeMemUsedBytes);
    QCOMPARE(a.nodeMemTotalBytes, b.nodeMemTotalBytes);
    QCOMPARE(a.processRssBytes, b.processRssBytes);
    QCOMPARE(a.txBytesPerS, b.txBytesPerS);
    QCOMPARE(a.rxBytesPerS, b.rxBytesPerS);
    QCOMPARE(a.txBytesTotal, b.txBytesTotal);
    QCOMPARE(a.rxBytesTotal, b.rxBytesTotal);
    QCOMPARE(a.connections, b.connections);
    QCOMPARE(a.queueLength, b.queueLength);
    QCOMPARE(a.inFlight, b.inFlight);
    QCOMPARE(a.tasksDone, b.tasksDone);
    QCOMPARE(a.pendingWorkS, b.pendingWorkS);
    QCOMPARE(a.unitComputeS, b.unitComputeS);
    QCOMPARE(a.bandwidthMBps, b.bandwidthMBps);
}

void compareNodes(const NodeView &a, const NodeView &b)
{
    QCOMPARE(a.rank, b.rank);
    QCOMPARE(a.name, b.name);
    QCOMPARE(toString(a.role), toString(b.role));
    QCOMPARE(a.host, b.host);
    QCOMPARE(toString(a.state), toString(b.state));
    QCOMPARE(a.weight, b.weight);
    QCOMPARE(a.epoch, b.epoch);
    compareStats(a.stats, b.stats);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(a.load, b.load);
    QCOMPARE(a.loadRank, b.loadRank);
    QCOMPARE(a.heartbeatAgeMs, b.heartbeatAgeMs);
    QCOMPARE(a.assigned, b.assigned);
    QCOMPARE(a.drainEtaS, b.drainEtaS);
    QCOMPARE(a.emulation.emulated, b.emulation.emulated);
    QCOMPARE(a.emulation.cpuFactor, b.emulation.cpuFactor);
    QCOMPARE(a.emulation.linkMBps, b.emulation.linkMBps);
    QCOMPARE(a.stateReason, b.stateReason);
    QCOMPARE(a.stateBy, b.stateBy);
    QCOMPARE(a.stateSinceMs, b.stateSinceMs);
}

void compareSnapshots(const ClusterSnapshot &a, const ClusterSnapshot &b)
{
    QCOMPARE(a.sequence, b.sequence);
    QCOMPARE(a.timeMs, b.timeMs);
    QCOMPARE(a.strategy, b.strategy);
    QCOMPARE(a.w1, b.w1);
    QCOMPARE(a.w2, b.w2);
    QCOMPARE(a.tasksQueuedAtMaster, b.tasksQueuedAtMaster);
    QCOMPARE(a.jobs, b.jobs);
    QCOMPARE(a.nodes.size(), b.nodes.size());
    for (size_t i = 0; i < a.nodes.size(); ++i) {
        compareNodes(a.nodes[i], b.nodes[i]);
        if (QTest::currentTestFailed()) {
            qWarning("node %zu differs", i);
            return;
        }
    }
}

} // namespace

class TestSnapshotBuilder : public QObject
{
    Q_OBJECT

private slots:
    void freshWorld();
    void hellosSetHosts();
    void tableSetsWeightsStatesAndPolicy();
    void samplesFeedStatsAndBoundedHistory();
    void heartbeatAge();
    void detectorOverridesAdminState_data();
    void detectorOverridesAdminState();
    void drainEta();
    void loadFollowsRealLoad_data();
    void loadFollowsRealLoad();
    void loadUsesTheGivenTerms();
    void loadRankAndRanking();
    void onlyActiveSlavesAreRanked();
    void tiesRankedBySeed();
    void sequenceIncrements();
    void snapshotLookups();
    void snapshotJsonRoundTrip();
    void nodeViewJsonRoundTrip_data();
    void nodeViewJsonRoundTrip();
    void fromJsonDefaults();
};

void TestSnapshotBuilder::freshWorld()
{
    SnapshotBuilder builder(kWorld, 10);
    QCOMPARE(builder.worldSize(), kWorld);
    const FailureDetector detector(kSuspect, kDown);
    const ClusterSnapshot snapshot = builder.build(1000, 50, detector);
    QCOMPARE(snapshot.nodes.size(), size_t(kWorld));
    QCOMPARE(snapshot.strategy, QStringLiteral("pdds"));
    QCOMPARE(snapshot.w1, 1.5);
    QCOMPARE(snapshot.w2, 0.8);
    QCOMPARE(snapshot.tasksQueuedAtMaster, std::int64_t(0));
    const QStringList names{QStringLiteral("master"),  QStringLiteral("monitor"),
                            QStringLiteral("slave-2"), QStringLiteral("slave-3"),
                            QStringLiteral("slave-4"), QStringLiteral("slave-5")};
    for (int rank = 0; rank < kWorld; ++rank) {
        const NodeView &node = snapshot.nodes[size_t(rank)];
        QCOMPARE(node.rank, rank);
        QCOMPARE(node.name, names[rank]);
        QCOMPARE(toString(node.role), toString(roleForRank(rank)));
        QCOMPARE(toString(node.state), toString(NodeState::Active));
        QCOMPARE(node.weight, 1.0);
        QCOMPARE(node.heartbeatAgeMs, std::int64_t(-1));
        QCOMPARE(node.drainEtaS, -1.0);
        QVERIFY(!node.emulation.emulated);
        QVERIFY(node.host.isEmpty());
    }
    QCOMPARE(snapshot.nodes[0].loadRank, -1);
    QCOMPARE(snapshot.nodes[1].loadRank, -1);
    // Four idle slaves, all tied: ranks 0..3 in some order.
    std::set<int> ranks;
    for (int rank = 2; rank < kWorld; ++rank)
        ranks.insert(snapshot.nodes[size_t(rank)].loadRank);
    QCOMPARE(ranks, (std::set<int>{0, 1, 2, 3}));
}

void TestSnapshotBuilder::hellosSetHosts()
{
    SnapshotBuilder builder(kWorld, 4);
    QVERIFY(!builder.hasHello(2));
    starling::protocol::RankHello hello;
    hello.rank = 2;
    hello.host = QStringLiteral("node-a.example");
    hello.pid = 1234;
    builder.setHello(2, hello);
    builder.setHello(0, helloFrom(QStringLiteral("head")));
    builder.setHello(4, helloFrom(QStringLiteral("node-b")));
    QVERIFY(builder.hasHello(2));
    QVERIFY(!builder.hasHello(3));
    QCOMPARE(builder.hello(2).toJson(), hello.toJson());
    // A later hello (a restarted process) replaces the earlier one.
    builder.setHello(4, helloFrom(QStringLiteral("node-c")));

    const ClusterSnapshot snapshot = builder.build(0, 0, FailureDetector(kSuspect, kDown));
    QCOMPARE(snapshot.nodes[0].host, QStringLiteral("head"));
    QCOMPARE(snapshot.nodes[1].host, QString());
    QCOMPARE(snapshot.nodes[2].host, QStringLiteral("node-a.example"));
    QCOMPARE(snapshot.nodes[3].host, QString());
    QCOMPARE(snapshot.nodes[4].host, QStringLiteral("node-c"));
}

void TestSnapshotBuilder::tableSetsWeightsStatesAndPolicy()
{
    AdminStateTable table(kWorld);
    QVERIFY(table.apply(command(R"({"op":"weight","node":"slave-3","value":2.5})"), 10));
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-4","reason":"disk"})"), 20));
    table.setAssigned(5, 3, 25);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-5","reason":"swap"})"), 30));
    QVERIFY(table.apply(command(R"({"op":"strategy","name":"optimal","w1":2,"w2":0.25})"), 40));
    table.setLiveness(2, Liveness::Down, 50); // epoch 1 at the master
    table.setLiveness(2, Liveness::Alive, 60);
    QJsonObject json = table.toJson();
    json.insert(QLatin1String("queued_at_master"), 17);
    const protocol::AdminStateMessage::Jobs jobs{2, 1, 16, 9, 3}; // issue 17, for /metrics
    json.insert(QLatin1String("jobs"), jobs.toJson());

    SnapshotBuilder builder(kWorld, 4);
    QVERIFY(!builder.hasAdminState()); // the monitor publishes nothing until the table is in
    builder.setAdminState(json);
    QVERIFY(builder.hasAdminState());
    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    QCOMPARE(snapshot.strategy, QStringLiteral("optimal"));
    QCOMPARE(snapshot.w1, 2.0);
    QCOMPARE(snapshot.w2, 0.25);
    QCOMPARE(snapshot.tasksQueuedAtMaster, std::int64_t(17));
    QCOMPARE(snapshot.jobs, jobs);
    QCOMPARE(ClusterSnapshot::fromJson(snapshot.toJson()).jobs, jobs); // and on the bridge

    const NodeView &s2 = snapshot.nodes[2];
    QCOMPARE(toString(s2.state), toString(NodeState::Active));
    QCOMPARE(s2.epoch, std::int64_t(1));
    const NodeView &s3 = snapshot.nodes[3];
    QCOMPARE(s3.weight, 2.5);
    QCOMPARE(toString(s3.state), toString(NodeState::Active));
    const NodeView &s4 = snapshot.nodes[4];
    QCOMPARE(toString(s4.state), toString(NodeState::Drained));
    QCOMPARE(s4.stateBy, QStringLiteral("alice"));
    QCOMPARE(s4.stateReason, QStringLiteral("disk"));
    QCOMPARE(s4.stateSinceMs, std::int64_t(20));
    const NodeView &s5 = snapshot.nodes[5];
    QCOMPARE(toString(s5.state), toString(NodeState::Draining));
    QCOMPARE(s5.assigned, 3);
    QCOMPARE(s5.stateReason, QStringLiteral("swap"));

    // Entries for ranks outside the world are ignored; a later table replaces the earlier one.
    QVERIFY(table.apply(command(R"({"op":"resume","node":"slave-4"})"), 70));
    QJsonObject next = table.toJson();
    QJsonArray nodes = next.value(QLatin1String("nodes")).toArray();
    nodes.append(QJsonObject{{QStringLiteral("rank"), 9}, {QStringLiteral("weight"), 7}});
    nodes.append(QJsonObject{{QStringLiteral("rank"), -1}, {QStringLiteral("weight"), 7}});
    nodes.append(QJsonObject{{QStringLiteral("weight"), 7}});
    next.insert(QLatin1String("nodes"), nodes);
    builder.setAdminState(next);
    const ClusterSnapshot later = builder.build(0, 0, watchingAll(0));
    QCOMPARE(later.nodes.size(), size_t(kWorld));
    QCOMPARE(toString(later.nodes[4].state), toString(NodeState::Active));
    for (const NodeView &node : later.nodes)
        QVERIFY(node.weight != 7.0);
    QCOMPARE(later.tasksQueuedAtMaster, std::int64_t(0)); // not in the new table
    QCOMPARE(later.jobs, protocol::AdminStateMessage::Jobs{});
}

void TestSnapshotBuilder::samplesFeedStatsAndBoundedHistory()
{
    SnapshotBuilder builder(kWorld, 3);
    for (int seq = 1; seq <= 5; ++seq) {
        NodeStats s = stats(seq * 0.5);
        s.sequence = seq;
        s.connections = seq;
        builder.addSample(3, s, seq * 1000);
    }
    QCOMPARE(builder.history(3).size(), size_t(3));
    QCOMPARE(builder.history(3).front().sequence, std::int64_t(3));
    QCOMPARE(builder.history(3).back().sequence, std::int64_t(5));
    QVERIFY(builder.history(2).empty());

    const ClusterSnapshot snapshot = builder.build(0, 5000, watchingAll(5000));
    QCOMPARE(snapshot.nodes[3].stats.sequence, std::int64_t(5));
    QCOMPARE(snapshot.nodes[3].stats.pendingWorkS, 2.5);
    QCOMPARE(snapshot.nodes[3].stats.connections, 5);
    QCOMPARE(snapshot.nodes[2].stats.sequence, std::int64_t(0));

    // A history length of 0 still keeps the latest sample.
    SnapshotBuilder tiny(kWorld, 0);
    tiny.addSample(2, stats(1), 1);
    tiny.addSample(2, stats(2), 2);
    QCOMPARE(tiny.history(2).size(), size_t(1));
    QCOMPARE(tiny.history(2).front().pendingWorkS, 2.0);
}

void TestSnapshotBuilder::heartbeatAge()
{
    SnapshotBuilder builder(kWorld, 4);
    builder.addSample(2, stats(0), 10000);
    builder.addSample(3, stats(0), 9000);
    builder.addSample(3, stats(0), 10400);
    const ClusterSnapshot snapshot = builder.build(0, 10750, watchingAll(10000));
    QCOMPARE(snapshot.nodes[2].heartbeatAgeMs, std::int64_t(750));
    QCOMPARE(snapshot.nodes[3].heartbeatAgeMs, std::int64_t(350));
    QCOMPARE(snapshot.nodes[4].heartbeatAgeMs, std::int64_t(-1));
    QCOMPARE(snapshot.nodes[0].heartbeatAgeMs, std::int64_t(-1));
    QCOMPARE(builder.build(0, 12000, watchingAll(10000)).nodes[2].heartbeatAgeMs,
             std::int64_t(2000));
}

void TestSnapshotBuilder::detectorOverridesAdminState_data()
{
    QTest::addColumn<QByteArray>("drain"); // empty: stays ACTIVE
    QTest::addColumn<qint64>("silentMs");
    QTest::addColumn<NodeState>("expected");
    QTest::newRow("ACTIVE, suspect") << QByteArray() << kSuspect + 100 << NodeState::Suspect;
    QTest::newRow("ACTIVE, down") << QByteArray() << kDown << NodeState::Down;
    QTest::newRow("DRAINED, suspect")
        << QByteArray(R"({"op":"drain","node":"slave-3","reason":"op"})") << kSuspect
        << NodeState::Suspect;
    QTest::newRow("DRAINED, down") << QByteArray(R"({"op":"drain","node":"slave-3","reason":"op"})")
                                   << kDown + 2500 << NodeState::Down;
    QTest::newRow("DRAINED, alive")
        << QByteArray(R"({"op":"drain","node":"slave-3","reason":"op"})") << kSuspect - 1
        << NodeState::Drained;
}

void TestSnapshotBuilder::detectorOverridesAdminState()
{
    QFETCH(QByteArray, drain);
    QFETCH(qint64, silentMs);
    QFETCH(NodeState, expected);

    AdminStateTable table(kWorld);
    if (!drain.isEmpty())
        QVERIFY(table.apply(command(drain), 5));
    SnapshotBuilder builder(kWorld, 4);
    builder.setAdminState(table.toJson());
    FailureDetector detector = watchingAll(1000);
    // Everyone else keeps talking.
    for (int rank : {2, 4, 5})
        detector.heartbeat(rank, 1000 + silentMs);
    detector.evaluate(1000 + silentMs);
    // The monitor builds a little later than it evaluated.
    const std::int64_t now = 1000 + silentMs + 40;
    const ClusterSnapshot snapshot = builder.build(0, now, detector);
    const NodeView &node = snapshot.nodes[3];
    QCOMPARE(toString(node.state), toString(expected));
    if (expected == NodeState::Suspect || expected == NodeState::Down) {
        QCOMPARE(node.stateBy, QStringLiteral("detector"));
        QCOMPARE(node.stateReason, QStringLiteral("no heartbeat for %1 ms").arg(silentMs + 40));
        QCOMPARE(node.loadRank, -1);
        const auto ranking = snapshot.ranking();
        QVERIFY(std::find(ranking.begin(), ranking.end(), 3) == ranking.end());
        QCOMPARE(ranking.size(), size_t(3));
    } else {
        QCOMPARE(node.stateBy, QStringLiteral("alice"));
        QCOMPARE(node.stateReason, QStringLiteral("op"));
    }
    for (int rank : {2, 4, 5})
        QCOMPARE(toString(snapshot.nodes[size_t(rank)].state), toString(NodeState::Active));
}

void TestSnapshotBuilder::drainEta()
{
    AdminStateTable table(kWorld);
    table.setAssigned(2, 4, 0);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-2"})"), 1));
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-3"})"), 1)); // idle: DRAINED
    SnapshotBuilder builder(kWorld, 4);
    builder.setAdminState(table.toJson());
    for (int rank = 2; rank < kWorld; ++rank)
        builder.addSample(rank, stats(10.0 + rank + 0.5), 0);

    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    QCOMPARE(toString(snapshot.nodes[2].state), toString(NodeState::Draining));
    QCOMPARE(snapshot.nodes[2].drainEtaS, 12.5);
    QCOMPARE(toString(snapshot.nodes[3].state), toString(NodeState::Drained));
    QCOMPARE(snapshot.nodes[3].drainEtaS, -1.0);
    QCOMPARE(snapshot.nodes[4].drainEtaS, -1.0);
    QCOMPARE(snapshot.nodes[5].drainEtaS, -1.0);

    // A DRAINING node the detector holds SUSPECT shows no ETA.
    FailureDetector detector = watchingAll(0);
    for (int rank : {3, 4, 5})
        detector.heartbeat(rank, kSuspect);
    detector.evaluate(kSuspect);
    const ClusterSnapshot suspect = builder.build(0, kSuspect, detector);
    QCOMPARE(toString(suspect.nodes[2].state), toString(NodeState::Suspect));
    QCOMPARE(suspect.nodes[2].drainEtaS, -1.0);
}

void TestSnapshotBuilder::loadFollowsRealLoad_data()
{
    QTest::addColumn<double>("weight");
    QTest::addColumn<double>("pending");
    QTest::addColumn<double>("cpu");
    QTest::addColumn<double>("txBytesPerS");
    QTest::addColumn<double>("linkMBps"); // 0: not emulated
    QTest::addColumn<int>("connections");
    QTest::addColumn<int>("queue");
    QTest::addColumn<double>("networkUtilisation"); // what the builder should derive

    QTest::newRow("idle") << 1.0 << 0.0 << 0.0 << 0.0 << 0.0 << 0 << 0 << 0.0;
    QTest::newRow("pending only") << 1.0 << 4.5 << 0.0 << 0.0 << 0.0 << 0 << 0 << 0.0;
    QTest::newRow("weight 2 halves it") << 2.0 << 4.5 << 0.5 << 0.0 << 0.0 << 3 << 2 << 0.0;
    QTest::newRow("cpu above 1 is clamped") << 1.0 << 1.0 << 1.7 << 0.0 << 0.0 << 0 << 0 << 0.0;
    QTest::newRow("no link emulation: tx ignored")
        << 1.0 << 0.0 << 0.25 << 9e9 << 0.0 << 0 << 0 << 0.0;
    QTest::newRow("half the emulated link") << 1.0 << 0.0 << 0.0 << 5e6 << 10.0 << 0 << 0 << 0.5;
    QTest::newRow("link saturated") << 0.5 << 2.0 << 0.9 << 50e6 << 10.0 << 10 << 20 << 1.0;
    QTest::newRow("all terms") << 3.0 << 7.25 << 0.6 << 2.5e6 << 12.5 << 8 << 15 << 0.2;
}

void TestSnapshotBuilder::loadFollowsRealLoad()
{
    QFETCH(double, weight);
    QFETCH(double, pending);
    QFETCH(double, cpu);
    QFETCH(double, txBytesPerS);
    QFETCH(double, linkMBps);
    QFETCH(int, connections);
    QFETCH(int, queue);
    QFETCH(double, networkUtilisation);

    AdminStateTable table(kWorld);
    const QByteArray weightCommand = QByteArray(R"({"op":"weight","node":"slave-4","value":)") +
                                     QByteArray::number(weight) + "}";
    QVERIFY(table.apply(command(weightCommand), 0));
    SnapshotBuilder builder(kWorld, 4);
    builder.setAdminState(table.toJson());
    if (linkMBps > 0)
        builder.setEmulation(4, SlaveEmulation{true, 2.0, linkMBps});
    NodeStats s = stats(pending);
    s.nodeCpu = cpu;
    s.txBytesPerS = txBytesPerS;
    s.connections = connections;
    s.queueLength = queue;
    builder.addSample(4, s, 0);

    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    const double expected =
        expectedLoad(weight, pending, cpu, networkUtilisation, connections, queue);
    QVERIFY2(qAbs(snapshot.nodes[4].load - expected) <= 1e-12 * std::max(1.0, expected),
             qPrintable(QStringLiteral("load %1, expected %2")
                            .arg(snapshot.nodes[4].load, 0, 'g', 17)
                            .arg(expected, 0, 'g', 17)));
    QCOMPARE(snapshot.nodes[4].weight, weight);
    // Master and monitor carry no load.
    QCOMPARE(snapshot.nodes[0].load, 0.0);
    QCOMPARE(snapshot.nodes[1].load, 0.0);
}

void TestSnapshotBuilder::loadUsesTheGivenTerms()
{
    sched::LoadTerms terms;
    terms.cpuS = 10;
    terms.networkS = 0;
    terms.connectionS = 1;
    terms.queueS = 0.5;
    SnapshotBuilder builder(kWorld, 4, 1, sched::LoadModel(terms));
    NodeStats s = stats(2);
    s.nodeCpu = 0.5;
    s.connections = 3;
    s.queueLength = 4;
    builder.addSample(2, s, 0);
    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    QCOMPARE(snapshot.nodes[2].load, 2 + 10 * 0.5 + 1 * 3 + 0.5 * 4);
}

void TestSnapshotBuilder::loadRankAndRanking()
{
    SnapshotBuilder builder(kWorld, 4);
    const double pending[] = {3.0, 1.0, 2.0, 0.5}; // slave-2 .. slave-5
    for (int rank = 2; rank < kWorld; ++rank)
        builder.addSample(rank, stats(pending[rank - 2]), 0);
    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    QCOMPARE(snapshot.nodes[5].loadRank, 0);
    QCOMPARE(snapshot.nodes[3].loadRank, 1);
    QCOMPARE(snapshot.nodes[4].loadRank, 2);
    QCOMPARE(snapshot.nodes[2].loadRank, 3);
    QCOMPARE(snapshot.nodes[0].loadRank, -1);
    QCOMPARE(snapshot.nodes[1].loadRank, -1);
    QCOMPARE(snapshot.ranking(), (std::vector<int>{5, 3, 4, 2}));

    // A weight changes the order: slave-2's 3 s over weight 8 is the lightest.
    AdminStateTable table(kWorld);
    QVERIFY(table.apply(command(R"({"op":"weight","node":"slave-2","value":8})"), 0));
    builder.setAdminState(table.toJson());
    const ClusterSnapshot weighted = builder.build(0, 0, watchingAll(0));
    QCOMPARE(weighted.ranking(), (std::vector<int>{2, 5, 3, 4}));
    QCOMPARE(weighted.nodes[2].loadRank, 0);
}

void TestSnapshotBuilder::onlyActiveSlavesAreRanked()
{
    AdminStateTable table(kWorld);
    table.setAssigned(3, 1, 0);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-3"})"), 0)); // DRAINING
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-5"})"), 0)); // DRAINED
    SnapshotBuilder builder(kWorld, 4);
    builder.setAdminState(table.toJson());
    const double pending[] = {3.0, 0.1, 2.0, 0.2};
    for (int rank = 2; rank < kWorld; ++rank)
        builder.addSample(rank, stats(pending[rank - 2]), 0);

    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    QCOMPARE(snapshot.nodes[3].loadRank, -1);
    QCOMPARE(snapshot.nodes[5].loadRank, -1);
    // Their load is still computed and shown.
    QCOMPARE(snapshot.nodes[3].load, 0.1);
    QCOMPARE(snapshot.nodes[5].load, 0.2);
    QCOMPARE(snapshot.nodes[4].loadRank, 0);
    QCOMPARE(snapshot.nodes[2].loadRank, 1);
    QCOMPARE(snapshot.ranking(), (std::vector<int>{4, 2}));

    // slave-4 goes DOWN: slave-2 is alone at rank 0.
    FailureDetector detector = watchingAll(0);
    for (int rank : {2, 3, 5})
        detector.heartbeat(rank, kDown);
    detector.evaluate(kDown);
    const ClusterSnapshot down = builder.build(0, kDown, detector);
    QCOMPARE(toString(down.nodes[4].state), toString(NodeState::Down));
    QCOMPARE(down.nodes[4].loadRank, -1);
    QCOMPARE(down.ranking(), (std::vector<int>{2}));
}

void TestSnapshotBuilder::tiesRankedBySeed()
{
    // Four idle slaves: every ranking is a tie. The same seed replays the same sequence of
    // rankings; over a few builds different nodes get rank 0.
    auto rankings = [](std::uint64_t seed) {
        SnapshotBuilder builder(kWorld, 4, seed);
        const FailureDetector detector = watchingAll(0);
        std::vector<std::vector<int>> result;
        for (int i = 0; i < 24; ++i)
            result.push_back(builder.build(0, 0, detector).ranking());
        return result;
    };
    const auto a = rankings(11);
    QCOMPARE(rankings(11), a);
    std::set<int> firsts;
    for (const auto &ranking : a) {
        QCOMPARE(std::set<int>(ranking.begin(), ranking.end()), (std::set<int>{2, 3, 4, 5}));
        firsts.insert(ranking.front());
    }
    QCOMPARE(firsts, (std::set<int>{2, 3, 4, 5}));
    QVERIFY(rankings(12) != a);
}

void TestSnapshotBuilder::sequenceIncrements()
{
    SnapshotBuilder builder(kWorld, 4);
    const FailureDetector detector = watchingAll(0);
    for (std::int64_t i = 1; i <= 5; ++i) {
        const ClusterSnapshot snapshot = builder.build(1'700'000'000'000 + i, i, detector);
        QCOMPARE(snapshot.sequence, i);
        QCOMPARE(snapshot.timeMs, 1'700'000'000'000 + i);
    }
    // Each builder counts on its own.
    SnapshotBuilder other(kWorld, 4);
    QCOMPARE(other.build(0, 0, detector).sequence, std::int64_t(1));
}

void TestSnapshotBuilder::snapshotLookups()
{
    SnapshotBuilder builder(kWorld, 4);
    const double pending[] = {0.3, 0.1, 0.4, 0.2};
    for (int rank = 2; rank < kWorld; ++rank)
        builder.addSample(rank, stats(pending[rank - 2]), 0);
    const ClusterSnapshot snapshot = builder.build(0, 0, watchingAll(0));
    QVERIFY(snapshot.node(3));
    QCOMPARE(snapshot.node(3)->name, QStringLiteral("slave-3"));
    QVERIFY(!snapshot.node(6));
    QVERIFY(!snapshot.node(-1));
    QVERIFY(snapshot.nodeByName(QStringLiteral("monitor")));
    QCOMPARE(snapshot.nodeByName(QStringLiteral("monitor"))->rank, 1);
    QVERIFY(!snapshot.nodeByName(QStringLiteral("slave-9")));
    QCOMPARE(snapshot.ranking(), (std::vector<int>{3, 5, 2, 4}));
    QVERIFY(ClusterSnapshot{}.ranking().empty());
}

void TestSnapshotBuilder::snapshotJsonRoundTrip()
{
    // A realistic snapshot with every field away from its default.
    AdminStateTable table(kWorld);
    QVERIFY(table.apply(command(R"({"op":"weight","node":"slave-2","value":1.75})"), 0));
    table.setAssigned(3, 2, 0);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-3","reason":"r"})"), 123456));
    QVERIFY(table.apply(command(R"({"op":"strategy","name":"cpu","w1":0.5,"w2":2})"), 0));
    table.setLiveness(4, Liveness::Down, 1);
    QJsonObject tableJson = table.toJson();
    tableJson.insert(QLatin1String("queued_at_master"), 31);

    SnapshotBuilder builder(kWorld, 4, 3);
    builder.setAdminState(tableJson);
    for (int rank = 0; rank < kWorld; ++rank)
        builder.setHello(rank, helloFrom(QStringLiteral("h%1").arg(rank)));
    builder.setEmulation(2, SlaveEmulation{true, 2.5, 12.5});
    builder.setEmulation(5, SlaveEmulation{true, 1.0, 0}); // emulated, but not paced
    for (int rank = 2; rank < kWorld; ++rank)
        builder.addSample(rank, fullStats(rank), 1000 + rank);
    FailureDetector detector = watchingAll(0);
    for (int rank : {2, 3, 5})
        detector.heartbeat(rank, kSuspect);
    detector.evaluate(kSuspect); // slave-4 SUSPECT
    const ClusterSnapshot original = builder.build(1'700'000'123'456, kSuspect + 7, detector);
    QCOMPARE(toString(original.nodes[4].state), toString(NodeState::Suspect));
    QCOMPARE(original.nodes[3].drainEtaS, 3.25);
    QVERIFY(original.nodes[2].loadRank >= 0);

    const QJsonObject json = original.toJson();
    // Through text, as the bridge sends it.
    const QByteArray line = QJsonDocument(json).toJson(QJsonDocument::Compact);
    const ClusterSnapshot decoded =
        ClusterSnapshot::fromJson(QJsonDocument::fromJson(line).object());
    compareSnapshots(decoded, original);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(decoded.toJson(), json);
    QCOMPARE(decoded.ranking(), original.ranking());

    QVERIFY(decoded.nodes[2].emulation.emulated);
    QCOMPARE(decoded.nodes[2].emulation.cpuFactor, 2.5);
    QCOMPARE(decoded.nodes[2].emulation.linkMBps, 12.5);
    QVERIFY(decoded.nodes[5].emulation.emulated);
    QCOMPARE(decoded.nodes[5].emulation.linkMBps, 0.0);
    QVERIFY(!decoded.nodes[3].emulation.emulated);
    QVERIFY(!json.value(QLatin1String("nodes"))
                 .toArray()[3]
                 .toObject()
                 .contains(QLatin1String("emulation")));
}

void TestSnapshotBuilder::nodeViewJsonRoundTrip_data()
{
    QTest::addColumn<int>("rank");
    QTest::addColumn<NodeState>("state");
    QTest::addColumn<bool>("emulated");
    QTest::newRow("master") << 0 << NodeState::Active << false;
    QTest::newRow("monitor") << 1 << NodeState::Active << false;
    QTest::newRow("slave draining, emulated") << 2 << NodeState::Draining << true;
    QTest::newRow("slave drained") << 3 << NodeState::Drained << false;
    QTest::newRow("slave suspect") << 4 << NodeState::Suspect << true;
    QTest::newRow("slave down") << 5 << NodeState::Down << false;
}

void TestSnapshotBuilder::nodeViewJsonRoundTrip()
{
    QFETCH(int, rank);
    QFETCH(NodeState, state);
    QFETCH(bool, emulated);
    NodeView node;
    node.rank = rank;
    node.name = nodeName(rank);
    node.role = roleForRank(rank);
    node.host = QStringLiteral("host-%1.lan").arg(rank);
    node.state = state;
    node.weight = 0.375;
    node.epoch = 12;
    node.stats = fullStats(rank);
    node.load = 4.0625;
    node.loadRank = rank == 2 ? 0 : -1;
    node.heartbeatAgeMs = 1234;
    node.assigned = 9;
    node.drainEtaS = state == NodeState::Draining ? 17.5 : -1;
    if (emulated)
        node.emulation = SlaveEmulation{true, 3.0, 2.5};
    node.stateReason = QStringLiteral("reason \"quoted\" ✓");
    node.stateBy = QStringLiteral("bob");
    node.stateSinceMs = 1'700'000'000'001;

    const NodeView decoded =
        NodeView::fromJson(QJsonDocument::fromJson(QJsonDocument(node.toJson()).toJson()).object());
    compareNodes(decoded, node);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(decoded.toJson(), node.toJson());
}

void TestSnapshotBuilder::fromJsonDefaults()
{
    // Missing or mistyped keys take the documented defaults; nothing throws.
    const NodeView node =
        NodeView::fromJson(QJsonObject{{QStringLiteral("rank"), QStringLiteral("x")},
                                       {QStringLiteral("state"), QStringLiteral("weird")}});
    QCOMPARE(node.rank, 0);
    QCOMPARE(toString(node.state), toString(NodeState::Active));
    QCOMPARE(node.weight, 1.0);
    QCOMPARE(node.loadRank, -1);
    QCOMPARE(node.heartbeatAgeMs, std::int64_t(-1));
    QCOMPARE(node.drainEtaS, -1.0);
    QVERIFY(!node.emulation.emulated);
    const ClusterSnapshot snapshot = ClusterSnapshot::fromJson({});
    QCOMPARE(snapshot.sequence, std::int64_t(0));
    QCOMPARE(snapshot.strategy, QStringLiteral("pdds"));
    QCOMPARE(snapshot.w1, 1.5);
    QCOMPARE(snapshot.w2, 0.8);
    QVERIFY(snapshot.nodes.empty());
}

QTEST_GUILESS_MAIN(TestSnapshotBuilder)
#include "tst_snapshotbuilder.moc"
