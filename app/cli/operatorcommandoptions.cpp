#include "operatorcommandoptions.h"

#include "cliparsing.h"

#include <cmath>
#include <optional>

namespace starling::cli {

namespace {

using cluster::CommandOp;

QString synopsis(const QString &verb)
{
    if (verb == QLatin1String("drain"))
        return QStringLiteral("starling drain NODE --reason TEXT: stop giving NODE new tasks; "
                              "it becomes DRAINED when its in-flight tasks are done.");
    if (verb == QLatin1String("resume"))
        return QStringLiteral("starling resume NODE: make a drained NODE ACTIVE again.");
    if (verb == QLatin1String("weight"))
        return QStringLiteral("starling weight NODE VALUE: set NODE's weight W_i (> 0) for "
                              "the next allocations.");
    if (verb == QLatin1String("slow"))
        return QStringLiteral("starling slow NODE FACTOR: from now on NODE computes FACTOR "
                              "times slower (1 to 1000; 1 restores it). For demos and "
                              "benchmarks of dynamic scheduling; not kept across restarts.");
    if (verb == QLatin1String("strategy"))
        return QStringLiteral("starling strategy NAME [--w1 X --w2 Y]: set the cluster's "
                              "default strategy (equal, cpu, bw, pdds, optimal, dynamic).");
    return QStringLiteral("starling load --tasks N --task-ms MS: give the cluster N "
                          "synthetic tasks (demo load generator).");
}

std::optional<double> finiteNumber(const QString &text)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

Expected<OperatorCommandOptions> readNodeOnly(OperatorCommandOptions o, const QStringList &args)
{
    if (args.size() != 1)
        return Error{QStringLiteral("usage: starling %1 NODE%2")
                         .arg(o.verb, o.command.op == CommandOp::Drain
                                          ? QStringLiteral(" --reason TEXT")
                                          : QString())};
    o.command.node = args[0];
    return o;
}

Expected<OperatorCommandOptions> readWeight(OperatorCommandOptions o, const QStringList &args)
{
    if (args.size() != 2)
        return Error{QStringLiteral("usage: starling weight NODE VALUE")};
    const auto value = finiteNumber(args[1]);
    if (!value || *value <= 0)
        return Error{QStringLiteral("weight must be a number > 0, got \"%1\"").arg(args[1])};
    o.command.node = args[0];
    o.command.weight = *value;
    return o;
}

Expected<OperatorCommandOptions> readSlowdown(OperatorCommandOptions o, const QStringList &args)
{
    if (args.size() != 2)
        return Error{QStringLiteral("usage: starling slow NODE FACTOR")};
    const auto value = finiteNumber(args[1]);
    if (!value || *value < 1 || *value > 1000)
        return Error{
            QStringLiteral("factor must be a number from 1 to 1000, got \"%1\"").arg(args[1])};
    o.command.node = args[0];
    o.command.factor = *value;
    return o;
}

Expected<OperatorCommandOptions> readStrategy(OperatorCommandOptions o, const QStringList &args,
                                              const QCommandLineParser &parser)
{
    if (args.size() != 1)
        return Error{QStringLiteral("usage: starling strategy NAME [--w1 X --w2 Y]")};
    o.command.strategy = args[0];
    for (const auto &[key, slot] : {std::pair{QStringLiteral("w1"), &o.command.w1},
                                    std::pair{QStringLiteral("w2"), &o.command.w2}}) {
        if (!parser.isSet(key))
            continue;
        const auto value = finiteNumber(parser.value(key));
        if (!value || *value < 0)
            return Error{QStringLiteral("--%1 must be a number >= 0").arg(key)};
        *slot = *value;
    }
    return o;
}

Expected<OperatorCommandOptions> readLoad(OperatorCommandOptions o, const QStringList &args,
                                          const QCommandLineParser &parser)
{
    if (!args.isEmpty())
        return Error{QStringLiteral("usage: starling load --tasks N --task-ms MS")};
    const auto tasks = finiteNumber(parser.value(QStringLiteral("tasks")));
    const auto ms = finiteNumber(parser.value(QStringLiteral("task-ms")));
    if (!tasks || !ms)
        return Error{QStringLiteral("load needs --tasks N and --task-ms MS (numbers)")};
    o.loadTasks = *tasks;
    // Out of int's range it is refused by the monitor anyway; loadTasks is what is sent.
    o.command.tasks = std::abs(*tasks) < 1e9 ? int(*tasks) : 0;
    o.command.taskMs = *ms;
    return o;
}

CommandOp opOf(const QString &verb)
{
    for (CommandOp op : {CommandOp::Drain, CommandOp::Resume, CommandOp::Weight, CommandOp::Slow,
                         CommandOp::Strategy}) {
        if (cluster::toString(op) == verb)
            return op;
    }
    return CommandOp::Load;
}

} // namespace

void describeOperatorCommand(QCommandLineParser &parser, const QString &verb)
{
    parser.setApplicationDescription(synopsis(verb));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addOption({QStringLiteral("reason"), QStringLiteral("Why (kept in the history)."),
                      QStringLiteral("text")});
    parser.addOption(
        {QStringLiteral("json"), QStringLiteral("Print the cluster's answer as JSON.")});
    if (verb == QLatin1String("strategy")) {
        parser.addOption(
            {QStringLiteral("w1"), QStringLiteral("PDDS weight of T_i."), QStringLiteral("x")});
        parser.addOption(
            {QStringLiteral("w2"), QStringLiteral("PDDS weight of B_i."), QStringLiteral("y")});
    }
    if (verb == QLatin1String("load")) {
        parser.addOption(
            {QStringLiteral("tasks"), QStringLiteral("How many tasks."), QStringLiteral("n")});
        parser.addOption({QStringLiteral("task-ms"),
                          QStringLiteral("Cost of one task on a standard slave (ms)."),
                          QStringLiteral("ms")});
    }
}

Expected<OperatorCommandOptions> parseOperatorCommandOptions(const QString &verb,
                                                             const QCommandLineParser &parser)
{
    OperatorCommandOptions o;
    o.verb = verb;
    o.runDir = parser.value(QStringLiteral("run-dir"));
    o.json = parser.isSet(QStringLiteral("json"));
    o.command.op = opOf(verb);
    o.command.reason = parser.value(QStringLiteral("reason"));
    const QStringList args = parser.positionalArguments();
    switch (o.command.op) {
    case CommandOp::Weight:
        return readWeight(o, args);
    case CommandOp::Slow:
        return readSlowdown(o, args);
    case CommandOp::Strategy:
        return readStrategy(o, args, parser);
    case CommandOp::Load:
        return readLoad(o, args, parser);
    default:
        return readNodeOnly(o, args);
    }
}

QJsonObject operatorCommandJson(const OperatorCommandOptions &options)
{
    QJsonObject json = options.command.toJson();
    if (options.command.op == CommandOp::Load)
        json.insert(QLatin1String("tasks"), options.loadTasks);
    return json;
}

} // namespace starling::cli
