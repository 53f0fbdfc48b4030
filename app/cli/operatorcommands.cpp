#include "operatorcommands.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/clustersnapshot.h"
#include "cluster/statustable.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace starling::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

} // namespace

int runStatusCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Show the cluster's nodes at a glance."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the snapshot as JSON.")});
    parser.addOption({QStringLiteral("watch"),
                      QStringLiteral("Keep printing every new snapshot until Ctrl-C.")});
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("status takes no arguments"));
    auto opened = BridgeLink::open(parser.value(QStringLiteral("run-dir")));
    if (!opened)
        return usageError(opened.error());
    BridgeLink &link = *opened.value();

    const bool json = parser.isSet(QStringLiteral("json"));
    const bool watch = parser.isSet(QStringLiteral("watch"));
    const bool tty = ::isatty(STDOUT_FILENO);
    if (watch) {
        std::signal(SIGINT, onInterrupt);
        std::signal(SIGTERM, onInterrupt);
    }
    do {
        const auto snapshot = link.nextSnapshot(watch ? 1000 : 15000);
        if (g_interrupted)
            break;
        if (!snapshot) {
            if (watch && snapshot.error().startsWith(QLatin1String("no snapshot")))
                continue; // quiet cluster second; keep watching
            return usageError(snapshot.error());
        }
        if (json) {
            std::printf("%s\n",
                        QJsonDocument(*snapshot)
                            .toJson(watch ? QJsonDocument::Compact : QJsonDocument::Indented)
                            .constData());
        } else {
            if (watch && tty)
                std::printf("\033[H\033[2J"); // redraw in place, like watch(1)
            std::printf("%s", qPrintable(cluster::formatStatusTable(
                                  cluster::ClusterSnapshot::fromJson(*snapshot))));
            if (watch && !tty)
                std::printf("\n");
        }
        std::fflush(stdout);
    } while (watch && !g_interrupted);
    return 0;
}

