#include "labfaultcommand.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/heterogeneityprofile.h"
#include "cluster/operatorcommand.h"
#include "cluster/statefile.h"
#include "labcli.h"
#include "labnetwork.h"
#include "labprocesses.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>

#include <csignal>
#include <cstdio>

namespace starling::cli::lab {

namespace {

struct Fault
{
    QString action;
    const LabHost *host = nullptr;
    double linkMBps = 0; // for "link"
};

// The cluster's audit trail says what was done to it, so the console's event log shows the
// fault next to the failure it causes. Best effort: a fault is real whether or not the cluster
// can still hear about it (a cut link, a dying monitor).
void reportFault(const QString &runDir, const LabFault &fault)
{
    const auto state = cluster::readStateFile(cluster::stateFilePath(runDir));
    if (!state)
        return;
    BridgeLink link(*state);
    if (!link.connect(2000))
        return;
    const QString detail =
        fault.detail.isEmpty()
            ? QStringLiteral("starling lab %1").arg(fault.action)
            : QStringLiteral("starling lab %1 %2 MB/s").arg(fault.action, fault.detail);
    cluster::OperatorCommand command;
    command.op = cluster::CommandOp::Fault;
    command.node = fault.node;
    command.action = fault.action;
    command.reason = detail;
    link.command(command.toJson(), 3000);
}

QString slaveRange(const LabPlan &plan)
{
    return QStringLiteral("%1 to %2")
        .arg(cluster::nodeName(cluster::kFirstSlaveRank),
             cluster::nodeName(cluster::slaveRank(plan.slaveCount() - 1)));
}

int signalNode(const Fault &fault, const QString &runDir)
{
    const auto state = cluster::readStateFile(cluster::stateFilePath(runDir));
    if (!state)
        return labError(fault.action, kExitUsage, state.error());
    const qint64 pid = size_t(fault.host->rank) < state->nodePids.size()
                           ? state->nodePids[size_t(fault.host->rank)]
                           : 0;
    if (!LabProcesses::alive(pid) || !LabProcesses::runs(pid, QStringLiteral("starling-node")))
        return labError(
            fault.action, kExitRefused,
            QStringLiteral("%1 is not running (pid %2)").arg(fault.host->node).arg(pid));
    const int signal = fault.action == QLatin1String("crash")  ? SIGKILL
                       : fault.action == QLatin1String("hang") ? SIGSTOP
                                                               : SIGCONT;
    if (::kill(pid_t(pid), signal) != 0)
        return labError(fault.action, kExitRefused,
                        QStringLiteral("cannot signal %1 (pid %2): %3")
                            .arg(fault.host->node)
                            .arg(pid)
                            .arg(qt_error_string(errno)));
    return 0;
}

int applyFault(const Fault &fault, LabRecord &record, const QString &runDir)
{
    if (fault.action == QLatin1String("crash") || fault.action == QLatin1String("hang") ||
        fault.action == QLatin1String("unhang"))
        return signalNode(fault, runDir);
    LabNetwork network(record);
    const Expected<bool> done =
        fault.action == QLatin1String("link")
            ? network.setLinkRate(*fault.host, fault.linkMBps)
            : network.setConnected(*fault.host, fault.action == QLatin1String("heal"));
    if (!done)
        return labError(fault.action, kExitRefused, done.error());
    if (fault.action == QLatin1String("link")) {
        for (LabHost &host : record.plan().hosts()) {
            if (host.node == fault.host->node)
                host.linkMBps = fault.linkMBps;
        }
    }
    return 0;
}

// The positional arguments: NODE, and RATE_MBps for link. Exit code 2 on a problem.
std::optional<int> readFault(const QStringList &positional, const LabPlan &plan, Fault &fault)
{
    const int wanted = fault.action == QLatin1String("link") ? 2 : 1;
    if (positional.size() != wanted)
        return labError(fault.action, kExitUsage,
                        wanted == 2
                            ? QStringLiteral("usage: starling lab link NODE RATE_MBps")
                            : QStringLiteral("usage: starling lab %1 NODE").arg(fault.action));
    fault.host = plan.hostByNode(positional.at(0));
    if (!fault.host || fault.host->inRootNamespace())
        return labError(fault.action, kExitUsage,
                        QStringLiteral("unknown node \"%1\"; the lab's slaves are %2")
                            .arg(positional.at(0), slaveRange(plan)));
    if (wanted == 2) {
        bool ok = false;
        fault.linkMBps = positional.at(1).toDouble(&ok);
        if (!ok || !(fault.linkMBps > 0) ||
            fault.linkMBps > cluster::HeterogeneityProfile::kMaxLinkMBps)
            return labError(fault.action, kExitUsage,
                            QStringLiteral("RATE_MBps must be a number above 0 and at most %1, "
                                           "got \"%2\"")
                                .arg(cluster::HeterogeneityProfile::kMaxLinkMBps)
                                .arg(positional.at(1)));
    }
    return std::nullopt;
}

} // namespace

int runLabFault(const QString &action, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Inject a fault into a lab slave: crash (SIGKILL), hang (SIGSTOP), unhang "
                       "(SIGCONT), cut/heal (its link down/up), link (its rate in MB/s)."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addPositionalArgument(QStringLiteral("node"), QStringLiteral("slave-K (K = MPI rank)"));
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    const QString runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (const auto refused = requireLabPrivileges(action))
        return *refused;
    LoadedLab lab = loadLab(action, runDir);
    if (!lab.record)
        return lab.exitCode;
    Fault fault{action};
    if (const auto exit = readFault(parser.positionalArguments(), lab.record->plan(), fault))
        return *exit;
    if (const int failed = applyFault(fault, *lab.record, runDir); failed != 0)
        return failed;
    const LabFault entry{QDateTime::currentMSecsSinceEpoch(), fault.host->node, action,
                         action == QLatin1String("link") ? QString::number(fault.linkMBps)
                                                         : QString()};
    if (const auto saved = lab.record->addFault(entry); !saved)
        return labError(action, kExitRefused, saved.error());
    reportFault(runDir, entry);
    std::printf("%s %s%s\n", qPrintable(action), qPrintable(fault.host->node),
                qPrintable(entry.detail.isEmpty()
                               ? QString()
                               : QStringLiteral(" ") + entry.detail + QStringLiteral(" MB/s")));
    return 0;
}

} // namespace starling::cli::lab
