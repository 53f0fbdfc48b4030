// OperatorCommand: the shape check of a bridge command (types, ranges, known names), its
// error messages and its JSON form.
#include "cluster/operatorcommand.h"

#include <QJsonDocument>
#include <QTest>

#include <cmath>
#include <limits>

using namespace starling;
using namespace starling::cluster;

Q_DECLARE_METATYPE(starling::cluster::CommandOp)

// The cluster enums are compared by name: QCOMPARE would pick their QString toString() by
// argument-dependent lookup and fail to compile, and the names read better in a failure.

namespace {

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("test data is not a JSON object: %s", json.constData());
    return doc.object();
}

const QString kClient = QStringLiteral("console@ops-3");

void addBadColumns()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field"); // the message must name it
    QTest::addColumn<QString>("got");   // and say what it got instead (when not empty)
}

} // namespace

class TestOperatorCommand : public QObject
{
    Q_OBJECT

private slots:
    void opNames_data();
    void opNames();
    void parsesGoodInput_data();
    void parsesGoodInput();
    void badInput_data();
    void badInput();
    void nonFiniteNumbers_data();
    void nonFiniteNumbers();
    void boundariesAccepted_data();
    void boundariesAccepted();
    void roundTrip_data();
    void roundTrip();
    void toJsonOmitsUnusedFields();
};

void TestOperatorCommand::opNames_data()
{
    QTest::addColumn<CommandOp>("op");
    QTest::addColumn<QString>("name");
    QTest::newRow("drain") << CommandOp::Drain << QStringLiteral("drain");
    QTest::newRow("resume") << CommandOp::Resume << QStringLiteral("resume");
    QTest::newRow("weight") << CommandOp::Weight << QStringLiteral("weight");
    QTest::newRow("strategy") << CommandOp::Strategy << QStringLiteral("strategy");
    QTest::newRow("shutdown") << CommandOp::Shutdown << QStringLiteral("shutdown");
    QTest::newRow("load") << CommandOp::Load << QStringLiteral("load");
    QTest::newRow("slow") << CommandOp::Slow << QStringLiteral("slow");
    QTest::newRow("fault") << CommandOp::Fault << QStringLiteral("fault");
}

void TestOperatorCommand::opNames()
{
    QFETCH(CommandOp, op);
    QFETCH(QString, name);
    QCOMPARE(toString(op), name);
}