int runOperatorCommand(const QString &op, const QStringList &arguments)
{
    QCommandLineParser parser;
    QString synopsis;
    if (op == QLatin1String("drain"))
        synopsis = QStringLiteral("starling drain NODE --reason TEXT: stop giving NODE new tasks; "
                                  "it becomes DRAINED when its in-flight tasks are done.");
    else if (op == QLatin1String("resume"))
        synopsis = QStringLiteral("starling resume NODE: make a drained NODE ACTIVE again.");
    else if (op == QLatin1String("weight"))
        synopsis = QStringLiteral("starling weight NODE VALUE: set NODE's weight W_i (> 0) for "
                                  "the next allocations.");
    else if (op == QLatin1String("slow"))
        synopsis = QStringLiteral("starling slow NODE FACTOR: from now on NODE computes FACTOR "
                                  "times slower (1 to 1000; 1 restores it). For demos and "
                                  "benchmarks of dynamic scheduling; not kept across restarts.");
    else if (op == QLatin1String("strategy"))
        synopsis = QStringLiteral("starling strategy NAME [--w1 X --w2 Y]: set the cluster's "
                                  "default strategy (equal, cpu, bw, pdds, optimal, dynamic).");
    else
        synopsis = QStringLiteral("starling load --tasks N --task-ms MS: give the cluster N "
                                  "synthetic tasks (demo load generator).");
    parser.setApplicationDescription(synopsis);
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addOption({QStringLiteral("reason"), QStringLiteral("Why (kept in the history)."),
                      QStringLiteral("text")});
    parser.addOption(
        {QStringLiteral("json"), QStringLiteral("Print the cluster's answer as JSON.")});
    if (op == QLatin1String("strategy")) {
        parser.addOption(
            {QStringLiteral("w1"), QStringLiteral("PDDS weight of T_i."), QStringLiteral("x")});
        parser.addOption(
            {QStringLiteral("w2"), QStringLiteral("PDDS weight of B_i."), QStringLiteral("y")});
    }
    if (op == QLatin1String("load")) {
        parser.addOption(
            {QStringLiteral("tasks"), QStringLiteral("How many tasks."), QStringLiteral("n")});
        parser.addOption({QStringLiteral("task-ms"),
                          QStringLiteral("Cost of one task on a standard slave (ms)."),
                          QStringLiteral("ms")});
    }
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    QJsonObject command{{QLatin1String("op"), op}};
    if (parser.isSet(QStringLiteral("reason")))
        command.insert(QLatin1String("reason"), parser.value(QStringLiteral("reason")));

    const auto number = [&](const QString &text, const QString &what) -> std::optional<double> {
        bool ok = false;
        const double value = text.toDouble(&ok);
        if (!ok || !std::isfinite(value))
            return std::nullopt;
        Q_UNUSED(what);
        return value;
    };
    if (op == QLatin1String("drain") || op == QLatin1String("resume")) {
        if (positional.size() != 1)
            return usageError(QStringLiteral("usage: starling %1 NODE%2")
                                  .arg(op, op == QLatin1String("drain")
                                               ? QStringLiteral(" --reason TEXT")
                                               : QString()));
        command.insert(QLatin1String("node"), positional[0]);
    } else if (op == QLatin1String("weight")) {
        if (positional.size() != 2)
            return usageError(QStringLiteral("usage: starling weight NODE VALUE"));
        const auto value = number(positional[1], QStringLiteral("weight"));
        if (!value || *value <= 0)
            return usageError(
                QStringLiteral("weight must be a number > 0, got \"%1\"").arg(positional[1]));
        command.insert(QLatin1String("node"), positional[0]);
        command.insert(QLatin1String("value"), *value);
    } else if (op == QLatin1String("slow")) {
        if (positional.size() != 2)
            return usageError(QStringLiteral("usage: starling slow NODE FACTOR"));
        const auto value = number(positional[1], QStringLiteral("factor"));
        if (!value || *value < 1 || *value > 1000)
            return usageError(QStringLiteral("factor must be a number from 1 to 1000, got \"%1\"")
                                  .arg(positional[1]));
        command.insert(QLatin1String("node"), positional[0]);
        command.insert(QLatin1String("factor"), *value);
    } else if (op == QLatin1String("strategy")) {
        if (positional.size() != 1)
            return usageError(QStringLiteral("usage: starling strategy NAME [--w1 X --w2 Y]"));
        command.insert(QLatin1String("name"), positional[0]);
        for (const QString &key : {QStringLiteral("w1"), QStringLiteral("w2")}) {
            if (!parser.isSet(key))
                continue;
            const auto value = number(parser.value(key), key);
            if (!value || *value < 0)
                return usageError(QStringLiteral("--%1 must be a number >= 0").arg(key));
            command.insert(key, *value);
        }
    } else if (op == QLatin1String("load")) {
        if (!positional.isEmpty())
            return usageError(QStringLiteral("usage: starling load --tasks N --task-ms MS"));
        const auto tasks = number(parser.value(QStringLiteral("tasks")), QStringLiteral("tasks"));
        const auto ms = number(parser.value(QStringLiteral("task-ms")), QStringLiteral("task-ms"));
        if (!tasks || !ms)
            return usageError(QStringLiteral("load needs --tasks N and --task-ms MS (numbers)"));
        command.insert(QLatin1String("tasks"), *tasks);
        command.insert(QLatin1String("task_ms"), *ms);
    }

    auto opened = BridgeLink::open(parser.value(QStringLiteral("run-dir")));
    if (!opened)
        return usageError(opened.error());
    BridgeLink &link = *opened.value();
    const auto reply = link.command(command);
    if (!reply)
        return usageError(reply.error());
    if (!reply->ok) {
        std::fprintf(stderr, "starling %s: refused: %s\n", qPrintable(op),
                     qPrintable(reply->message));
        return kExitRefused;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        std::printf("%s\n",
                    QJsonDocument(reply->result).toJson(QJsonDocument::Compact).constData());
    } else if (op == QLatin1String("strategy")) {
        std::printf("strategy is now %s (w1 %g, w2 %g)\n",
                    qPrintable(reply->result.value(QLatin1String("strategy")).toString()),
                    reply->result.value(QLatin1String("w1")).toDouble(),
                    reply->result.value(QLatin1String("w2")).toDouble());
    } else if (op == QLatin1String("slow")) {
        std::printf("%s now computes %g times slower\n",
                    qPrintable(reply->result.value(QLatin1String("node")).toString()),
                    reply->result.value(QLatin1String("factor")).toDouble());
    } else if (op == QLatin1String("load")) {
        std::printf("%d tasks given to the cluster: %s\n",
                    int(command.value(QLatin1String("tasks")).toDouble()),
                    QJsonDocument(reply->result.value(QLatin1String("assigned")).toObject())
                        .toJson(QJsonDocument::Compact)
                        .constData());
    } else {
        std::printf("%s: %s, weight %g, %d tasks assigned\n",
                    qPrintable(reply->result.value(QLatin1String("node")).toString()),
                    qPrintable(reply->result.value(QLatin1String("state")).toString()),
                    reply->result.value(QLatin1String("weight")).toDouble(),
                    reply->result.value(QLatin1String("assigned")).toInt());
    }
    return 0;
}

} // namespace starling::cli
