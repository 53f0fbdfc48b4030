// AdminStateTable: what survives a master restart (the persisted state file) and its JSON form.
#include "adminstatefixture.h"

#include <QTest>

using namespace starling;
using namespace starling::cluster;
using namespace adminstatetest;

Q_DECLARE_METATYPE(starling::cluster::NodeState)

class TestAdminStatePersist : public QObject
{
    Q_OBJECT

private slots:
    void persistAndRestore();
    void restoreIntoSmallerCluster();
    void restoreSkipsBadValues_data();
    void restoreSkipsBadValues();
    void restoreTrimsHistory();
    void toJsonCarriesStateAndAdminState();
};

void TestAdminStatePersist::persistAndRestore()
{
    AdminStateTable before(kWorld);
    QVERIFY(before.apply(command(R"({"op":"weight","node":"slave-2","value":3})"), 10));
    QVERIFY(before.apply(
        command(R"({"op":"drain","node":"slave-2","reason":"rack move"})", QStringLiteral("dave")),
        20));
    before.setAssigned(3, 4, 25);
    QVERIFY(before.apply(command(R"({"op":"drain","node":"slave-3","reason":"slow"})"), 30));
    QVERIFY(before.apply(command(R"({"op":"weight","node":"slave-5","value":0.25})"), 40));
    QVERIFY(before.apply(command(R"({"op":"strategy","name":"dynamic","w1":2,"w2":0.5})"), 50));
    before.setLiveness(4, Liveness::Down, 60); // liveness and epochs are not persistent
    QCOMPARE(toString(before.node(3).state()), toString(NodeState::Draining));

    // Through the bytes that the store writes, as a real restart would.
    const QJsonObject saved =
        QJsonDocument::fromJson(QJsonDocument(before.persistentState()).toJson()).object();
    QCOMPARE(saved.value(QLatin1String("version")).toInt(), 1);
    const QJsonObject savedNodes = saved.value(QLatin1String("nodes")).toObject();
    QCOMPARE(savedNodes.keys(),
             (QStringList{QStringLiteral("slave-2"), QStringLiteral("slave-3"),
                          QStringLiteral("slave-4"), QStringLiteral("slave-5")}));

    AdminStateTable after(kWorld);
    const QStringList warnings = after.restore(saved, 100000);
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));

    QCOMPARE(after.node(2).weight, 3.0);
    QCOMPARE(toString(after.node(2).state()), toString(NodeState::Drained));
    QCOMPARE(after.node(2).by, QStringLiteral("dave"));
    QCOMPARE(after.node(2).reason, QStringLiteral("rack move"));
    QCOMPARE(after.node(2).sinceMs, std::int64_t(20));
    // A drain in progress comes back finished: its tasks died with the old job.
    QCOMPARE(toString(after.node(3).state()), toString(NodeState::Drained));
    QCOMPARE(after.node(3).reason, QStringLiteral("slow"));
    QCOMPARE(after.node(3).assigned, 0);
    QCOMPARE(toString(after.node(4).state()), toString(NodeState::Active));
    QCOMPARE(after.node(4).epoch, std::int64_t(0));
    QCOMPARE(after.node(5).weight, 0.25);
    QCOMPARE(toString(after.node(5).state()), toString(NodeState::Active));
    QCOMPARE(after.policy().strategy, QStringLiteral("dynamic"));
    QCOMPARE(after.policy().w1, 2.0);
    QCOMPARE(after.policy().w2, 0.5);
    QCOMPARE(after.slavesAcceptingTasks(), (std::vector<int>{4, 5}));

    const QJsonArray history = after.persistentState().value(QLatin1String("history")).toArray();
    QCOMPARE(history, before.persistentState().value(QLatin1String("history")).toArray());
    QCOMPARE(history.size(), 5);

    // Saving again gives the same state, with the finished drain.
    QJsonObject expected = before.persistentState();
    QJsonObject nodes = expected.value(QLatin1String("nodes")).toObject();
    QJsonObject slave3 = nodes.value(QLatin1String("slave-3")).toObject();
    slave3.insert(QLatin1String("state"), QStringLiteral("DRAINED"));
    nodes.insert(QLatin1String("slave-3"), slave3);
    expected.insert(QLatin1String("nodes"), nodes);
    QCOMPARE(dump(after.persistentState()), dump(expected));
}

