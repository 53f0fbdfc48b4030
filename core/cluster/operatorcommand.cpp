#include "operatorcommand.h"

#include "sched/distributionstrategy.h"

#include <QRegularExpression>

#include <cmath>

namespace starling::cluster {

namespace {

std::optional<CommandOp> opFromString(const QString &text)
{
    for (CommandOp op :
         {CommandOp::Drain, CommandOp::Resume, CommandOp::Weight, CommandOp::Strategy,
          CommandOp::Shutdown, CommandOp::Load, CommandOp::Slow, CommandOp::Fault}) {
        if (toString(op) == text)
            return op;
    }
    return std::nullopt;
}

// Every shape problem is a bad argument except an op the cluster does not have.
Error fail(const QString &message)
{
    return Error{message, QStringLiteral("bad_argument")};
}

// What a client sent, for an error message: every JSON type by name, not as "0".
QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Undefined:
        return QStringLiteral("nothing");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 15);
    case QJsonValue::String:
        return QStringLiteral("\"%1\"").arg(v.toString().left(40));
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    }
    return {};
}

// A finite JSON number in [lo, hi], or a clear message naming the field.
Expected<double> number(const QJsonObject &o, QLatin1String key, double lo, double hi,
                        const QString &what)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < lo || v.toDouble() > hi)
        return fail(
            QStringLiteral("%1 must be a number %2, got %3").arg(QString(key), what, describe(v)));
    return v.toDouble();
}

bool takesNode(CommandOp op)
{
    return op == CommandOp::Drain || op == CommandOp::Resume || op == CommandOp::Weight ||
           op == CommandOp::Slow || op == CommandOp::Fault;
}

// Each reader checks the fields one op takes and fills them in; it returns the problem, if any.
using Problem = std::optional<QString>;

Problem readReason(const QJsonObject &o, OperatorCommand &c)
{
    const QJsonValue reason = o.value(QLatin1String("reason"));
    if (reason.isUndefined() || reason.isNull())
        return std::nullopt;
    if (!reason.isString() || reason.toString().size() > OperatorCommand::kMaxReasonLength)
        return QStringLiteral("reason must be a string of at most %1 characters")
            .arg(OperatorCommand::kMaxReasonLength);
    c.reason = reason.toString();
    return std::nullopt;
}

Problem readNode(const QJsonObject &o, OperatorCommand &c)
{
    if (!takesNode(c.op))
        return std::nullopt;
    const QJsonValue node = o.value(QLatin1String("node"));
    if (!node.isString() || node.toString().isEmpty() || node.toString().size() > 64)
        return QStringLiteral("%1 needs a node name, e.g. \"slave-2\"").arg(toString(c.op));
    c.node = node.toString();
    return std::nullopt;
}

Problem readWeight(const QJsonObject &o, OperatorCommand &c)
{
    if (c.op != CommandOp::Weight)
        return std::nullopt;
    const auto value = number(o, QLatin1String("value"), 0, OperatorCommand::kMaxWeight,
                              QStringLiteral("> 0 and <= 1e6"));
    if (!value)
        return value.error();
    if (*value <= 0)
        return QStringLiteral("value must be a number > 0 and <= 1e6, got 0");
    c.weight = *value;
    return std::nullopt;
}

Problem readSlowdown(const QJsonObject &o, OperatorCommand &c)
{
    if (c.op != CommandOp::Slow)
        return std::nullopt;
    const auto value = number(o, QLatin1String("factor"), 1, OperatorCommand::kMaxSlowdown,
                              QStringLiteral("from 1 to %1").arg(OperatorCommand::kMaxSlowdown));
    if (!value)
        return value.error();
    c.factor = *value;
    return std::nullopt;
}

Problem readStrategy(const QJsonObject &o, OperatorCommand &c)
{
    if (c.op != CommandOp::Strategy)
        return std::nullopt;
    c.strategy = o.value(QLatin1String("name")).toString();
    if (!sched::strategyKindFromString(c.strategy))
        return QStringLiteral("unknown strategy \"%1\" (expected equal, cpu, bw, pdds, "
                              "optimal or dynamic)")
            .arg(c.strategy.left(40));
    for (const auto &[key, slot] :
         {std::pair{QLatin1String("w1"), &c.w1}, std::pair{QLatin1String("w2"), &c.w2}}) {
        if (!o.contains(key))
            continue;
        const auto value = number(o, key, 0, 1e6, QStringLiteral(">= 0 and <= 1e6"));
        if (!value)
            return value.error();
        *slot = *value;
    }
    return std::nullopt;
}

