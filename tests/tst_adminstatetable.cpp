// AdminStateTable: the master's node states, weights and policy, the operator rules, the detector's
// verdicts on top and the event stream (what survives a restart: tst_adminstatepersist).
#include "adminstatefixture.h"

#include <QJsonDocument>
#include <QTest>

using namespace starling;
using namespace starling::cluster;
using namespace adminstatetest;

Q_DECLARE_METATYPE(starling::cluster::NodeRole)
Q_DECLARE_METATYPE(starling::cluster::NodeState)
Q_DECLARE_METATYPE(starling::cluster::Liveness)

// The cluster enums are compared by name: QCOMPARE would pick their QString toString() by
// argument-dependent lookup and fail to compile, and the names read better in a failure.

namespace {

QJsonObject stateEvent(const QString &node, NodeState from, NodeState to, const QString &by,
                       const QString &reason, std::int64_t timeMs)
{
    return {{QStringLiteral("kind"), QStringLiteral("state_changed")},
            {QStringLiteral("node"), node},
            {QStringLiteral("from"), toString(from)},
            {QStringLiteral("to"), toString(to)},
            {QStringLiteral("by"), by},
            {QStringLiteral("reason"), reason},
            {QStringLiteral("time_ms"), double(timeMs)}};
}

QJsonObject livenessEvent(const QString &kind, const QString &node, NodeState from, NodeState to,
                          std::int64_t epoch, std::int64_t timeMs)
{
    QJsonObject event{{QStringLiteral("kind"), kind},
                      {QStringLiteral("node"), node},
                      {QStringLiteral("from"), toString(from)},
                      {QStringLiteral("to"), toString(to)},
                      {QStringLiteral("by"), QStringLiteral("detector")},
                      {QStringLiteral("epoch"), double(epoch)},
                      {QStringLiteral("time_ms"), double(timeMs)}};
    // Silence is the detector's reason for SUSPECT and DOWN ("exited" has its own test).
    if (kind != QLatin1String("node_back"))
        event.insert(QStringLiteral("reason"), QStringLiteral("no heartbeat"));
    return event;
}

// Starting points for the refusal rows.
enum class Setup
{
    Fresh,
    Slave2Drained,  // drained while idle
    Slave2Draining, // drained with two tasks in flight
    PolicyW2Zero    // strategy pdds w1=1 w2=0
};

void prepare(AdminStateTable &table, Setup setup)
{
    switch (setup) {
    case Setup::Fresh:
        break;
    case Setup::Slave2Drained:
        table.apply(command(R"({"op":"drain","node":"slave-2","reason":"r"})"), 10);
        break;
    case Setup::Slave2Draining:
        table.setAssigned(2, 2, 5);
        table.apply(command(R"({"op":"drain","node":"slave-2","reason":"r"})"), 10);
        break;
    case Setup::PolicyW2Zero:
        table.apply(command(R"({"op":"strategy","name":"pdds","w1":1,"w2":0})"), 10);
        break;
    }
    table.takeEvents();
}

} // namespace

Q_DECLARE_METATYPE(Setup)

class TestAdminStateTable : public QObject
{
    Q_OBJECT

private slots:
    void names_data();
    void names();
    void freshTable();
    void find_data();
    void find();

    void drainWithTasksThenDrained();
    void drainIdleIsDrainedAtOnce();
    void drainOfDownSlaveFinishesWhenReclaimed();
    void resume_data();
    void resume();
    void refused_data();
    void refused();
    void weightChanges();
    void strategyChanges();

    void liveness_data();
    void liveness();
    void sameLivenessTwiceIsNoChange();
    void epochBumpsOnEveryDown();
    void slavesAcceptingTasks();
    void takeEventsEmpties();
    void recordShutdownAndLoad();
    void historyIsBounded();
};

void TestAdminStateTable::names_data()
{
    QTest::addColumn<int>("rank");
    QTest::addColumn<QString>("name");
    QTest::addColumn<NodeRole>("role");
    QTest::newRow("0") << 0 << QStringLiteral("master") << NodeRole::Master;
    QTest::newRow("1") << 1 << QStringLiteral("monitor") << NodeRole::Monitor;
    QTest::newRow("2") << 2 << QStringLiteral("slave-2") << NodeRole::Slave;
    QTest::newRow("5") << 5 << QStringLiteral("slave-5") << NodeRole::Slave;
}