void TestOperatorCommand::parsesGoodInput_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<CommandOp>("op");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("node");
    QTest::addColumn<double>("weight");
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<double>("w1"); // -1: not given
    QTest::addColumn<double>("w2"); // -1: not given
    QTest::addColumn<int>("tasks");
    QTest::addColumn<double>("taskMs");
    QTest::addColumn<QString>("reason");

    const QString none;
    QTest::newRow("drain") << QByteArray(R"({"id":"c1","op":"drain","node":"slave-2",
                                            "reason":"disk swap"})")
                           << CommandOp::Drain << QStringLiteral("c1") << QStringLiteral("slave-2")
                           << 0.0 << none << -1.0 << -1.0 << 0 << 0.0
                           << QStringLiteral("disk swap");
    QTest::newRow("drain by rank, no reason")
        << QByteArray(R"({"op":"drain","node":"3"})") << CommandOp::Drain << none
        << QStringLiteral("3") << 0.0 << none << -1.0 << -1.0 << 0 << 0.0 << none;
    QTest::newRow("drain, null reason")
        << QByteArray(R"({"op":"drain","node":"slave-4","reason":null})") << CommandOp::Drain
        << none << QStringLiteral("slave-4") << 0.0 << none << -1.0 << -1.0 << 0 << 0.0 << none;
    QTest::newRow("resume") << QByteArray(R"({"id":"r","op":"resume","node":"slave-2"})")
                            << CommandOp::Resume << QStringLiteral("r") << QStringLiteral("slave-2")
                            << 0.0 << none << -1.0 << -1.0 << 0 << 0.0 << none;
    QTest::newRow("weight") << QByteArray(R"({"op":"weight","node":"slave-5","value":2.5})")
                            << CommandOp::Weight << none << QStringLiteral("slave-5") << 2.5 << none
                            << -1.0 << -1.0 << 0 << 0.0 << none;
    QTest::newRow("weight, tiny") << QByteArray(R"({"op":"weight","node":"slave-5","value":1e-9})")
                                  << CommandOp::Weight << none << QStringLiteral("slave-5") << 1e-9
                                  << none << -1.0 << -1.0 << 0 << 0.0 << none;
    QTest::newRow("strategy, name only")
        << QByteArray(R"({"op":"strategy","name":"equal"})") << CommandOp::Strategy << none << none
        << 0.0 << QStringLiteral("equal") << -1.0 << -1.0 << 0 << 0.0 << none;
    QTest::newRow("strategy pdds with w1 and w2")
        << QByteArray(R"({"op":"strategy","name":"pdds","w1":2,"w2":0,"reason":"io bound"})")
        << CommandOp::Strategy << none << none << 0.0 << QStringLiteral("pdds") << 2.0 << 0.0 << 0
        << 0.0 << QStringLiteral("io bound");
    QTest::newRow("strategy, only w2")
        << QByteArray(R"({"op":"strategy","name":"pdds","w2":0.5})") << CommandOp::Strategy << none
        << none << 0.0 << QStringLiteral("pdds") << -1.0 << 0.5 << 0 << 0.0 << none;
    for (const char *name : {"cpu", "bw", "optimal", "dynamic"}) {
        QTest::addRow("strategy %s", name)
            << QByteArray(R"({"op":"strategy","name":")") + name + "\"}" << CommandOp::Strategy
            << none << none << 0.0 << QString::fromLatin1(name) << -1.0 << -1.0 << 0 << 0.0 << none;
    }
    QTest::newRow("shutdown") << QByteArray(R"({"id":"s","op":"shutdown","reason":"maintenance"})")
                              << CommandOp::Shutdown << QStringLiteral("s") << none << 0.0 << none
                              << -1.0 << -1.0 << 0 << 0.0 << QStringLiteral("maintenance");
    QTest::newRow("load") << QByteArray(R"({"op":"load","tasks":40,"task_ms":250})")
                          << CommandOp::Load << none << none << 0.0 << none << -1.0 << -1.0 << 40
                          << 250.0 << none;
    QTest::newRow("load, fractional ms")
        << QByteArray(R"({"op":"load","tasks":1,"task_ms":1.5})") << CommandOp::Load << none << none
        << 0.0 << none << -1.0 << -1.0 << 1 << 1.5 << none;
    QTest::newRow("slow") << QByteArray(R"({"op":"slow","node":"slave-3","factor":2.5})")
                          << CommandOp::Slow << none << QStringLiteral("slave-3") << 0.0 << none
                          << -1.0 << -1.0 << 0 << 0.0 << none;
    // Fields that do not belong to the op are ignored, not copied.
    QTest::newRow("shutdown ignores node")
        << QByteArray(R"({"op":"shutdown","node":"slave-2","value":3})") << CommandOp::Shutdown
        << none << none << 0.0 << none << -1.0 << -1.0 << 0 << 0.0 << none;
}

void TestOperatorCommand::parsesGoodInput()
{
    QFETCH(QByteArray, json);
    QFETCH(CommandOp, op);
    QFETCH(QString, id);
    QFETCH(QString, node);
    QFETCH(double, weight);
    QFETCH(QString, strategy);
    QFETCH(double, w1);
    QFETCH(double, w2);
    QFETCH(int, tasks);
    QFETCH(double, taskMs);
    QFETCH(QString, reason);

    const auto command = OperatorCommand::fromJson(parse(json), kClient);
    QVERIFY2(command.hasValue(), qPrintable(command ? QString() : command.error()));
    QCOMPARE(toString(command->op), toString(op));
    QCOMPARE(command->id, id);
    QCOMPARE(command->client, kClient);
    QCOMPARE(command->node, node);
    QCOMPARE(command->weight, weight);
    QCOMPARE(command->strategy, strategy);
    QCOMPARE(command->w1.has_value(), w1 >= 0);
    if (w1 >= 0)
        QCOMPARE(*command->w1, w1);
    QCOMPARE(command->w2.has_value(), w2 >= 0);
    if (w2 >= 0)
        QCOMPARE(*command->w2, w2);
    QCOMPARE(command->tasks, tasks);
    QCOMPARE(command->taskMs, taskMs);
    QCOMPARE(command->reason, reason);
}

