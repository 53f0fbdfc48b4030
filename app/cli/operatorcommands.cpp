#include "operatorcommands.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/clustersnapshot.h"
#include "cluster/statustable.h"
#include "operatorcommandoptions.h"

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

namespace {

// The cluster's answer in words, one line per command (or its JSON with --json).
void printAnswer(const OperatorCommandOptions &options, const QJsonObject &result)
{
    const QString &verb = options.verb;
    if (options.json) {
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    } else if (verb == QLatin1String("strategy")) {
        std::printf("strategy is now %s (w1 %g, w2 %g)\n",
                    qPrintable(result.value(QLatin1String("strategy")).toString()),
                    result.value(QLatin1String("w1")).toDouble(),
                    result.value(QLatin1String("w2")).toDouble());
    } else if (verb == QLatin1String("slow")) {
        std::printf("%s now computes %g times slower\n",
                    qPrintable(result.value(QLatin1String("node")).toString()),
                    result.value(QLatin1String("factor")).toDouble());
    } else if (verb == QLatin1String("load")) {
        std::printf("%d tasks given to the cluster: %s\n", int(options.loadTasks),
                    QJsonDocument(result.value(QLatin1String("assigned")).toObject())
                        .toJson(QJsonDocument::Compact)
                        .constData());
    } else {
        std::printf("%s: %s, weight %g, %d tasks assigned\n",
                    qPrintable(result.value(QLatin1String("node")).toString()),
                    qPrintable(result.value(QLatin1String("state")).toString()),
                    result.value(QLatin1String("weight")).toDouble(),
                    result.value(QLatin1String("assigned")).toInt());
    }
}

int sendOperatorCommand(const OperatorCommandOptions &options)
{
    auto opened = BridgeLink::open(options.runDir);
    if (!opened)
        return usageError(opened.error());
    BridgeLink &link = *opened.value();
    const auto reply = link.command(operatorCommandJson(options));
    if (!reply)
        return usageError(reply.error());
    if (!reply->ok) {
        std::fprintf(stderr, "starling %s: refused: %s\n", qPrintable(options.verb),
                     qPrintable(reply->message));
        return kExitRefused;
    }
    printAnswer(options, reply->result);
    return 0;
}

} // namespace

int runOperatorCommand(const QString &op, const QStringList &arguments)
{
    QCommandLineParser parser;
    describeOperatorCommand(parser, op);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    const auto options = parseOperatorCommandOptions(op, parser);
    if (!options)
        return usageError(options.error());
    return sendOperatorCommand(*options);
}

} // namespace starling::cli