void TestAdminStateTable::names()
{
    QFETCH(int, rank);
    QFETCH(QString, name);
    QFETCH(NodeRole, role);
    QCOMPARE(nodeName(rank), name);
    const AdminStateTable table(kWorld);
    QCOMPARE(table.node(rank).rank, rank);
    QCOMPARE(table.node(rank).name, name);
    QCOMPARE(toString(table.node(rank).role), toString(role));
}

void TestAdminStateTable::freshTable()
{
    const AdminStateTable table(kWorld);
    QCOMPARE(table.nodes().size(), size_t(kWorld));
    for (const NodeRecord &node : table.nodes()) {
        QCOMPARE(toString(node.state()), toString(NodeState::Active));
        QCOMPARE(toString(node.adminState), toString(NodeState::Active));
        QCOMPARE(toString(node.liveness), toString(Liveness::Alive));
        QCOMPARE(node.weight, 1.0);
        QCOMPARE(node.epoch, std::int64_t(0));
        QCOMPARE(node.assigned, 0);
    }
    QCOMPARE(table.policy().strategy, QStringLiteral("pdds"));
    QCOMPARE(table.policy().w1, 1.5);
    QCOMPARE(table.policy().w2, 0.8);
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{2, 3, 4, 5}));

    const AdminStateTable custom(3, ClusterPolicy{QStringLiteral("equal"), 2, 0});
    QCOMPARE(custom.policy().strategy, QStringLiteral("equal"));
    QCOMPARE(custom.policy().w1, 2.0);
    QCOMPARE(custom.policy().w2, 0.0);
    QCOMPARE(custom.slavesAcceptingTasks(), (std::vector<int>{2}));
}

void TestAdminStateTable::find_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("rank"); // -1: not found
    QTest::newRow("master") << QStringLiteral("master") << 0;
    QTest::newRow("monitor") << QStringLiteral("monitor") << 1;
    QTest::newRow("slave-2") << QStringLiteral("slave-2") << 2;
    QTest::newRow("slave-5") << QStringLiteral("slave-5") << 5;
    QTest::newRow("rank 0") << QStringLiteral("0") << 0;
    QTest::newRow("rank 1") << QStringLiteral("1") << 1;
    QTest::newRow("rank 4") << QStringLiteral("4") << 4;
    QTest::newRow("rank 5") << QStringLiteral("5") << 5;
    QTest::newRow("slave-6 beyond the world") << QStringLiteral("slave-6") << -1;
    QTest::newRow("rank 6 beyond the world") << QStringLiteral("6") << -1;
    QTest::newRow("rank -1") << QStringLiteral("-1") << -1;
    QTest::newRow("empty") << QString() << -1;
    QTest::newRow("slave") << QStringLiteral("slave") << -1;
    QTest::newRow("slave-0 is not the master") << QStringLiteral("slave-0") << -1;
    QTest::newRow("names are case-sensitive") << QStringLiteral("Slave-2") << -1;
    QTest::newRow("rank 2.0") << QStringLiteral("2.0") << -1;
}

void TestAdminStateTable::find()
{
    QFETCH(QString, key);
    QFETCH(int, rank);
    const AdminStateTable table(kWorld);
    const NodeRecord *node = table.find(key);
    if (rank < 0) {
        QVERIFY(!node);
    } else {
        QVERIFY(node);
        QCOMPARE(node->rank, rank);
        QCOMPARE(node, &table.node(rank));
    }
}

