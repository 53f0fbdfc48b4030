#include "democommand.h"

#include "cliparsing.h"
#include "cluster/statefile.h"
#include "cluster/statustable.h"
#include "consolemodel/bridgeclustersource.h"
#include "consolemodel/demoload.h"
#include "consolemodel/localcluster.h"
#include "consolemodel/taskactivity.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <deque>
#include <unistd.h>

namespace starling::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

QString defaultProfile()
{
    const QString near = QDir(QCoreApplication::applicationDirPath())
                             .filePath(QStringLiteral("../../resources/profiles/four-slaves.json"));
    return QFileInfo::exists(near) ? QDir::cleanPath(near) : QString();
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

} // namespace

int runDemoCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The console's demo without a display: a local cluster, a load "
                       "generator (downloads, image jobs, synthetic tasks, a drain and a "
                       "slowdown), a live status view, then a summary."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("How long to run (default 60)."),
                      QStringLiteral("s"), QStringLiteral("60")});
    parser.addOption({QStringLiteral("slaves"), QStringLiteral("How many slaves (default 4)."),
                      QStringLiteral("n"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("profile"),
                      QStringLiteral("Heterogeneity profile (default: the four-slave one)."),
                      QStringLiteral("file")});
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    bool ok = false;
    const int seconds = parser.value(QStringLiteral("seconds")).toInt(&ok);
    if (!ok || seconds < 5 || seconds > 86400)
        return usageError(QStringLiteral("--seconds wants a number from 5 to 86400"));
    const int slaves = parser.value(QStringLiteral("slaves")).toInt(&ok);
    if (!ok || slaves < 1 || slaves > 64)
        return usageError(QStringLiteral("--slaves wants a number from 1 to 64"));
    const QString profile = parser.isSet(QStringLiteral("profile"))
                                ? parser.value(QStringLiteral("profile"))
                                : defaultProfile();
    const QString dir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (QFileInfo::exists(cluster::stateFilePath(dir)))
        return usageError(QStringLiteral("a cluster's state file is already in %1; stop it "
                                         "(starling down --run-dir %1) or pick another --run-dir")
                              .arg(dir));

    const QString cli = QCoreApplication::applicationFilePath();
    consolemodel::LocalCluster::Options options;
    options.cli = cli;
    options.runDir = dir;
    options.exportRoot = QDir(dir).filePath(QStringLiteral("export"));
    options.profile = profile;
    options.slaves = slaves;
    consolemodel::LocalCluster local(options);
    consolemodel::DemoLoad::Options loadOptions;
    loadOptions.cli = cli;
    loadOptions.runDir = dir;
    loadOptions.exportRoot = options.exportRoot;
    loadOptions.workDir = QDir(dir).filePath(QStringLiteral("work"));
    consolemodel::DemoLoad load(loadOptions);
    consolemodel::BridgeClusterSource source(
        consolemodel::endpointFromStateFile(local.stateFilePath()),
        QStringLiteral("starling-demo"));
    consolemodel::TaskActivity activity;
    cluster::ClusterSnapshot latest;
    bool haveSnapshot = false;
    std::deque<QString> steps;
    int failures = 0;
    int events = 0;
    QElapsedTimer clock;
    const bool tty = isatty(STDOUT_FILENO) == 1;

    QObject::connect(&source, &consolemodel::ClusterSource::snapshotReceived, &source,
                     [&](const cluster::ClusterSnapshot &s) {
                         latest = s;
                         haveSnapshot = true;
                     });
    QObject::connect(&source, &consolemodel::ClusterSource::eventReceived, &source,
                     [&](const QJsonObject &e) {
                         ++events;
                         activity.apply(e);
                     });
    QObject::connect(&load, &consolemodel::DemoLoad::stepFinished, &load,
                     [&](const QString &line, bool good) {
                         failures += good ? 0 : 1;
                         steps.push_back(line);
                         while (steps.size() > 6)
                             steps.pop_front();
                         if (!tty)
                             std::printf("%s\n", qPrintable(line));
                     });
    QObject::connect(&load, &consolemodel::DemoLoad::failed, &load, [&](const QString &why) {
        std::fprintf(stderr, "starling demo: %s\n", qPrintable(why));
        ++failures;
    });

    int exitCode = 0;
    QTimer view;
    QObject::connect(&view, &QTimer::timeout, &view, [&] {
        if (g_interrupted || clock.elapsed() >= seconds * 1000LL) {
            view.stop();
            QCoreApplication::quit();
            return;
        }
        if (!tty || !haveSnapshot)
            return;
        // The live view: redrawn in place, like `starling status --watch`.
        std::printf("\033[H\033[2J");
        std::printf("starling demo: %lld of %d s (Ctrl-C stops early)\n\n", clock.elapsed() / 1000,
                    seconds);
        std::printf("%s\n", qPrintable(cluster::formatStatusTable(latest)));
        if (const consolemodel::LiveJob *job = activity.currentJob())
            std::printf("latest job: %s %s %s/%s, %lld/%lld units\n", qPrintable(job->id),
                        qPrintable(job->op), qPrintable(job->strategy), qPrintable(job->order),
                        job->unitsDone(), job->units);
        if (const consolemodel::LiveTransfer *t = activity.currentTransfer())
            std::printf("latest transfer: %s, %d/%d blocks served\n", qPrintable(t->path),
                        t->served, int(t->servedBy.size()));
        std::printf("\nload generator:\n");
        for (const QString &line : steps)
            std::printf("  %s\n", qPrintable(line));
        std::fflush(stdout);
    });
    QObject::connect(&local, &consolemodel::LocalCluster::started, &local, [&] {
        std::printf("starling demo: cluster of %d slaves up in %s; running the load for %d s\n",
                    slaves, qPrintable(dir), seconds);
        std::fflush(stdout);
        source.start();
        if (!load.prepare()) {
            exitCode = 1;
            QCoreApplication::quit();
            return;
        }
        load.start();
        clock.start();
        view.start(1000);
    });
    QObject::connect(&local, &consolemodel::LocalCluster::failed, &local, [&](const QString &why) {
        std::fprintf(stderr, "starling demo: %s\n", qPrintable(why));
        exitCode = 1;
        QCoreApplication::quit();
    });

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::printf("starling demo: starting a local cluster of %d slaves in %s ...\n", slaves,
                qPrintable(dir));
    std::fflush(stdout);
    local.start();
    QCoreApplication::exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    load.stop();
    source.stop();
    const bool stopped = local.stop();

    std::printf("\nstarling demo: summary of %lld s\n",
                clock.isValid() ? clock.elapsed() / 1000 : 0);
    std::printf("  %-22s %5s %8s %10s %14s\n", "step", "runs", "failed", "mean s",
                "median makespan");
    for (const auto &[label, t] : load.tallies()) {
        const QString makespan = t.makespans.empty()
                                     ? QStringLiteral("-")
                                     : QStringLiteral("%1 s").arg(median(t.makespans), 0, 'f', 3);
        std::printf("  %-22s %5d %8d %10.2f %14s\n", qPrintable(label), t.runs, t.failures,
                    t.runs ? t.totalS / t.runs : 0.0, qPrintable(makespan));
    }
    std::printf("  %d bridge events, %zu image jobs finished\n", events,
                activity.finishedJobs().size());
    if (!stopped) {
        std::fprintf(stderr, "starling demo: the cluster in %s did not stop cleanly\n",
                     qPrintable(dir));
        exitCode = 1;
    } else {
        std::printf("  cluster stopped\n");
    }
    if (failures > 0 && exitCode == 0)
        exitCode = kExitRefused;
    return exitCode;
}

} // namespace starling::cli
