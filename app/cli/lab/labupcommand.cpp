#include "labupcommand.h"

#include "cliparsing.h"
#include "cluster/clusterconfig.h"
#include "cluster/heterogeneityprofile.h"
#include "cluster/statefile.h"
#include "clusterlaunch.h"
#include "labcgroups.h"
#include "labcli.h"
#include "labnetwork.h"
#include "labpreflight.h"
#include "labteardown.h"
#include "labtls.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>

namespace starling::cli::lab {

namespace {

const QString kCommand = QStringLiteral("up");

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

struct UpRequest
{
    int slaves = 0;
    LabSubnet subnet = *LabSubnet::parse(QStringLiteral("10.77.0.0/24"));
    cluster::HeterogeneityProfile profile;
    ClusterOptions cluster;
    bool tls = false;
};

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Make this machine into 2+N hosts (network namespaces on a bridge, links shaped by tc, "
        "CPU quotas by cgroup) and start a cluster on them. Needs root."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("slaves"), QStringLiteral("Number of slave hosts (1 to 32)."),
         QStringLiteral("n")},
        {QStringLiteral("profile"),
         QStringLiteral("Heterogeneity profile: each slave's link_MBps and cpu_factor."),
         QStringLiteral("file")},
        {QStringLiteral("export"), QStringLiteral("Directory the cluster serves."),
         QStringLiteral("dir")},
        {QStringLiteral("config"), QStringLiteral("Cluster config (JSON), as for starling up."),
         QStringLiteral("file")},
        runDirOption(),
        {QStringLiteral("subnet"),
         QStringLiteral("Private network for the lab (default 10.77.0.0/24)."),
         QStringLiteral("cidr"), QStringLiteral("10.77.0.0/24")},
        {QStringLiteral("tls"),
         QStringLiteral("TLS everywhere, with a throw-away CA made in RUN_DIR/lab-tls (removed by "
                        "lab down); clients trust it through the state file.")},
    });
}

// Every argument problem, before anything is looked at on the machine.
std::optional<int> readRequest(const QCommandLineParser &parser, UpRequest &request)
{
    if (!parser.positionalArguments().isEmpty())
        return labError(kCommand, kExitUsage, QStringLiteral("takes no arguments; see --help"));
    bool ok = false;
    request.slaves = parser.value(QStringLiteral("slaves")).toInt(&ok);
    if (!ok || request.slaves < 1 || request.slaves > LabPlan::kMaxSlaves)
        return labError(kCommand, kExitUsage,
                        QStringLiteral("--slaves must be a whole number from 1 to %1, got \"%2\"")
                            .arg(LabPlan::kMaxSlaves)
                            .arg(parser.value(QStringLiteral("slaves"))));
    const auto subnet = LabSubnet::parse(parser.value(QStringLiteral("subnet")));
    if (!subnet)
        return labError(kCommand, kExitUsage, subnet.error());
    request.subnet = *subnet;
    if (parser.isSet(QStringLiteral("profile"))) {
        request.cluster.profilePath =
            QFileInfo(parser.value(QStringLiteral("profile"))).absoluteFilePath();
        auto profile = cluster::HeterogeneityProfile::load(request.cluster.profilePath);
        if (!profile)
            return labError(kCommand, kExitUsage, profile.error());
        request.profile = std::move(profile).value();
    }
    if (parser.isSet(QStringLiteral("config"))) {
        request.cluster.configPath =
            QFileInfo(parser.value(QStringLiteral("config"))).absoluteFilePath();
        if (const auto config = cluster::ClusterConfig::load(request.cluster.configPath); !config)
            return labError(kCommand, kExitUsage, config.error());
    }
    request.cluster.exportDir =
        QFileInfo(parser.value(QStringLiteral("export"))).absoluteFilePath();
    if (!parser.isSet(QStringLiteral("export")) || !QFileInfo(request.cluster.exportDir).isDir())
        return labError(kCommand, kExitUsage,
                        QStringLiteral("--export must name an existing directory"));
    request.cluster.runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    request.tls = parser.isSet(QStringLiteral("tls"));
    return std::nullopt;
}

// The machine's side: privileges, free subnet and names, cgroups if a quota is wanted, and no
// lab already recorded in the run directory.
std::optional<int> checkMachine(const LabPlan &plan, const UpRequest &request)
{
    if (const auto refused = requireLabPrivileges(kCommand))
        return refused;
    if (QFileInfo::exists(LabRecord::pathIn(request.cluster.runDir)))
        return labError(kCommand, kExitUsage,
                        QStringLiteral("a lab is already recorded in %1 (remove it with: starling "
                                       "lab down --run-dir %1)")
                            .arg(request.cluster.runDir));
    if (!QFileInfo(ClusterLaunch::launcherPath()).isExecutable())
        return labError(kCommand, kExitUsage,
                        ClusterLaunch::launcherPath() + QStringLiteral(" is missing; build it"));
    for (const auto &check : {LabPreflight::checkSubnetFree(request.subnet),
                              LabPreflight::checkNameFree(plan.bridge())}) {
        if (!check)
            return labError(kCommand, kExitUsage, check.error());
    }
    for (const LabHost &host : plan.hosts()) {
        if (host.cgroup.isEmpty())
            continue;
        if (const auto cgroups = LabCgroups::detect(); !cgroups)
            return labError(kCommand, kExitUsage, cgroups.error());
        break;
    }
    return std::nullopt;
}