void TestAdminStateTable::drainWithTasksThenDrained()
{
    AdminStateTable table(kWorld);
    table.setAssigned(3, 2, 100);
    QVERIFY(table.takeEvents().empty()); // assignment alone is no operator event

    const auto result =
        table.apply(command(R"({"op":"drain","node":"slave-3","reason":"bios update"})"), 1000);
    QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error()));
    QCOMPARE(dump(*result), dump(QJsonObject{{QStringLiteral("node"), QStringLiteral("slave-3")},
                                             {QStringLiteral("state"), QStringLiteral("DRAINING")},
                                             {QStringLiteral("weight"), 1.0},
                                             {QStringLiteral("assigned"), 2}}));
    QCOMPARE(toString(table.node(3).state()), toString(NodeState::Draining));
    QCOMPARE(table.node(3).by, kAlice);
    QCOMPARE(table.node(3).reason, QStringLiteral("bios update"));
    QCOMPARE(table.node(3).sinceMs, std::int64_t(1000));
    auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(dump(events[0]),
             dump(stateEvent(QStringLiteral("slave-3"), NodeState::Active, NodeState::Draining,
                             kAlice, QStringLiteral("bios update"), 1000)));

    table.setAssigned(3, 1, 1500);
    QCOMPARE(toString(table.node(3).state()), toString(NodeState::Draining));
    QCOMPARE(table.node(3).assigned, 1);
    QVERIFY(table.takeEvents().empty());

    table.setAssigned(3, 0, 2500);
    QCOMPARE(toString(table.node(3).state()), toString(NodeState::Drained));
    QCOMPARE(table.node(3).assigned, 0);
    QCOMPARE(table.node(3).sinceMs, std::int64_t(2500));
    // The drain finishing is still the operator's drain: same by and reason.
    QCOMPARE(table.node(3).by, kAlice);
    events = table.takeEvents();
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(dump(events[0]),
             dump(stateEvent(QStringLiteral("slave-3"), NodeState::Draining, NodeState::Drained,
                             kAlice, QStringLiteral("bios update"), 2500)));

    // Nothing else moved.
    for (int rank : {2, 4, 5})
        QCOMPARE(toString(table.node(rank).state()), toString(NodeState::Active));
}

void TestAdminStateTable::drainIdleIsDrainedAtOnce()
{
    AdminStateTable table(kWorld);
    const auto result =
        table.apply(command(R"({"op":"drain","node":"4"})", QStringLiteral("bob")), 700);
    QVERIFY(result.hasValue());
    QCOMPARE(result->value(QLatin1String("node")).toString(), QStringLiteral("slave-4"));
    QCOMPARE(result->value(QLatin1String("state")).toString(), QStringLiteral("DRAINED"));
    QCOMPARE(result->value(QLatin1String("assigned")).toInt(-1), 0);
    QCOMPARE(toString(table.node(4).state()), toString(NodeState::Drained));
    // The console still sees the drain pass through DRAINING, at the same moment.
    const auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(dump(events[0]),
             dump(stateEvent(QStringLiteral("slave-4"), NodeState::Active, NodeState::Draining,
                             QStringLiteral("bob"), {}, 700)));
    QCOMPARE(dump(events[1]), dump(stateEvent(QStringLiteral("slave-4"), NodeState::Draining,
                                              NodeState::Drained, QStringLiteral("bob"), {}, 700)));
}

void TestAdminStateTable::drainOfDownSlaveFinishesWhenReclaimed()
{
    AdminStateTable table(kWorld);
    table.setAssigned(5, 3, 0);
    table.setLiveness(5, Liveness::Down, 100);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-5"})"), 200).hasValue());
    QCOMPARE(toString(table.node(5).adminState), toString(NodeState::Draining));
    QCOMPARE(toString(table.node(5).state()), toString(NodeState::Down));
    // The master reclaims its tasks: the drain completes while it is down...
    table.setAssigned(5, 0, 300);
    QCOMPARE(toString(table.node(5).adminState), toString(NodeState::Drained));
    // ...and it comes back DRAINED, taking no tasks.
    table.setLiveness(5, Liveness::Alive, 400);
    QCOMPARE(toString(table.node(5).state()), toString(NodeState::Drained));
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{2, 3, 4}));
}

void TestAdminStateTable::resume_data()
{
    QTest::addColumn<Setup>("setup");
    QTest::addColumn<NodeState>("from");
    QTest::newRow("from DRAINED") << Setup::Slave2Drained << NodeState::Drained;
    QTest::newRow("from DRAINING") << Setup::Slave2Draining << NodeState::Draining;
}