void TestOperatorCommand::badInput_data()
{
    addBadColumns();
    const QString longName = QString(65, QLatin1Char('n'));
    const QByteArray longReason = QByteArray(R"({"op":"drain","node":"slave-2","reason":")") +
                                  QByteArray(OperatorCommand::kMaxReasonLength + 1, 'r') + "\"}";

    // op
    QTest::newRow("empty object") << QByteArray("{}") << QStringLiteral("op")
                                  << QStringLiteral("drain, resume, weight");
    QTest::newRow("unknown op") << QByteArray(R"({"op":"reboot","node":"slave-2"})")
                                << QStringLiteral("op") << QStringLiteral("\"reboot\"");
    QTest::newRow("op in capitals") << QByteArray(R"({"op":"DRAIN","node":"slave-2"})")
                                    << QStringLiteral("op") << QStringLiteral("\"DRAIN\"");
    QTest::newRow("op a number") << QByteArray(R"({"op":1,"node":"slave-2"})")
                                 << QStringLiteral("op") << QString();

    // fault: a node and a short lower-case action
    QTest::newRow("fault, no action") << QByteArray(R"({"op":"fault","node":"slave-2"})")
                                      << QStringLiteral("action") << QStringLiteral("crash");
    QTest::newRow("fault, action a number")
        << QByteArray(R"({"op":"fault","node":"slave-2","action":7})") << QStringLiteral("action")
        << QString();
    QTest::newRow("fault, action with a newline")
        << QByteArray(R"({"op":"fault","node":"slave-2","action":"cut\nforged"})")
        << QStringLiteral("action") << QString();
    QTest::newRow("fault, action too long")
        << (QByteArray(R"({"op":"fault","node":"slave-2","action":")") + QByteArray(33, 'a') +
            "\"}")
        << QStringLiteral("action") << QString();
    QTest::newRow("fault, no node")
        << QByteArray(R"({"op":"fault","action":"crash"})") << QStringLiteral("node") << QString();

    // node (drain, resume and weight need one)
    QTest::newRow("drain, node missing")
        << QByteArray(R"({"op":"drain"})") << QStringLiteral("node") << QStringLiteral("drain");
    QTest::newRow("drain, node empty")
        << QByteArray(R"({"op":"drain","node":""})") << QStringLiteral("node") << QString();
    QTest::newRow("drain, node a number")
        << QByteArray(R"({"op":"drain","node":2})") << QStringLiteral("node") << QString();
    QTest::newRow("drain, node too long")
        << QByteArray(R"({"op":"drain","node":")") + longName.toLatin1() + "\"}"
        << QStringLiteral("node") << QString();
    QTest::newRow("resume, node missing")
        << QByteArray(R"({"op":"resume"})") << QStringLiteral("node") << QStringLiteral("resume");
    QTest::newRow("weight, node missing") << QByteArray(R"({"op":"weight","value":2})")
                                          << QStringLiteral("node") << QStringLiteral("weight");

    // reason
    QTest::newRow("reason too long") << longReason << QStringLiteral("reason")
                                     << QString::number(OperatorCommand::kMaxReasonLength);
    QTest::newRow("reason a number") << QByteArray(R"({"op":"drain","node":"slave-2","reason":7})")
                                     << QStringLiteral("reason") << QString();
    QTest::newRow("reason an object") << QByteArray(R"({"op":"shutdown","reason":{"why":"x"}})")
                                      << QStringLiteral("reason") << QString();

    // weight's value
    const QByteArray weightPrefix = R"({"op":"weight","node":"slave-2")";
    QTest::newRow("weight 0") << weightPrefix + R"(,"value":0})" << QStringLiteral("value")
                              << QStringLiteral("got 0");
    QTest::newRow("weight -0") << weightPrefix + R"(,"value":-0.0})" << QStringLiteral("value")
                               << QStringLiteral("got 0");
    QTest::newRow("weight negative")
        << weightPrefix + R"(,"value":-2})" << QStringLiteral("value") << QStringLiteral("got -2");
    QTest::newRow("weight abc") << weightPrefix + R"(,"value":"abc"})" << QStringLiteral("value")
                                << QStringLiteral("got \"abc\"");
    QTest::newRow("weight numeric string")
        << weightPrefix + R"(,"value":"2"})" << QStringLiteral("value") << QStringLiteral("\"2\"");
    QTest::newRow("weight NaN string") << weightPrefix + R"(,"value":"NaN"})"
                                       << QStringLiteral("value") << QStringLiteral("\"NaN\"");
    QTest::newRow("weight Infinity string")
        << weightPrefix + R"(,"value":"Infinity"})" << QStringLiteral("value")
        << QStringLiteral("\"Infinity\"");
    QTest::newRow("weight 1e7") << weightPrefix + R"(,"value":1e7})" << QStringLiteral("value")
                                << QStringLiteral("got 10000000");
    QTest::newRow("weight just above 1e6")
        << weightPrefix + R"(,"value":1000000.5})" << QStringLiteral("value")
        << QStringLiteral("got 1000000.5");
    QTest::newRow("weight missing")
        << weightPrefix + "}" << QStringLiteral("value") << QStringLiteral("got nothing");
    QTest::newRow("weight null") << weightPrefix + R"(,"value":null})" << QStringLiteral("value")
                                 << QStringLiteral("got null");
    QTest::newRow("weight true") << weightPrefix + R"(,"value":true})" << QStringLiteral("value")
                                 << QStringLiteral("got true");
    QTest::newRow("weight array") << weightPrefix + R"(,"value":[2]})" << QStringLiteral("value")
                                  << QStringLiteral("got an array");
    QTest::newRow("weight object") << weightPrefix + R"(,"value":{"v":2}})"
                                   << QStringLiteral("value") << QStringLiteral("got an object");

    // strategy
    QTest::newRow("strategy unknown")
        << QByteArray(R"({"op":"strategy","name":"fastest"})") << QStringLiteral("strategy")
        << QStringLiteral("\"fastest\"");
    QTest::newRow("strategy name missing")
        << QByteArray(R"({"op":"strategy"})") << QStringLiteral("strategy")
        << QStringLiteral("equal, cpu, bw, pdds");
    QTest::newRow("strategy in capitals")
        << QByteArray(R"({"op":"strategy","name":"PDDS"})") << QStringLiteral("strategy")
        << QStringLiteral("\"PDDS\"");
    QTest::newRow("w1 negative") << QByteArray(R"({"op":"strategy","name":"pdds","w1":-1})")
                                 << QStringLiteral("w1") << QStringLiteral("got -1");
    QTest::newRow("w2 negative") << QByteArray(R"({"op":"strategy","name":"pdds","w2":-0.5})")
                                 << QStringLiteral("w2") << QStringLiteral("got -0.5");
    QTest::newRow("w1 string") << QByteArray(R"({"op":"strategy","name":"pdds","w1":"1.5"})")
                               << QStringLiteral("w1") << QStringLiteral("got \"1.5\"");
    QTest::newRow("w2 string") << QByteArray(R"({"op":"strategy","name":"pdds","w2":"high"})")
                               << QStringLiteral("w2") << QStringLiteral("got \"high\"");
    QTest::newRow("w1 null") << QByteArray(R"({"op":"strategy","name":"pdds","w1":null})")
                             << QStringLiteral("w1") << QStringLiteral("got null");
    QTest::newRow("w1 too large") << QByteArray(R"({"op":"strategy","name":"pdds","w1":2e6})")
                                  << QStringLiteral("w1") << QStringLiteral("<= 1e6, got 2000000");

    // load
    QTest::newRow("load, tasks 0") << QByteArray(R"({"op":"load","tasks":0,"task_ms":10})")
                                   << QStringLiteral("tasks") << QStringLiteral("got 0");
    QTest::newRow("load, tasks negative") << QByteArray(R"({"op":"load","tasks":-3,"task_ms":10})")
                                          << QStringLiteral("tasks") << QStringLiteral("got -3");
    QTest::newRow("load, tasks 1.5") << QByteArray(R"({"op":"load","tasks":1.5,"task_ms":10})")
                                     << QStringLiteral("tasks") << QStringLiteral("whole");
    QTest::newRow("load, tasks 100001")
        << QByteArray(R"({"op":"load","tasks":100001,"task_ms":10})") << QStringLiteral("tasks")
        << QStringLiteral("got 100001");
    QTest::newRow("load, tasks a string")
        << QByteArray(R"({"op":"load","tasks":"10","task_ms":10})") << QStringLiteral("tasks")
        << QStringLiteral("got \"10\"");
    QTest::newRow("load, tasks missing") << QByteArray(R"({"op":"load","task_ms":10})")
                                         << QStringLiteral("tasks") << QStringLiteral("nothing");
    QTest::newRow("load, task_ms 0") << QByteArray(R"({"op":"load","tasks":5,"task_ms":0})")
                                     << QStringLiteral("task_ms") << QStringLiteral("got 0");
    QTest::newRow("load, task_ms too long")
        << QByteArray(R"({"op":"load","tasks":5,"task_ms":600001})") << QStringLiteral("task_ms")
        << QStringLiteral("got 600001");
    QTest::newRow("load, task_ms missing")
        << QByteArray(R"({"op":"load","tasks":5})") << QStringLiteral("task_ms")
        << QStringLiteral("nothing");

    // slow
    QTest::newRow("slow, no node") << QByteArray(R"({"op":"slow","factor":2})")
                                   << QStringLiteral("slow") << QStringLiteral("node name");
    QTest::newRow("slow, factor missing") << QByteArray(R"({"op":"slow","node":"slave-2"})")
                                          << QStringLiteral("factor") << QStringLiteral("nothing");
    QTest::newRow("slow, factor below 1")
        << QByteArray(R"({"op":"slow","node":"slave-2","factor":0.5})") << QStringLiteral("factor")
        << QStringLiteral("got 0.5");
    QTest::newRow("slow, factor too large")
        << QByteArray(R"({"op":"slow","node":"slave-2","factor":1001})") << QStringLiteral("factor")
        << QStringLiteral("got 1001");
    QTest::newRow("slow, factor a string")
        << QByteArray(R"({"op":"slow","node":"slave-2","factor":"2"})") << QStringLiteral("factor")
        << QStringLiteral("got \"2\"");
}

