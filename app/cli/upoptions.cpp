#include "upoptions.h"

#include "cliparsing.h"
#include "cluster/clusterconfig.h"
#include "cluster/heterogeneityprofile.h"
#include "cluster/statefile.h"
#include "tls/tlsidentity.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>

#include <optional>

namespace starling::cli {

namespace {

using Problem = std::optional<QString>;

QList<QCommandLineOption> upOptions()
{
    return {
        {QStringLiteral("slaves"), QStringLiteral("Number of slaves (default 4)."),
         QStringLiteral("n"), QStringLiteral("4")},
        {QStringLiteral("export"), QStringLiteral("Directory the cluster serves."),
         QStringLiteral("dir")},
        {QStringLiteral("profile"), QStringLiteral("Heterogeneity profile (JSON)."),
         QStringLiteral("file")},
        {QStringLiteral("config"), QStringLiteral("Cluster config (JSON)."),
         QStringLiteral("file")},
        runDirOption(),
        {QStringLiteral("hostfile"),
         QStringLiteral("MPICH Hydra host file: one \"host:1\" line per rank (master, monitor, "
                        "each slave), so every rank has its own proxy."),
         QStringLiteral("file")},
        {QStringLiteral("hosts"),
         QStringLiteral("Comma-separated hosts, one per rank in rank order (master, monitor, "
                        "slaves). Default on one machine: 127.0.0.1, 127.0.0.2, ..."),
         QStringLiteral("list")},
        {QStringLiteral("launcher"),
         QStringLiteral("Hydra launcher (default: fork on one "
                        "machine, ssh with --hostfile)."),
         QStringLiteral("name")},
        {QStringLiteral("launcher-exec"),
         QStringLiteral("Program Hydra runs instead of ssh (called like ssh HOST COMMAND)."),
         QStringLiteral("program")},
        {QStringLiteral("iface"),
         QStringLiteral("Network interface Hydra's proxies connect back over."),
         QStringLiteral("name")},
        {QStringLiteral("bind-host"),
         QStringLiteral("Address the master API and data servers bind and advertise; \"host\" = "
                        "each rank's own host address. Overrides the config's bind_host."),
         QStringLiteral("address")},
        {QStringLiteral("emulation"),
         QStringLiteral("on (default): the profile's link speeds and CPU factors are emulated "
                        "in the application; off: something else shapes them (starling lab)."),
         QStringLiteral("on|off"), QStringLiteral("on")},
        {QStringLiteral("mpi-transport"),
         QStringLiteral("tcp (default: a dead slave costs only itself) or shm (UCX's shared "
                        "memory on one machine; for measurements only)."),
         QStringLiteral("tcp|shm"), QStringLiteral("tcp")},
        {QStringLiteral("detach"),
         QStringLiteral("Return once the cluster is up; stop it with starling down.")},
        {QStringLiteral("timeout"),
         QStringLiteral(
             "Seconds to wait for every rank (default: the config's startup_timeout_s)."),
         QStringLiteral("s")},
    };
}

// Paths and the cluster files: --config, --profile, --export, the run directory.
Problem readUpFiles(const QCommandLineParser &parser, UpOptions &up, cluster::ClusterConfig &config)
{
    QStringList &node = up.plan.nodeArguments;
    if (parser.isSet(QStringLiteral("config"))) {
        const QString path = QFileInfo(parser.value(QStringLiteral("config"))).absoluteFilePath();
        auto loaded = cluster::ClusterConfig::load(path);
        if (!loaded)
            return loaded.error();
        config = std::move(loaded).value();
        node << QStringLiteral("--config") << path;
        up.normalized << QStringLiteral("--config") << path;
    }
    if (parser.isSet(QStringLiteral("profile"))) {
        const QString path = QFileInfo(parser.value(QStringLiteral("profile"))).absoluteFilePath();
        if (const auto loaded = cluster::HeterogeneityProfile::load(path); !loaded)
            return loaded.error();
        node << QStringLiteral("--profile") << path;
        up.normalized << QStringLiteral("--profile") << path;
    }
    const QString exportRoot =
        QFileInfo(parser.isSet(QStringLiteral("export")) ? parser.value(QStringLiteral("export"))
                                                         : config.exportRoot)
            .absoluteFilePath();
    if (!QFileInfo(exportRoot).isDir())
        return QStringLiteral("export directory %1 does not exist").arg(exportRoot);
    node << QStringLiteral("--export") << exportRoot;
    up.normalized << QStringLiteral("--export") << exportRoot;
    up.runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (const auto runDir = cluster::ensureRunDirectory(up.runDir); !runDir)
        return runDir.error();
    node << QStringLiteral("--run-dir") << up.runDir;
    up.normalized << QStringLiteral("--run-dir") << up.runDir;
    return std::nullopt;
}

// With a certificate, it and its key are checked before anything starts (one line naming the
// key and path), and clients will trust the CA file if one is configured, and the
// certificate's public key always.
Problem readTls(const cluster::ClusterConfig &config, UpOptions &up)
{
    if (!config.tlsEnabled())
        return std::nullopt;
    const auto identity = tls::TlsIdentity::load(config.tlsCert, config.tlsKey);
    if (!identity)
        return identity.error();
    if (!config.tlsCa.isEmpty()) {
        if (const auto ca = tls::checkCaFile(config.tlsCa); !ca)
            return ca.error();
    }
    up.trust = {config.tlsCa, identity->publicKeyPin};
    return std::nullopt;
}

// An option given as typed goes into the arguments restart replays.
void keep(const QCommandLineParser &parser, UpOptions &up, const char *name)
{
    if (parser.isSet(QLatin1String(name)))
        up.normalized << QStringLiteral("--%1").arg(QLatin1String(name))
                      << parser.value(QLatin1String(name));
}

Problem readHostfile(const QCommandLineParser &parser, UpOptions &up)
{
    cluster::LaunchPlan &plan = up.plan;
    const QString hostfile = parser.value(QStringLiteral("hostfile"));
    if (!QFileInfo(hostfile).isFile())
        return QStringLiteral("host file %1 does not exist").arg(hostfile);
    plan.hostfile = QFileInfo(hostfile).absoluteFilePath();
    QFile file(plan.hostfile);
    if (!file.open(QIODevice::ReadOnly) || file.size() > (1 << 20))
        return QStringLiteral("cannot read host file %1").arg(hostfile);
    auto hosts = cluster::LaunchPlan::parseHostfile(file.readAll(), plan.ranks());
    if (!hosts)
        return QStringLiteral("%1: %2").arg(hostfile, hosts.error());
    plan.hosts = *hosts;
    up.normalized << QStringLiteral("--hostfile") << plan.hostfile;
    return std::nullopt;
}

// Where the ranks run and how Hydra reaches them: hosts, launcher, interface.
Problem readHosts(const QCommandLineParser &parser, UpOptions &up)
{
    cluster::LaunchPlan &plan = up.plan;
    if (parser.isSet(QStringLiteral("hostfile")) && parser.isSet(QStringLiteral("hosts")))
        return QStringLiteral("give --hostfile or --hosts, not both");
    if (parser.isSet(QStringLiteral("hostfile"))) {
        if (const auto problem = readHostfile(parser, up))
            return problem;
    }
    if (parser.isSet(QStringLiteral("hosts"))) {
        auto hosts =
            cluster::LaunchPlan::parseHosts(parser.value(QStringLiteral("hosts")), plan.ranks());
        if (!hosts)
            return hosts.error();
        plan.hosts = *hosts;
        keep(parser, up, "hosts");
    }
    plan.launcher = parser.value(QStringLiteral("launcher"));
    plan.launcherExec = parser.value(QStringLiteral("launcher-exec"));
    plan.iface = parser.value(QStringLiteral("iface"));
    if (!plan.launcherExec.isEmpty() && !QFileInfo(plan.launcherExec).isExecutable())
        return QStringLiteral("--launcher-exec %1 is not an executable file")
            .arg(plan.launcherExec);
    keep(parser, up, "launcher");
    keep(parser, up, "launcher-exec");
    keep(parser, up, "iface");
    return std::nullopt;
}

// How the ranks talk: the address they bind, emulated links, MPI's transport.
Problem readNodeNetwork(const QCommandLineParser &parser, UpOptions &up)
{
    cluster::LaunchPlan &plan = up.plan;
    if (parser.isSet(QStringLiteral("bind-host"))) {
        const QString bind = parser.value(QStringLiteral("bind-host"));
        if (bind != QLatin1String("host") && QHostAddress(bind).isNull())
            return QStringLiteral("--bind-host must be an IP address or \"host\", got \"%1\"")
                .arg(bind.left(64));
        plan.nodeArguments << QStringLiteral("--bind-host") << bind;
        keep(parser, up, "bind-host");
    }
    const QString emulation = parser.value(QStringLiteral("emulation"));
    if (emulation != QLatin1String("on") && emulation != QLatin1String("off"))
        return QStringLiteral("--emulation must be on or off, got \"%1\"").arg(emulation.left(64));
    if (emulation == QLatin1String("off"))
        plan.nodeArguments << QStringLiteral("--no-emulation");
    keep(parser, up, "emulation");
    plan.mpiTransport = parser.value(QStringLiteral("mpi-transport"));
    if (plan.mpiTransport != QLatin1String("tcp") && plan.mpiTransport != QLatin1String("shm"))
        return QStringLiteral("--mpi-transport must be tcp or shm, got \"%1\"")
            .arg(plan.mpiTransport.left(64));
    keep(parser, up, "mpi-transport");
    return std::nullopt;
}

Problem readTimeout(const QCommandLineParser &parser, UpOptions &up,
                    const cluster::ClusterConfig &config)
{
    up.timeoutS = config.startupTimeoutS;
    if (!parser.isSet(QStringLiteral("timeout")))
        return std::nullopt;
    bool ok = false;
    up.timeoutS = parser.value(QStringLiteral("timeout")).toDouble(&ok);
    if (!ok || up.timeoutS <= 0 || up.timeoutS > 600)
        return QStringLiteral("--timeout must be a number of seconds from 1 to 600");
    up.normalized << QStringLiteral("--timeout") << parser.value(QStringLiteral("timeout"));
    return std::nullopt;
}

} // namespace

void describeUpCommand(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Start a Starling cluster: mpiexec -n 2+N starling-node (master, monitor, N slaves), "
        "every rank with its own Hydra proxy, so a slave that dies costs only itself."));
    parser.addHelpOption();
    parser.addOptions(upOptions());
}