void TestAdminStateTable::resume()
{
    QFETCH(Setup, setup);
    QFETCH(NodeState, from);
    AdminStateTable table(kWorld);
    prepare(table, setup);
    QCOMPARE(toString(table.node(2).state()), toString(from));
    QVERIFY(table.slavesAcceptingTasks() == (std::vector<int>{3, 4, 5}));

    const auto result = table.apply(
        command(R"({"op":"resume","node":"slave-2","reason":"fixed"})", QStringLiteral("carol")),
        5000);
    QVERIFY(result.hasValue());
    QCOMPARE(result->value(QLatin1String("state")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(toString(table.node(2).state()), toString(NodeState::Active));
    QCOMPARE(table.node(2).by, QStringLiteral("carol"));
    QCOMPARE(table.node(2).reason, QStringLiteral("fixed"));
    QCOMPARE(table.node(2).sinceMs, std::int64_t(5000));
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{2, 3, 4, 5}));
    const auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(dump(events[0]),
             dump(stateEvent(QStringLiteral("slave-2"), from, NodeState::Active,
                             QStringLiteral("carol"), QStringLiteral("fixed"), 5000)));
    // A resumed node whose old tasks finish later stays ACTIVE.
    table.setAssigned(2, 0, 6000);
    QCOMPARE(toString(table.node(2).state()), toString(NodeState::Active));
    QVERIFY(table.takeEvents().empty());
}

void TestAdminStateTable::refused_data()
{
    QTest::addColumn<Setup>("setup");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("drain unknown node")
        << Setup::Fresh << QByteArray(R"({"op":"drain","node":"slave-9"})")
        << QStringLiteral("unknown node \"slave-9\"");
    QTest::newRow("drain unknown rank")
        << Setup::Fresh << QByteArray(R"({"op":"drain","node":"6"})")
        << QStringLiteral("unknown node \"6\"");
    QTest::newRow("weight unknown node")
        << Setup::Fresh << QByteArray(R"({"op":"weight","node":"gpu-1","value":2})")
        << QStringLiteral("unknown node \"gpu-1\"");
    QTest::newRow("drain master") << Setup::Fresh << QByteArray(R"({"op":"drain","node":"master"})")
                                  << QStringLiteral(
                                         "cannot drain the master: only slaves take tasks");
    QTest::newRow("drain master by rank")
        << Setup::Fresh << QByteArray(R"({"op":"drain","node":"0"})")
        << QStringLiteral("cannot drain the master: only slaves take tasks");
    QTest::newRow("drain monitor")
        << Setup::Fresh << QByteArray(R"({"op":"drain","node":"monitor"})")
        << QStringLiteral("cannot drain the monitor: only slaves take tasks");
    QTest::newRow("resume monitor")
        << Setup::Fresh << QByteArray(R"({"op":"resume","node":"1"})")
        << QStringLiteral("cannot resume the monitor: only slaves take tasks");
    QTest::newRow("weight of the monitor")
        << Setup::Fresh << QByteArray(R"({"op":"weight","node":"monitor","value":3})")
        << QStringLiteral("cannot weight the monitor: only slaves take tasks");
    QTest::newRow("weight of the master")
        << Setup::Fresh << QByteArray(R"({"op":"weight","node":"master","value":3})")
        << QStringLiteral("cannot weight the master: only slaves take tasks");
    QTest::newRow("drain twice (drained)")
        << Setup::Slave2Drained << QByteArray(R"({"op":"drain","node":"slave-2"})")
        << QStringLiteral("slave-2 is already DRAINED");
    QTest::newRow("drain twice (draining)")
        << Setup::Slave2Draining << QByteArray(R"({"op":"drain","node":"2"})")
        << QStringLiteral("slave-2 is already DRAINING");
    QTest::newRow("resume an ACTIVE node")
        << Setup::Fresh << QByteArray(R"({"op":"resume","node":"slave-3"})")
        << QStringLiteral("slave-3 is already ACTIVE");
    QTest::newRow("strategy w1=0 w2=0")
        << Setup::Fresh << QByteArray(R"({"op":"strategy","name":"equal","w1":0,"w2":0})")
        << QStringLiteral("w1 and w2 cannot both be 0");
    QTest::newRow("strategy w1=0 with w2 already 0")
        << Setup::PolicyW2Zero << QByteArray(R"({"op":"strategy","name":"cpu","w1":0})")
        << QStringLiteral("w1 and w2 cannot both be 0");
    QTest::newRow("shutdown is not for the table")
        << Setup::Fresh << QByteArray(R"({"op":"shutdown"})")
        << QStringLiteral("shutdown is not a node command");
    QTest::newRow("load is not for the table")
        << Setup::Fresh << QByteArray(R"({"op":"load","tasks":3,"task_ms":5})")
        << QStringLiteral("load is not a node command");
}