void TestAdminStatePersist::restoreIntoSmallerCluster()
{
    AdminStateTable big(9); // slave-2 .. slave-8
    QVERIFY(big.apply(command(R"({"op":"weight","node":"slave-3","value":2})"), 1));
    QVERIFY(big.apply(command(R"({"op":"drain","node":"slave-7"})"), 2));
    QVERIFY(big.apply(command(R"({"op":"weight","node":"slave-8","value":4})"), 3));

    AdminStateTable small(5); // slave-2 .. slave-4
    const QStringList warnings = small.restore(big.persistentState(), 10);
    QCOMPARE(warnings.size(), 4);
    for (const char *name : {"slave-5", "slave-6", "slave-7", "slave-8"}) {
        const QString n = QString::fromLatin1(name);
        QVERIFY2(std::any_of(warnings.begin(), warnings.end(),
                             [&](const QString &w) { return w.contains(n + QLatin1Char(' ')); }),
                 name);
    }
    // What fits is applied.
    QCOMPARE(small.node(3).weight, 2.0);
    QCOMPARE(small.nodes().size(), size_t(5));
    QCOMPARE(small.slavesAcceptingTasks(), (std::vector<int>{2, 3, 4}));
}

void TestAdminStatePersist::restoreSkipsBadValues_data()
{
    // Each row edits a good saved state and names what must stay at the fresh table's value.
    QTest::addColumn<QByteArray>("patch");  // merged into the saved object's top level
    QTest::addColumn<QByteArray>("slave2"); // replaces the saved entry of slave-2 (if not empty)
    QTest::addColumn<double>("weight");     // slave-2's weight after restore
    QTest::addColumn<NodeState>("state");   // slave-2's state after restore
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<double>("w1");
    QTest::addColumn<double>("w2");
    QTest::addColumn<QString>("warning"); // a warning must contain it (empty: no warnings)

    const QString fresh = QStringLiteral("pdds");
    const QString saved = QStringLiteral("equal");
    QTest::newRow("good") << QByteArray("{}") << QByteArray() << 2.0 << NodeState::Drained << saved
                          << 3.0 << 0.0 << QString();
    QTest::newRow("weight 0") << QByteArray("{}") << QByteArray(R"({"state":"DRAINED","weight":0})")
                              << 1.0 << NodeState::Drained << saved << 3.0 << 0.0 << QString();
    QTest::newRow("weight negative")
        << QByteArray("{}") << QByteArray(R"({"state":"DRAINED","weight":-4})") << 1.0
        << NodeState::Drained << saved << 3.0 << 0.0 << QString();
    QTest::newRow("weight a string")
        << QByteArray("{}") << QByteArray(R"({"state":"DRAINED","weight":"2"})") << 1.0
        << NodeState::Drained << saved << 3.0 << 0.0 << QString();
    QTest::newRow("weight above 1e6")
        << QByteArray("{}") << QByteArray(R"({"state":"DRAINED","weight":2e6})") << 1.0
        << NodeState::Drained << saved << 3.0 << 0.0 << QString();
    QTest::newRow("state unknown")
        << QByteArray("{}") << QByteArray(R"({"state":"ASLEEP","weight":2})") << 2.0
        << NodeState::Active << saved << 3.0 << 0.0 << QString();
    QTest::newRow("state DOWN is not an operator state")
        << QByteArray("{}") << QByteArray(R"({"state":"DOWN","weight":2})") << 2.0
        << NodeState::Active << saved << 3.0 << 0.0 << QString();
    QTest::newRow("state in lower case")
        << QByteArray("{}") << QByteArray(R"({"state":"drained","weight":2})") << 2.0
        << NodeState::Drained << saved << 3.0 << 0.0 << QString();
    QTest::newRow("entry not an object") << QByteArray("{}") << QByteArray(R"("DRAINED")") << 1.0
                                         << NodeState::Active << saved << 3.0 << 0.0 << QString();
    QTest::newRow("strategy unknown")
        << QByteArray(R"({"strategy":"fastest"})") << QByteArray() << 2.0 << NodeState::Drained
        << fresh << 3.0 << 0.0 << QString();
    QTest::newRow("strategy a number") << QByteArray(R"({"strategy":5})") << QByteArray() << 2.0
                                       << NodeState::Drained << fresh << 3.0 << 0.0 << QString();
    QTest::newRow("w1 negative") << QByteArray(R"({"w1":-1})") << QByteArray() << 2.0
                                 << NodeState::Drained << saved << 1.5 << 0.8 << QString();
    QTest::newRow("w2 a string") << QByteArray(R"({"w2":"0.3"})") << QByteArray() << 2.0
                                 << NodeState::Drained << saved << 1.5 << 0.8 << QString();
    QTest::newRow("w1 and w2 both 0") << QByteArray(R"({"w1":0,"w2":0})") << QByteArray() << 2.0
                                      << NodeState::Drained << saved << 1.5 << 0.8 << QString();
    QTest::newRow("unknown version")
        << QByteArray(R"({"version":2})") << QByteArray() << 1.0 << NodeState::Active << fresh
        << 1.5 << 0.8 << QStringLiteral("unknown version");
    QTest::newRow("no version") << QByteArray(R"({"version":null})") << QByteArray() << 1.0
                                << NodeState::Active << fresh << 1.5 << 0.8
                                << QStringLiteral("unknown version");
    QTest::newRow("master in the saved nodes")
        << QByteArray(R"({"nodes":{"master":{"state":"DRAINED","weight":9},)"
                      R"("slave-2":{"state":"DRAINED","weight":2}}})")
        << QByteArray() << 2.0 << NodeState::Drained << saved << 3.0 << 0.0
        << QStringLiteral("master");
}

