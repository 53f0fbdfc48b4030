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
    const QJsonValue reason = o.value(QLatin1String("reason"));
    if (!reason.isUndefined() && !reason.isNull()) {
        if (!reason.isString() || reason.toString().size() > kMaxReasonLength)
            return fail(QStringLiteral("reason must be a string of at most %1 characters")
                            .arg(kMaxReasonLength));
        c.reason = reason.toString();
    }
    if (c.op == CommandOp::Drain || c.op == CommandOp::Resume || c.op == CommandOp::Weight ||
        c.op == CommandOp::Slow || c.op == CommandOp::Fault) {
        const QJsonValue node = o.value(QLatin1String("node"));
        if (!node.isString() || node.toString().isEmpty() || node.toString().size() > 64)
            return fail(
                QStringLiteral("%1 needs a node name, e.g. \"slave-2\"").arg(toString(c.op)));
        c.node = node.toString();
    }
    if (c.op == CommandOp::Weight) {
        const auto value =
            number(o, QLatin1String("value"), 0, kMaxWeight, QStringLiteral("> 0 and <= 1e6"));
        if (!value)
            return fail(value.error());
        if (*value <= 0)
            return fail(QStringLiteral("value must be a number > 0 and <= 1e6, got 0"));
        c.weight = *value;
    }
    if (c.op == CommandOp::Slow) {
        const auto value = number(o, QLatin1String("factor"), 1, kMaxSlowdown,
                                  QStringLiteral("from 1 to %1").arg(kMaxSlowdown));
        if (!value)
            return fail(value.error());
        c.factor = *value;
    }
    if (c.op == CommandOp::Strategy) {
        c.strategy = o.value(QLatin1String("name")).toString();
        if (!sched::strategyKindFromString(c.strategy))
            return fail(QStringLiteral("unknown strategy \"%1\" (expected equal, cpu, bw, pdds, "
                                       "optimal or dynamic)")
                            .arg(c.strategy.left(40)));
        for (const auto &[key, slot] :
             {std::pair{QLatin1String("w1"), &c.w1}, std::pair{QLatin1String("w2"), &c.w2}}) {
            if (o.contains(key)) {
                const auto value = number(o, key, 0, 1e6, QStringLiteral(">= 0 and <= 1e6"));
                if (!value)
                    return fail(value.error());
                *slot = *value;
            }
        }
    }
    if (c.op == CommandOp::Fault) {
        const QString action = o.value(QLatin1String("action")).toString();
        static const QRegularExpression kAction(QStringLiteral("^[a-z][a-z_-]{0,31}$"));
        if (!kAction.match(action).hasMatch())
            return fail(QStringLiteral("fault needs an action of 1 to %1 lower-case letters, "
                                       "e.g. \"crash\"")
                            .arg(kMaxActionLength));
        c.action = action;
    }
    if (c.op == CommandOp::Load) {
        const auto tasks = number(o, QLatin1String("tasks"), 1, kMaxLoadTasks,
                                  QStringLiteral("from 1 to %1").arg(kMaxLoadTasks));
        if (!tasks)
            return fail(tasks.error());
        if (*tasks != std::floor(*tasks))
            return fail(QStringLiteral("tasks must be a whole number"));
        c.tasks = int(*tasks);
        const auto ms =
            number(o, QLatin1String("task_ms"), 1, 600000, QStringLiteral("from 1 to 600000"));
        if (!ms)
            return fail(ms.error());
        c.taskMs = *ms;
    }
    return c;
}

QJsonObject OperatorCommand::toJson() const
{
    QJsonObject o{{QLatin1String("id"), id},
                  {QLatin1String("op"), toString(op)},
                  {QLatin1String("client"), client}};
    if (!reason.isEmpty())
        o.insert(QLatin1String("reason"), reason);
    if (!node.isEmpty())
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