void TestAdminStateTable::refused()
{
    QFETCH(Setup, setup);
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    AdminStateTable table(kWorld);
    prepare(table, setup);
    const QJsonObject before = table.toJson();
    const QJsonObject persistentBefore = table.persistentState();

    const auto result = table.apply(command(json), 9999);
    QVERIFY(!result.hasValue());
    QCOMPARE(result.error(), error);
    // The bridge's machine-readable code follows the kind of refusal (PROTOCOL.md).
    const QString code =
        error.startsWith(QLatin1String("unknown node"))       ? QStringLiteral("unknown_node")
        : error.contains(QLatin1String("not a node command")) ? QStringLiteral("unknown_op")
        : error.startsWith(QLatin1String("w1 and w2"))        ? QStringLiteral("bad_argument")
                                                              : QStringLiteral("bad_state");
    QCOMPARE(result.errorCode(), code);
    // Nothing changed, nothing announced, nothing remembered.
    QCOMPARE(dump(table.toJson()), dump(before));
    QCOMPARE(dump(table.persistentState()), dump(persistentBefore));
    QVERIFY(table.takeEvents().empty());
}

void TestAdminStateTable::weightChanges()
{
    AdminStateTable table(kWorld);
    const auto result = table.apply(
        command(R"({"op":"weight","node":"slave-4","value":2.5,"reason":"faster disk"})"), 300);
    QVERIFY(result.hasValue());
    QCOMPARE(result->value(QLatin1String("weight")).toDouble(), 2.5);
    QCOMPARE(result->value(QLatin1String("state")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(table.node(4).weight, 2.5);
    QCOMPARE(toString(table.node(4).state()), toString(NodeState::Active));
    auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(dump(events[0]),
             dump(QJsonObject{{QStringLiteral("kind"), QStringLiteral("weight_changed")},
                              {QStringLiteral("node"), QStringLiteral("slave-4")},
                              {QStringLiteral("from"), 1.0},
                              {QStringLiteral("to"), 2.5},
                              {QStringLiteral("by"), kAlice},
                              {QStringLiteral("reason"), QStringLiteral("faster disk")},
                              {QStringLiteral("time_ms"), 300.0}}));

    // A drained node keeps its state when its weight changes.
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-2"})"), 400).hasValue());
    table.takeEvents();
    QVERIFY(table.apply(command(R"({"op":"weight","node":"slave-2","value":0.5})"), 500));
    QCOMPARE(table.node(2).weight, 0.5);
    QCOMPARE(toString(table.node(2).state()), toString(NodeState::Drained));
    events = table.takeEvents();
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(events[0].value(QLatin1String("from")).toDouble(), 1.0);
    QCOMPARE(events[0].value(QLatin1String("to")).toDouble(), 0.5);
    // Other weights are untouched.
    QCOMPARE(table.node(3).weight, 1.0);
    QCOMPARE(table.node(5).weight, 1.0);
}