void TestAdminStatePersist::restoreSkipsBadValues()
{
    QFETCH(QByteArray, patch);
    QFETCH(QByteArray, slave2);
    QFETCH(double, weight);
    QFETCH(NodeState, state);
    QFETCH(QString, strategy);
    QFETCH(double, w1);
    QFETCH(double, w2);
    QFETCH(QString, warning);

    AdminStateTable source(kWorld);
    QVERIFY(source.apply(command(R"({"op":"weight","node":"slave-2","value":2})"), 1));
    QVERIFY(source.apply(command(R"({"op":"drain","node":"slave-2"})"), 2));
    QVERIFY(source.apply(command(R"({"op":"strategy","name":"equal","w1":3,"w2":0})"), 3));
    QJsonObject saved = source.persistentState();
    if (!slave2.isEmpty()) {
        QJsonObject nodes = saved.value(QLatin1String("nodes")).toObject();
        const QJsonDocument entry = QJsonDocument::fromJson("[" + slave2 + "]");
        QVERIFY(entry.isArray());
        nodes.insert(QLatin1String("slave-2"), entry.array().first());
        saved.insert(QLatin1String("nodes"), nodes);
    }
    const QJsonObject edits = QJsonDocument::fromJson(patch).object();
    for (auto it = edits.begin(); it != edits.end(); ++it) {
        if (it.value().isNull())
            saved.remove(it.key());
        else
            saved.insert(it.key(), it.value());
    }

    AdminStateTable table(kWorld);
    const QStringList warnings = table.restore(saved, 50);
    if (warning.isEmpty()) {
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
    } else {
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings.first().contains(warning), qPrintable(warnings.first()));
    }
    QCOMPARE(table.node(2).weight, weight);
    QCOMPARE(toString(table.node(2).state()), toString(state));
    QCOMPARE(table.policy().strategy, strategy);
    QCOMPARE(table.policy().w1, w1);
    QCOMPARE(table.policy().w2, w2);
    // Never touched by a restore.
    QCOMPARE(table.node(0).weight, 1.0);
    QCOMPARE(toString(table.node(0).state()), toString(NodeState::Active));
    QCOMPARE(toString(table.node(3).state()), toString(NodeState::Active));
}