Expected<UpOptions> parseUpOptions(const QCommandLineParser &parser)
{
    if (!parser.positionalArguments().isEmpty())
        return Error{QStringLiteral("up takes no arguments; see starling up --help")};
    UpOptions up;
    bool ok = false;
    up.plan.slaves = parser.value(QStringLiteral("slaves")).toInt(&ok);
    if (!ok || up.plan.slaves < 1 || up.plan.slaves > 256)
        return Error{QStringLiteral("--slaves must be a whole number from 1 to 256, got \"%1\"")
                         .arg(parser.value(QStringLiteral("slaves")))};
    up.normalized << QStringLiteral("--slaves") << QString::number(up.plan.slaves);
    cluster::ClusterConfig config;
    if (const auto problem = readUpFiles(parser, up, config))
        return Error{*problem};
    if (const auto problem = readTls(config, up))
        return Error{*problem};
    if (const auto problem = readHosts(parser, up))
        return Error{*problem};
    if (const auto problem = readNodeNetwork(parser, up))
        return Error{*problem};
    if (const auto problem = readTimeout(parser, up, config))
        return Error{*problem};
    up.detach = parser.isSet(QStringLiteral("detach"));
    up.plan.nodeProgram =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("starling-node"));
    return up;
}

} // namespace starling::cli