void TestAdminStateTable::strategyChanges()
{
    AdminStateTable table(kWorld);
    // Name only: the weights stay.
    auto result =
        table.apply(command(R"({"op":"strategy","name":"optimal","reason":"big job"})"), 100);
    QVERIFY(result.hasValue());
    QCOMPARE(table.policy().strategy, QStringLiteral("optimal"));
    QCOMPARE(table.policy().w1, 1.5);
    QCOMPARE(table.policy().w2, 0.8);
    QCOMPARE(dump(*result),
             dump(QJsonObject{{QStringLiteral("strategy"), QStringLiteral("optimal")},
                              {QStringLiteral("w1"), 1.5},
                              {QStringLiteral("w2"), 0.8},
                              {QStringLiteral("previous"), QStringLiteral("pdds")}}));
    auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(dump(events[0]),
             dump(QJsonObject{{QStringLiteral("kind"), QStringLiteral("strategy_changed")},
                              {QStringLiteral("strategy"), QStringLiteral("optimal")},
                              {QStringLiteral("w1"), 1.5},
                              {QStringLiteral("w2"), 0.8},
                              {QStringLiteral("previous"), QStringLiteral("pdds")},
                              {QStringLiteral("by"), kAlice},
                              {QStringLiteral("reason"), QStringLiteral("big job")},
                              {QStringLiteral("time_ms"), 100.0}}));

    // One weight given: only that one changes; zero is fine while the other is not.
    result = table.apply(command(R"({"op":"strategy","name":"pdds","w1":0})"), 200);
    QVERIFY(result.hasValue());
    QCOMPARE(table.policy().strategy, QStringLiteral("pdds"));
    QCOMPARE(table.policy().w1, 0.0);
    QCOMPARE(table.policy().w2, 0.8);
    result = table.apply(command(R"({"op":"strategy","name":"pdds","w1":3,"w2":0})"), 300);
    QVERIFY(result.hasValue());
    QCOMPARE(table.policy().w1, 3.0);
    QCOMPARE(table.policy().w2, 0.0);
    events = table.takeEvents();
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[1].value(QLatin1String("previous")).toString(), QStringLiteral("pdds"));
    // The nodes are not touched by a policy change.
    for (const NodeRecord &node : table.nodes())
        QCOMPARE(toString(node.state()), toString(NodeState::Active));
}

void TestAdminStateTable::liveness_data()
{
    QTest::addColumn<Setup>("setup");
    QTest::addColumn<NodeState>("admin");
    QTest::newRow("ACTIVE") << Setup::Fresh << NodeState::Active;
    QTest::newRow("DRAINED") << Setup::Slave2Drained << NodeState::Drained;
    QTest::newRow("DRAINING") << Setup::Slave2Draining << NodeState::Draining;
}

void TestAdminStateTable::liveness()
{
    QFETCH(Setup, setup);
    QFETCH(NodeState, admin);
    AdminStateTable table(kWorld);
    prepare(table, setup);
    const QString name = QStringLiteral("slave-2");
    QCOMPARE(toString(table.node(2).state()), toString(admin));

    table.setLiveness(2, Liveness::Suspect, 1000);
    QCOMPARE(toString(table.node(2).state()), toString(NodeState::Suspect));
    QCOMPARE(toString(table.node(2).adminState), toString(admin)); // hidden, not lost
    QCOMPARE(table.node(2).epoch, std::int64_t(0));
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{3, 4, 5}));

    table.setLiveness(2, Liveness::Down, 2000);
    QCOMPARE(toString(table.node(2).state()), toString(NodeState::Down));
    QCOMPARE(toString(table.node(2).adminState), toString(admin));
    QCOMPARE(table.node(2).epoch, std::int64_t(1));

    table.setLiveness(2, Liveness::Alive, 3000);
    QCOMPARE(toString(table.node(2).state()), toString(admin));
    QCOMPARE(table.node(2).epoch, std::int64_t(1)); // coming back does not reset the epoch

    const auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(3));
    QCOMPARE(dump(events[0]), dump(livenessEvent(QStringLiteral("node_suspect"), name, admin,
                                                 NodeState::Suspect, 0, 1000)));
    QCOMPARE(dump(events[1]), dump(livenessEvent(QStringLiteral("node_down"), name,
                                                 NodeState::Suspect, NodeState::Down, 1, 2000)));
    QCOMPARE(dump(events[2]), dump(livenessEvent(QStringLiteral("node_back"), name, NodeState::Down,
                                                 admin, 1, 3000)));
    // The operator's record is untouched by the detector.
    if (admin != NodeState::Active)
        QCOMPARE(table.node(2).by, kAlice);
}