void TestAdminStatePersist::restoreTrimsHistory()
{
    QJsonArray history;
    for (int i = 0; i < AdminStateTable::kHistoryLimit + 30; ++i)
        history.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("weight")},
                                   {QStringLiteral("time_ms"), double(i)}});
    AdminStateTable table(kWorld);
    QVERIFY(table.restore({{QStringLiteral("version"), 1}, {QStringLiteral("history"), history}}, 0)
                .isEmpty());
    const QJsonArray kept = table.persistentState().value(QLatin1String("history")).toArray();
    QCOMPARE(kept.size(), AdminStateTable::kHistoryLimit);
    QCOMPARE(kept.first().toObject().value(QLatin1String("time_ms")).toDouble(), 30.0);
    QCOMPARE(kept.last().toObject().value(QLatin1String("time_ms")).toDouble(),
             double(AdminStateTable::kHistoryLimit + 29));

    // History that is not an array is dropped, not fatal.
    AdminStateTable other(kWorld);
    QVERIFY(other
                .restore({{QStringLiteral("version"), 1},
                          {QStringLiteral("history"), QStringLiteral("lots")}},
                         0)
                .isEmpty());
    QVERIFY(other.persistentState().value(QLatin1String("history")).toArray().isEmpty());
}

void TestAdminStatePersist::toJsonCarriesStateAndAdminState()
{
    AdminStateTable table(kWorld);
    table.setAssigned(2, 3, 5);
    QVERIFY(table.apply(command(R"({"op":"drain","node":"slave-2","reason":"why"})"), 10));
    QVERIFY(table.apply(command(R"({"op":"weight","node":"slave-3","value":4})"), 20));
    table.setLiveness(2, Liveness::Suspect, 30);
    table.setLiveness(3, Liveness::Down, 40);

    const QJsonObject json = table.toJson();
    QCOMPARE(json.value(QLatin1String("strategy")).toString(), QStringLiteral("pdds"));
    QCOMPARE(json.value(QLatin1String("w1")).toDouble(), 1.5);
    QCOMPARE(json.value(QLatin1String("w2")).toDouble(), 0.8);
    const QJsonArray nodes = json.value(QLatin1String("nodes")).toArray();
    QCOMPARE(nodes.size(), kWorld);
    for (int rank = 0; rank < kWorld; ++rank)
        QCOMPARE(nodes[rank].toObject().value(QLatin1String("rank")).toInt(-1), rank);

    QCOMPARE(dump(nodes[2].toObject()),
             dump(QJsonObject{{QStringLiteral("rank"), 2},
                              {QStringLiteral("state"), QStringLiteral("SUSPECT")},
                              {QStringLiteral("admin_state"), QStringLiteral("DRAINING")},
                              {QStringLiteral("weight"), 1.0},
                              {QStringLiteral("epoch"), 0.0},
                              {QStringLiteral("assigned"), 3},
                              {QStringLiteral("by"), kAlice},
                              {QStringLiteral("reason"), QStringLiteral("why")},
                              {QStringLiteral("since_ms"), 10.0}}));
    const QJsonObject slave3 = nodes[3].toObject();
    QCOMPARE(slave3.value(QLatin1String("state")).toString(), QStringLiteral("DOWN"));
    QCOMPARE(slave3.value(QLatin1String("admin_state")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(slave3.value(QLatin1String("weight")).toDouble(), 4.0);
    QCOMPARE(slave3.value(QLatin1String("epoch")).toDouble(), 1.0);
    const QJsonObject master = nodes[0].toObject();
    QCOMPARE(master.value(QLatin1String("state")).toString(), QStringLiteral("ACTIVE"));
    QCOMPARE(master.value(QLatin1String("admin_state")).toString(), QStringLiteral("ACTIVE"));
}

QTEST_GUILESS_MAIN(TestAdminStatePersist)
#include "tst_adminstatepersist.moc"