void TestOperatorCommand::badInput()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, got);
    const auto command = OperatorCommand::fromJson(parse(json), kClient);
    QVERIFY2(!command.hasValue(), json.constData());
    const QString message = command.error();
    QVERIFY2(message.contains(field), qPrintable(message));
    QCOMPARE(command.errorCode(), message.startsWith(QLatin1String("unknown op"))
                                      ? QStringLiteral("unknown_op")
                                      : QStringLiteral("bad_argument"));
    if (!got.isEmpty())
        QVERIFY2(message.contains(got), qPrintable(message));
    // One readable line, bounded even when the input is huge.
    QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
    QVERIFY2(message.size() < 200, qPrintable(message));
}

void TestOperatorCommand::nonFiniteNumbers_data()
{
    // JSON text cannot carry these, but a QJsonObject built in code can: still refused.
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("weight NaN") << QStringLiteral("weight") << QStringLiteral("value") << nan;
    QTest::newRow("weight +inf") << QStringLiteral("weight") << QStringLiteral("value") << inf;
    QTest::newRow("w1 NaN") << QStringLiteral("strategy") << QStringLiteral("w1") << nan;
    QTest::newRow("w2 +inf") << QStringLiteral("strategy") << QStringLiteral("w2") << inf;
    QTest::newRow("tasks NaN") << QStringLiteral("load") << QStringLiteral("tasks") << nan;
    QTest::newRow("task_ms +inf") << QStringLiteral("load") << QStringLiteral("task_ms") << inf;
}