Problem readFaultAction(const QJsonObject &o, OperatorCommand &c)
{
    if (c.op != CommandOp::Fault)
        return std::nullopt;
    const QString action = o.value(QLatin1String("action")).toString();
    static const QRegularExpression kAction(QStringLiteral("^[a-z][a-z_-]{0,31}$"));
    if (!kAction.match(action).hasMatch())
        return QStringLiteral("fault needs an action of 1 to %1 lower-case letters, "
                              "e.g. \"crash\"")
            .arg(OperatorCommand::kMaxActionLength);
    c.action = action;
    return std::nullopt;
}

Problem readLoad(const QJsonObject &o, OperatorCommand &c)
{
    if (c.op != CommandOp::Load)
        return std::nullopt;
    const auto tasks = number(o, QLatin1String("tasks"), 1, OperatorCommand::kMaxLoadTasks,
                              QStringLiteral("from 1 to %1").arg(OperatorCommand::kMaxLoadTasks));
    if (!tasks)
        return tasks.error();
    if (*tasks != std::floor(*tasks))
        return QStringLiteral("tasks must be a whole number");
    c.tasks = int(*tasks);
    const auto ms =
        number(o, QLatin1String("task_ms"), 1, 600000, QStringLiteral("from 1 to 600000"));
    if (!ms)
        return ms.error();
    c.taskMs = *ms;
    return std::nullopt;
}

} // namespace

QString toString(CommandOp op)
{
    switch (op) {
    case CommandOp::Drain:
        return QStringLiteral("drain");
    case CommandOp::Resume:
        return QStringLiteral("resume");
    case CommandOp::Weight:
        return QStringLiteral("weight");
    case CommandOp::Strategy:
        return QStringLiteral("strategy");
    case CommandOp::Shutdown:
        return QStringLiteral("shutdown");
    case CommandOp::Load:
        return QStringLiteral("load");
    case CommandOp::Slow:
        return QStringLiteral("slow");
    case CommandOp::Fault:
        return QStringLiteral("fault");
    }
    return {};
}

Expected<OperatorCommand> OperatorCommand::fromJson(const QJsonObject &o, const QString &client)
{
    OperatorCommand c;
    c.client = client;
    c.id = o.value(QLatin1String("id")).toString();
    const auto op = opFromString(o.value(QLatin1String("op")).toString());
    if (!op)
        return Error{QStringLiteral("unknown op \"%1\" (expected drain, resume, weight, strategy, "
                                    "shutdown, load, slow or fault)")
                         .arg(o.value(QLatin1String("op")).toString().left(40)),
                     QStringLiteral("unknown_op")};
    c.op = *op;
    // The fields are checked in this order so that a command with several problems is
    // reported by the same first one as always.
    for (const auto readField : {readReason, readNode, readWeight, readSlowdown, readStrategy,
                                 readFaultAction, readLoad}) {
        if (const auto problem = readField(o, c))
            return fail(*problem);
    }
    return c;
}

QJsonObject OperatorCommand::toJson() const
{
    // A command built by a client has no id (the bridge client picks one) and no client name
    // (the bridge names the connection), so neither goes on the wire empty.
    QJsonObject o{{QLatin1String("op"), toString(op)}};
    if (!id.isEmpty())
        o.insert(QLatin1String("id"), id);
    if (!client.isEmpty())
        o.insert(QLatin1String("client"), client);
    if (!reason.isEmpty())
        o.insert(QLatin1String("reason"), reason);
    if (takesNode(op))
        o.insert(QLatin1String("node"), node);
    if (op == CommandOp::Weight)
        o.insert(QLatin1String("value"), weight);
    if (op == CommandOp::Slow)
        o.insert(QLatin1String("factor"), factor);
    if (op == CommandOp::Fault)
        o.insert(QLatin1String("action"), action);
    if (op == CommandOp::Strategy) {
        o.insert(QLatin1String("name"), strategy);
        if (w1)
            o.insert(QLatin1String("w1"), *w1);
        if (w2)
            o.insert(QLatin1String("w2"), *w2);
    }
    if (op == CommandOp::Load) {
        o.insert(QLatin1String("tasks"), tasks);
        o.insert(QLatin1String("task_ms"), taskMs);
    }
    return o;
}

QString OperatorCommand::idOf(const QJsonObject &command)
{
    return command.value(QLatin1String("id")).toString();
}

} // namespace starling::cluster