void TestAdminStateTable::sameLivenessTwiceIsNoChange()
{
    AdminStateTable table(kWorld);
    table.setLiveness(3, Liveness::Alive, 10);
    QVERIFY(table.takeEvents().empty());
    table.setLiveness(3, Liveness::Down, 20);
    table.setLiveness(3, Liveness::Down, 30);
    QCOMPARE(table.node(3).epoch, std::int64_t(1));
    QCOMPARE(table.takeEvents().size(), size_t(1));
    // Straight from ALIVE to DOWN (the detector may skip SUSPECT).
    QCOMPARE(toString(table.node(3).state()), toString(NodeState::Down));
}

void TestAdminStateTable::epochBumpsOnEveryDown()
{
    AdminStateTable table(kWorld);
    for (int round = 1; round <= 3; ++round) {
        table.setLiveness(4, Liveness::Suspect, round * 100);
        QCOMPARE(table.node(4).epoch, std::int64_t(round - 1));
        table.setLiveness(4, Liveness::Down, round * 100 + 10);
        QCOMPARE(table.node(4).epoch, std::int64_t(round));
        table.setLiveness(4, Liveness::Alive, round * 100 + 20);
    }
    // Other nodes keep epoch 0.
    QCOMPARE(table.node(3).epoch, std::int64_t(0));
    QCOMPARE(table.node(5).epoch, std::int64_t(0));
}

void TestAdminStateTable::slavesAcceptingTasks()
{
    AdminStateTable table(8); // slave-2 .. slave-7
    table.setAssigned(3, 1, 0);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-3"})"), 1));
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-4"})"), 1));
    table.setLiveness(5, Liveness::Suspect, 2);
    table.setLiveness(6, Liveness::Down, 3);
    QCOMPARE(toString(table.node(3).state()), toString(NodeState::Draining));
    QCOMPARE(toString(table.node(4).state()), toString(NodeState::Drained));
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{2, 7}));

    table.setLiveness(5, Liveness::Alive, 4);
    table.setLiveness(6, Liveness::Alive, 4);
    QVERIFY(table.apply(command(R"({"op":"resume","node":"slave-4"})"), 5));
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{2, 4, 5, 6, 7}));
    // A suspect master or monitor never shows up: only slaves take tasks.
    table.setLiveness(0, Liveness::Suspect, 6);
    QCOMPARE(table.slavesAcceptingTasks(), (std::vector<int>{2, 4, 5, 6, 7}));
}

void TestAdminStateTable::takeEventsEmpties()
{
    AdminStateTable table(kWorld);
    QVERIFY(table.takeEvents().empty());
    QVERIFY(table.apply(command(R"({"op":"weight","node":"slave-2","value":2})"), 1));
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-3"})"), 2));
    table.setLiveness(4, Liveness::Suspect, 3);
    const auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(4)); // weight, ACTIVE->DRAINING, DRAINING->DRAINED, suspect
    QCOMPARE(events[0].value(QLatin1String("kind")).toString(), QStringLiteral("weight_changed"));
    QCOMPARE(events[1].value(QLatin1String("kind")).toString(), QStringLiteral("state_changed"));
    QCOMPARE(events[2].value(QLatin1String("kind")).toString(), QStringLiteral("state_changed"));
    QCOMPARE(events[3].value(QLatin1String("kind")).toString(), QStringLiteral("node_suspect"));
    QVERIFY(table.takeEvents().empty());
    QVERIFY(table.takeEvents().empty());
}