Expected<bool> makeCgroups(LabRecord &record)
{
    const auto cgroups = LabCgroups::detect();
    for (const LabHost &host : record.plan().hosts()) {
        if (host.cgroup.isEmpty())
            continue;
        if (!cgroups)
            return Error{cgroups.error()};
        const QString directory = cgroups->directory(host.cgroup);
        if (auto saved = record.addResource({LabResource::Kind::Cgroup, directory, {}}); !saved)
            return saved;
        if (auto made = cgroups->create(directory, host.cpuQuotaUs, LabPlan::kCpuPeriodUs); !made)
            return made;
    }
    return true;
}

// Removes what was made and says why in one line; exit 1.
int abandon(LabRecord &record, const QString &why)
{
    const QStringList left = LabTeardown(record).run();
    const QString cleanup =
        left.isEmpty() ? QStringLiteral("the lab was removed")
                       : QStringLiteral("some of the lab is left (%1); run starling lab down "
                                        "--run-dir %2")
                             .arg(left.first(), QFileInfo(record.path()).absolutePath());
    return labError(kCommand, kExitRefused, why + QStringLiteral("; ") + cleanup);
}

QString lastLine(const QByteArray &text)
{
    const QStringList lines =
        QString::fromLocal8Bit(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QStringLiteral("no message") : lines.last().trimmed();
}

// Runs `starling up` and waits for it; a Ctrl-C stops it. Empty = the cluster is up.
QString startCluster(LabRecord &record, const UpRequest &request, QByteArray &output)
{
    QProcess up;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(LabRecord::kEnvironmentVariable), record.path());
    // MPI-NOTES.md: ranks must talk TCP, not shared memory, for a dead rank to cost only itself.
    // Hydra hands mpiexec's environment to every rank; a caller's own choice wins.
    for (const auto &[name, value] :
         {std::pair{"UCX_TLS", "tcp"}, std::pair{"MPIR_CVAR_NOLOCAL", "1"}}) {
        if (!environment.contains(QLatin1String(name)))
            environment.insert(QLatin1String(name), QLatin1String(value));
    }
    up.setProcessEnvironment(environment);
    up.setStandardInputFile(QProcess::nullDevice());
    const QString program = ClusterLaunch::program();
    up.start(program, ClusterLaunch::upArguments(record.plan(), request.cluster,
                                                 ClusterLaunch::launcherPath()));
    if (!up.waitForStarted(10000))
        return QStringLiteral("cannot run %1: %2").arg(program, up.errorString());
    if (auto saved = record.addProcess({up.processId(), program, QStringLiteral("starling up")});
        !saved) {
        up.kill();
        up.waitForFinished(5000);
        return saved.error();
    }
    while (!up.waitForFinished(100)) {
        if (g_interrupted) {
            up.terminate();
            if (!up.waitForFinished(5000))
                up.kill();
            up.waitForFinished(5000);
            return QStringLiteral("interrupted");
        }
    }
    output = up.readAllStandardOutput();
    if (up.exitStatus() != QProcess::NormalExit || up.exitCode() != 0)
        return QStringLiteral("the cluster did not start (starling up: %1)")
            .arg(lastLine(up.readAllStandardError()));
    return {};
}

// The cluster's pids replace the finished `starling up` in the record.
Expected<bool> adoptCluster(LabRecord &record, const QString &runDir)
{
    std::vector<LabProcess> processes;
    if (const auto state = cluster::readStateFile(cluster::stateFilePath(runDir))) {
        processes.push_back(
            {state->mpiexecPid, QStringLiteral("mpiexec"), QStringLiteral("mpiexec")});
        for (size_t rank = 0; rank < state->nodePids.size(); ++rank) {
            const LabHost *host =
                rank < record.plan().hosts().size() ? &record.plan().hosts()[rank] : nullptr;
            processes.push_back({state->nodePids[rank], QStringLiteral("starling-node"),
                                 host ? host->node : QStringLiteral("rank %1").arg(rank)});
        }
    }
    record.setProcesses(std::move(processes));
    return record.save();
}

} // namespace

int runLabUp(const QStringList &arguments)
{
    QCommandLineParser parser;
    addOptions(parser);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    UpRequest request;
    if (const auto exit = readRequest(parser, request))
        return *exit;
    const auto plan =
        LabPlan::make(LabPlan::randomId(), request.subnet, request.slaves, request.profile);
    if (!plan)
        return labError(kCommand, kExitUsage, plan.error());
    if (const auto exit = checkMachine(*plan, request))
        return *exit;

    LabRecord record(LabRecord::pathIn(request.cluster.runDir), *plan);
    if (const auto saved = record.save(); !saved)
        return labError(kCommand, kExitUsage, saved.error());
    for (const int signal : {SIGINT, SIGTERM, SIGHUP})
        std::signal(signal, onInterrupt);
    if (auto made = LabNetwork(record).create(); !made)
        return abandon(record, made.error());
    if (auto made = makeCgroups(record); !made)
        return abandon(record, made.error());
    if (g_interrupted)
        return abandon(record, QStringLiteral("interrupted"));
    if (request.tls) {
        const auto config =
            LabTls::prepare(record.plan(), request.cluster.runDir, request.cluster.configPath);
        if (!config)
            return abandon(record, config.error());
        request.cluster.configPath = *config;
    }
    QByteArray output;
    if (const QString failure = startCluster(record, request, output); !failure.isEmpty())
        return abandon(record, failure);
    if (const auto adopted = adoptCluster(record, request.cluster.runDir); !adopted)
        std::fprintf(stderr, "starling lab up: %s\n", qPrintable(adopted.error()));
    std::fputs(output.constData(), stdout);
    std::fputs(qPrintable(hostTable(record.plan())), stdout);
    std::printf("Remove it with: starling lab down --run-dir %s\n",
                qPrintable(request.cluster.runDir));
    return 0;
}

} // namespace starling::cli::lab