void TestOperatorCommand::nonFiniteNumbers()
{
    QFETCH(QString, op);
    QFETCH(QString, field);
    QFETCH(double, value);
    QJsonObject o{{QStringLiteral("op"), op},   {QStringLiteral("node"), QStringLiteral("slave-2")},
                  {QStringLiteral("value"), 2}, {QStringLiteral("name"), QStringLiteral("pdds")},
                  {QStringLiteral("tasks"), 3}, {QStringLiteral("task_ms"), 10}};
    QVERIFY(OperatorCommand::fromJson(o, kClient).hasValue());
    o.insert(field, value);
    const auto command = OperatorCommand::fromJson(o, kClient);
    QVERIFY(!command.hasValue());
    QVERIFY2(command.error().startsWith(field + QLatin1Char(' ')), qPrintable(command.error()));
}

void TestOperatorCommand::boundariesAccepted_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("weight 1e6") << QByteArray(R"({"op":"weight","node":"slave-2","value":1e6})");
    QTest::newRow("w1 0, w2 1e6") << QByteArray(R"({"op":"strategy","name":"pdds","w1":0,)"
                                                R"("w2":1000000})");
    QTest::newRow("tasks 1") << QByteArray(R"({"op":"load","tasks":1,"task_ms":1})");
    QTest::newRow("tasks 100000, task_ms 600000")
        << QByteArray(R"({"op":"load","tasks":100000,"task_ms":600000})");
    QTest::newRow("tasks 2.0") << QByteArray(R"({"op":"load","tasks":2.0,"task_ms":5})");
    QTest::newRow("node 64 characters")
        << QByteArray(R"({"op":"drain","node":")") + QByteArray(64, 'n') + "\"}";
    QTest::newRow("reason 500 characters")
        << QByteArray(R"({"op":"shutdown","reason":")") +
               QByteArray(OperatorCommand::kMaxReasonLength, 'r') + "\"}";
}