void TestAdminStateTable::recordShutdownAndLoad()
{
    AdminStateTable table(kWorld);
    table.record(
        command(R"({"id":"s1","op":"shutdown","reason":"end of day"})", QStringLiteral("ops")),
        4000, QJsonObject{{QStringLiteral("ranks"), 6}}, starling::protocol::ShutdownEvent{});
    starling::protocol::LoadEvent loaded;
    loaded.tasks = 20;
    loaded.waitingAtMaster = 20;
    table.record(command(R"({"op":"load","tasks":20,"task_ms":100})"), 5000,
                 QJsonObject{{QStringLiteral("queued"), 20}}, loaded);
    const auto events = table.takeEvents();
    QCOMPARE(events.size(), size_t(2));
    // The event gets the command's client and reason, and the time.
    QCOMPARE(dump(events[0]),
             dump(QJsonObject{{QStringLiteral("kind"), QStringLiteral("shutdown")},
                              {QStringLiteral("by"), QStringLiteral("ops")},
                              {QStringLiteral("reason"), QStringLiteral("end of day")},
                              {QStringLiteral("time_ms"), 4000.0}}));
    const auto load = starling::protocol::LoadEvent::fromJson(events[1]);
    QVERIFY(load);
    QCOMPARE(load->tasks, 20);
    QCOMPARE(load->waitingAtMaster, 20);
    QCOMPARE(load->timeMs, 5000);

    const QJsonArray history = table.persistentState().value(QLatin1String("history")).toArray();
    QCOMPARE(history.size(), 2);
    const QJsonObject first = history[0].toObject();
    QCOMPARE(first.value(QLatin1String("id")).toString(), QStringLiteral("s1"));
    QCOMPARE(first.value(QLatin1String("op")).toString(), QStringLiteral("shutdown"));
    QCOMPARE(first.value(QLatin1String("client")).toString(), QStringLiteral("ops"));
    QCOMPARE(first.value(QLatin1String("reason")).toString(), QStringLiteral("end of day"));
    QCOMPARE(first.value(QLatin1String("time_ms")).toDouble(), 4000.0);
    QCOMPARE(first.value(QLatin1String("result")).toObject(),
             (QJsonObject{{QStringLiteral("ranks"), 6}}));
    const QJsonObject second = history[1].toObject();
    QCOMPARE(second.value(QLatin1String("tasks")).toInt(), 20);
    QCOMPARE(second.value(QLatin1String("task_ms")).toDouble(), 100.0);
    // No node changed.
    for (const NodeRecord &node : table.nodes())
        QCOMPARE(toString(node.state()), toString(NodeState::Active));
}

void TestAdminStateTable::historyIsBounded()
{
    AdminStateTable table(kWorld);
    const int total = AdminStateTable::kHistoryLimit + 57;
    for (int i = 1; i <= total; ++i) {
        const QByteArray json =
            QByteArray(R"({"op":"weight","node":"slave-2","value":)") + QByteArray::number(i) + "}";
        QVERIFY(table.apply(command(json), i));
    }
    // Refused commands are not history.
    QVERIFY(!table.apply(command(R"({"op":"resume","node":"slave-2"})"), total + 1));

    const QJsonArray history = table.persistentState().value(QLatin1String("history")).toArray();
    QCOMPARE(history.size(), AdminStateTable::kHistoryLimit);
    // The oldest went first; the newest is last.
    const QJsonObject oldest = history.first().toObject();
    const QJsonObject newest = history.last().toObject();
    QCOMPARE(oldest.value(QLatin1String("value")).toDouble(),
             double(total - AdminStateTable::kHistoryLimit + 1));
    QCOMPARE(oldest.value(QLatin1String("time_ms")).toDouble(),
             double(total - AdminStateTable::kHistoryLimit + 1));
    QCOMPARE(newest.value(QLatin1String("value")).toDouble(), double(total));
    QCOMPARE(newest.value(QLatin1String("op")).toString(), QStringLiteral("weight"));
    QCOMPARE(newest.value(QLatin1String("node")).toString(), QStringLiteral("slave-2"));
    QCOMPARE(newest.value(QLatin1String("client")).toString(), kAlice);
    QCOMPARE(
        newest.value(QLatin1String("result")).toObject().value(QLatin1String("weight")).toDouble(),
        double(total));
    QCOMPARE(table.node(2).weight, double(total));
}

QTEST_GUILESS_MAIN(TestAdminStateTable)
#include "tst_adminstatetable.moc"
