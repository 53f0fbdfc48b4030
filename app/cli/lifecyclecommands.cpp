#include "lifecyclecommands.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/statefile.h"
#include "clusterlauncher.h"
#include "rundirlock.h"
#include "util/jsonfile.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cstdio>

namespace starling::cli {

namespace {

QString launchFilePath(const QString &runDir)
{
    return QDir(runDir).filePath(QStringLiteral("launch.json"));
}

// What `starling restart` needs to start the same cluster again: the normalized arguments of
// the `up` that started it (absolute paths), kept owner-only beside the state file.
void saveLaunch(const QString &runDir, const QStringList &upArguments)
{
    QSaveFile file(launchFilePath(runDir));
    if (!file.open(QIODevice::WriteOnly))
        return;
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(QJsonObject{{QLatin1String("up_arguments"),
                                          QJsonArray::fromStringList(upArguments)}})
                   .toJson(QJsonDocument::Compact));
    file.commit();
}

Expected<QStringList> loadLaunch(const QString &runDir)
{
    const QString path = launchFilePath(runDir);
    const auto bytes = util::readSmallFile(path, 1 << 20);
    if (!bytes)
        return Error{QStringLiteral("no cluster was started in %1 (%2 is missing); start one with "
                                    "starling up")
                         .arg(runDir, path)};
    const auto object = util::parseJsonObject(*bytes, path, 1 << 20);
    if (!object)
        return Error{object.error()};
    QStringList arguments;
    for (const QJsonValue &value : object->value(QLatin1String("up_arguments")).toArray()) {
        if (!value.isString())
            return Error{
                QStringLiteral("%1: \"up_arguments\" must be a list of strings").arg(path)};
        arguments << value.toString();
    }
    if (arguments.isEmpty())
        return Error{QStringLiteral("%1: \"up_arguments\" is missing or empty").arg(path)};
    return arguments;
}

// What `starling up` prints once every rank has reported.
void printEndpoints(const UpOptions &up, const cluster::ClusterStateFile &state, double seconds)
{
    std::printf("Starling cluster up: %d slaves in %.1f s\n"
                "  master   %s\n"
                "  bridge   %s:%u\n"
                "  metrics  %s\n"
                "  run dir  %s (state file cluster.json holds the token)\n",
                up.plan.slaves, seconds, qPrintable(state.masterUrl), qPrintable(state.bridgeHost),
                unsigned(state.bridgePort), qPrintable(state.metricsUrl), qPrintable(up.runDir));
    if (state.tls.isEnabled())
        std::printf(
            "  tls      every endpoint; clients trust %s\n",
            qPrintable(state.tls.caFile.isEmpty()
                           ? QStringLiteral("the pinned public key ") + state.tls.publicKeyPin
                           : state.tls.caFile));
}

int runUp(const UpOptions &up)
{
    // First of all: a second `up` must not touch the run files of a cluster still starting.
    auto locked = RunDirLock::acquire(up.runDir);
    if (!locked)
        return usageError(locked.error());
    RunDirLock lock = std::move(locked).value();
    ClusterLauncher launcher(up);
    if (const auto problem = launcher.prepareRunDir())
        return usageError(*problem);
    // Before the start: a Ctrl-C or a closed terminal from here on stops what we started.
    ClusterLauncher::stopOnSignals();
    if (!launcher.start())
        return kExitUsage;
    lock.recordHolder(launcher.pid(), QStringLiteral("mpiexec"));
    std::fprintf(stderr, "starting %d slaves (+ master and monitor), log %s ...\n", up.plan.slaves,
                 qPrintable(launcher.logPath()));
    QElapsedTimer clock;
    clock.start();
    auto state = launcher.waitForState();
    if (!state)
        return kExitRefused;
    state->mpiexecPid = launcher.pid();
    state->tls = up.trust;
    if (const auto written = cluster::writeStateFile(cluster::stateFilePath(up.runDir), *state);
        !written) {
        std::fprintf(stderr, "starling up: %s\n", qPrintable(written.error()));
        ClusterLauncher::stop(*state, QStringLiteral("state file could not be written"));
        return kExitRefused;
    }
    saveLaunch(up.runDir, up.normalized);
    printEndpoints(up, *state, clock.elapsed() / 1000.0);
    if (up.detach) {
        std::printf("Stop it with: starling down --run-dir %s\n", qPrintable(up.runDir));
        return 0;
    }
    return launcher.stayInForeground(*state);
}

} // namespace

int runUpCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeUpCommand(parser);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    const auto up = parseUpOptions(parser);
    if (!up)
        return usageError(up.error());
    return runUp(*up);
}

int runDownCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Stop the cluster found via the state file."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addOption({QStringLiteral("reason"), QStringLiteral("Why (kept in the history)."),
                      QStringLiteral("text")});
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    const auto state = findCluster(parser.value(QStringLiteral("run-dir")));
    if (!state)
        return usageError(state.error());
    QElapsedTimer clock;
    clock.start();
    const bool graceful =
        ClusterLauncher::stop(*state, parser.value(QStringLiteral("reason")).isEmpty()
                                          ? QStringLiteral("starling down")
                                          : parser.value(QStringLiteral("reason")));
    std::printf("cluster in %s stopped in %.1f s%s\n", qPrintable(state->runDir),
                clock.elapsed() / 1000.0, graceful ? "" : " (forced: ranks did not stop in time)");
    return 0;
}

int runRestartCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Stop the cluster of the run directory (if it still runs) and start it again with the "
        "same configuration, detached. Drains, weights, strategy and the audit trail come back "
        "from the run directory; a lost slave returns this way."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("restart takes no arguments; see starling restart --help"));
    const QString runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    auto upArguments = loadLaunch(runDir);
    if (!upArguments)
        return usageError(upArguments.error());
    QElapsedTimer clock;
    clock.start();
    if (const auto state = cluster::readStateFile(cluster::stateFilePath(runDir))) {
        const bool graceful = ClusterLauncher::stop(*state, QStringLiteral("starling restart"));
        std::printf("stopped the cluster in %s in %.1f s%s\n", qPrintable(runDir),
                    clock.elapsed() / 1000.0, graceful ? "" : " (forced)");
    }
    std::fflush(stdout);
    QStringList up{QStringLiteral("starling up")};
    up << *upArguments << QStringLiteral("--detach");
    const int code = runUpCommand(up);
    if (code == 0)
        std::printf("restarted in %.1f s\n", clock.elapsed() / 1000.0);
    return code;
}

} // namespace starling::cli