void TestOperatorCommand::boundariesAccepted()
{
    QFETCH(QByteArray, json);
    const auto command = OperatorCommand::fromJson(parse(json), kClient);
    QVERIFY2(command.hasValue(), qPrintable(command ? QString() : command.error()));
}

void TestOperatorCommand::roundTrip_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("drain") << QByteArray(R"({"id":"a1","op":"drain","node":"slave-3",)"
                                         R"("reason":"kernel update"})");
    QTest::newRow("resume") << QByteArray(R"({"id":"a2","op":"resume","node":"2"})");
    QTest::newRow("weight") << QByteArray(R"({"op":"weight","node":"slave-5","value":0.125,)"
                                          R"("reason":"slow disk"})");
    QTest::newRow("strategy, no weights") << QByteArray(R"({"op":"strategy","name":"optimal"})");
    QTest::newRow("strategy, w1 and w2")
        << QByteArray(R"({"id":"x","op":"strategy","name":"pdds","w1":0,"w2":3.25})");
    QTest::newRow("strategy, w1 only") << QByteArray(R"({"op":"strategy","name":"pdds","w1":4})");
    QTest::newRow("shutdown") << QByteArray(R"({"op":"shutdown","reason":"end of demo"})");
    QTest::newRow("load") << QByteArray(R"({"id":"l","op":"load","tasks":99999,"task_ms":12.5})");
    QTest::newRow("slow") << QByteArray(R"({"op":"slow","node":"slave-4","factor":3.5})");
    QTest::newRow("fault") << QByteArray(R"({"op":"fault","node":"slave-4","action":"cut",)"
                                         R"("reason":"starling lab cut"})");
}

void TestOperatorCommand::roundTrip()
{
    QFETCH(QByteArray, json);
    const auto first = OperatorCommand::fromJson(parse(json), kClient);
    QVERIFY2(first.hasValue(), qPrintable(first ? QString() : first.error()));
    const QJsonObject encoded = first->toJson();
    QCOMPARE(encoded.value(QLatin1String("client")).toString(), kClient);

    // The client comes from the connection, not from the object: another name wins.
    const auto second = OperatorCommand::fromJson(encoded, QStringLiteral("other"));
    QVERIFY2(second.hasValue(), qPrintable(second ? QString() : second.error()));
    QCOMPARE(second->client, QStringLiteral("other"));
    QCOMPARE(second->id, first->id);
    QCOMPARE(toString(second->op), toString(first->op));
    QCOMPARE(second->node, first->node);
    QCOMPARE(second->weight, first->weight);
    QCOMPARE(second->strategy, first->strategy);
    QCOMPARE(second->w1, first->w1);
    QCOMPARE(second->w2, first->w2);
    QCOMPARE(second->tasks, first->tasks);
    QCOMPARE(second->taskMs, first->taskMs);
    QCOMPARE(second->reason, first->reason);
    QCOMPARE(second->factor, first->factor);

    const auto third = OperatorCommand::fromJson(second->toJson(), kClient);
    QVERIFY(third.hasValue());
    QCOMPARE(third->toJson(), encoded);
}

void TestOperatorCommand::toJsonOmitsUnusedFields()
{
    const auto drain = OperatorCommand::fromJson(parse(R"({"op":"drain","node":"slave-2"})"), {});
    QVERIFY(drain.hasValue());
    const QJsonObject o = drain->toJson();
    QCOMPARE(o.value(QLatin1String("op")).toString(), QStringLiteral("drain"));
    QCOMPARE(o.value(QLatin1String("node")).toString(), QStringLiteral("slave-2"));
    for (const char *key : {"reason", "value", "name", "w1", "w2", "tasks", "task_ms"})
        QVERIFY2(!o.contains(QLatin1String(key)), key);

    const auto strategy =
        OperatorCommand::fromJson(parse(R"({"op":"strategy","name":"equal","w2":1})"), {});
    QVERIFY(strategy.hasValue());
    const QJsonObject s = strategy->toJson();
    QVERIFY(!s.contains(QLatin1String("w1")));
    QCOMPARE(s.value(QLatin1String("w2")).toDouble(), 1.0);
    QVERIFY(!s.contains(QLatin1String("node")));
}

QTEST_GUILESS_MAIN(TestOperatorCommand)
#include "tst_operatorcommand.moc"
