#include "labdowncommand.h"

#include "cliparsing.h"
#include "cluster/statefile.h"
#include "clusterlaunch.h"
#include "labcli.h"
#include "labteardown.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QProcess>

#include <cstdio>

namespace starling::cli::lab {

namespace {

const QString kCommand = QStringLiteral("down");
constexpr int kClusterDownTimeoutMs = 30000;

// The cluster's own orderly stop first (the master saves operator state); whatever it leaves
// the teardown kills. Its failure (no cluster, a dead one) does not matter here.
void stopCluster(const QString &runDir)
{
    if (!QFileInfo::exists(cluster::stateFilePath(runDir)))
        return;
    QProcess down;
    down.setStandardInputFile(QProcess::nullDevice());
    down.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    down.start(ClusterLaunch::program(), ClusterLaunch::downArguments(runDir));
    if (!down.waitForFinished(kClusterDownTimeoutMs)) {
        down.kill();
        down.waitForFinished(5000);
    }
}

} // namespace

int runLabDown(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Stop the lab's cluster and remove its namespaces, links, qdiscs and cgroups."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return labError(kCommand, kExitUsage, QStringLiteral("takes no arguments; see --help"));
    const QString runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (const auto refused = requireLabPrivileges(kCommand))
        return *refused;
    auto loaded = LabRecord::load(LabRecord::pathIn(runDir));
    if (!loaded)
        return labError(kCommand, kExitUsage, loaded.error());
    if (!*loaded) {
        std::printf("nothing to remove: no lab in %s\n", qPrintable(runDir));
        return 0;
    }
    std::optional<LabRecord> found = std::move(loaded).value();
    LabRecord &record = *found;
    stopCluster(runDir);
    LabTeardown teardown(record);
    const QStringList problems = teardown.run();
    if (!problems.isEmpty())
        return labError(kCommand, kExitRefused,
                        QStringLiteral("%1 (and %2 more); the rest is kept in %3 for another try")
                            .arg(problems.first())
                            .arg(problems.size() - 1)
                            .arg(record.path()));
    std::printf("lab %s removed: %d processes stopped, %d namespaces, links, qdiscs and cgroups "
                "removed\n",
                qPrintable(record.plan().id()), teardown.stoppedProcesses(),
                teardown.removedResources());
    return 0;
}

} // namespace starling::cli::lab
