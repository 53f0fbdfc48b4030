#include "lifecyclecommands.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/clusterconfig.h"
#include "cluster/heterogeneityprofile.h"
#include "cluster/launchplan.h"
#include "cluster/adminstatetable.h"
#include "cluster/statefile.h"
#include "cluster/statereport.h"
#include "clusterprocesses.h"
#include "util/jsonfile.h"
#include "util/processinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSaveFile>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace starling::cli {

namespace {

volatile std::sig_atomic_t g_stopRequested = 0;

void onStopSignal(int)
{
    g_stopRequested = 1;
}

QString startupMissing(const QString &runDir)
{
    QFile file(QDir(runDir).filePath(QStringLiteral("startup.json")));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("no rank (the monitor never started)");
    QStringList missing;
    for (const QJsonValue &v :
         QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("missing")).toArray())
        missing << v.toString();
    return missing.isEmpty() ? QStringLiteral("(all reported, but no state file)")
                             : missing.join(QStringLiteral(", "));
}

QString lastLines(const QString &path, int count)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList lines =
        QString::fromLocal8Bit(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.mid(std::max<qsizetype>(0, lines.size() - count)).join(QLatin1Char('\n'));
}

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

} // namespace

namespace {

// A parsed and checked `starling up`: what to launch and how to wait for it.
struct UpRequest
{
    cluster::LaunchPlan plan;
    QString runDir;
    double timeoutS = 30;
    bool detach = false;
    QStringList normalized; // the arguments again, paths absolute: what restart replays
};

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
std::optional<int> readUpFiles(const QCommandLineParser &parser, UpRequest &up,
                               cluster::ClusterConfig &config)
{
    QStringList &node = up.plan.nodeArguments;
    if (parser.isSet(QStringLiteral("config"))) {
        const QString path = QFileInfo(parser.value(QStringLiteral("config"))).absoluteFilePath();
        auto loaded = cluster::ClusterConfig::load(path);
        if (!loaded)
            return usageError(loaded.error());
        config = std::move(loaded).value();
        node << QStringLiteral("--config") << path;
        up.normalized << QStringLiteral("--config") << path;
    }
    if (parser.isSet(QStringLiteral("profile"))) {
        const QString path = QFileInfo(parser.value(QStringLiteral("profile"))).absoluteFilePath();
        if (const auto loaded = cluster::HeterogeneityProfile::load(path); !loaded)
            return usageError(loaded.error());
        node << QStringLiteral("--profile") << path;
        up.normalized << QStringLiteral("--profile") << path;
    }
    const QString exportRoot =
        QFileInfo(parser.isSet(QStringLiteral("export")) ? parser.value(QStringLiteral("export"))
                                                         : config.exportRoot)
            .absoluteFilePath();
    if (!QFileInfo(exportRoot).isDir())
        return usageError(QStringLiteral("export directory %1 does not exist").arg(exportRoot));
    node << QStringLiteral("--export") << exportRoot;
    up.normalized << QStringLiteral("--export") << exportRoot;
    up.runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (!QDir().mkpath(up.runDir))
        return usageError(QStringLiteral("cannot create run directory %1").arg(up.runDir));
    node << QStringLiteral("--run-dir") << up.runDir;
    up.normalized << QStringLiteral("--run-dir") << up.runDir;
    return std::nullopt;
}

// Where and how the ranks run: hosts, launcher, addresses, emulation, MPI's transport.
std::optional<int> readUpPlacement(const QCommandLineParser &parser, UpRequest &up)
{
    cluster::LaunchPlan &plan = up.plan;
    const auto keep = [&](const char *name) {
        if (parser.isSet(QLatin1String(name)))
            up.normalized << QStringLiteral("--%1").arg(QLatin1String(name))
                          << parser.value(QLatin1String(name));
    };
    if (parser.isSet(QStringLiteral("hostfile")) && parser.isSet(QStringLiteral("hosts")))
        return usageError(QStringLiteral("give --hostfile or --hosts, not both"));
    if (parser.isSet(QStringLiteral("hostfile"))) {
        const QString hostfile = parser.value(QStringLiteral("hostfile"));
        if (!QFileInfo(hostfile).isFile())
            return usageError(QStringLiteral("host file %1 does not exist").arg(hostfile));
        plan.hostfile = QFileInfo(hostfile).absoluteFilePath();
        QFile file(plan.hostfile);
        if (!file.open(QIODevice::ReadOnly) || file.size() > (1 << 20))
            return usageError(QStringLiteral("cannot read host file %1").arg(hostfile));
        auto hosts = cluster::LaunchPlan::parseHostfile(file.readAll(), plan.ranks());
        if (!hosts)
            return usageError(QStringLiteral("%1: %2").arg(hostfile, hosts.error()));
        plan.hosts = *hosts;
        up.normalized << QStringLiteral("--hostfile") << plan.hostfile;
    }
    if (parser.isSet(QStringLiteral("hosts"))) {
        auto hosts =
            cluster::LaunchPlan::parseHosts(parser.value(QStringLiteral("hosts")), plan.ranks());
        if (!hosts)
            return usageError(hosts.error());
        plan.hosts = *hosts;
        keep("hosts");
    }
    plan.launcher = parser.value(QStringLiteral("launcher"));
    plan.launcherExec = parser.value(QStringLiteral("launcher-exec"));
    plan.iface = parser.value(QStringLiteral("iface"));
    if (!plan.launcherExec.isEmpty() && !QFileInfo(plan.launcherExec).isExecutable())
        return usageError(
            QStringLiteral("--launcher-exec %1 is not an executable file").arg(plan.launcherExec));
    keep("launcher");
    keep("launcher-exec");
    keep("iface");
    if (parser.isSet(QStringLiteral("bind-host"))) {
        const QString bind = parser.value(QStringLiteral("bind-host"));
        if (bind != QLatin1String("host") && QHostAddress(bind).isNull())
            return usageError(
                QStringLiteral("--bind-host must be an IP address or \"host\", got \"%1\"")
                    .arg(bind.left(64)));
        plan.nodeArguments << QStringLiteral("--bind-host") << bind;
        keep("bind-host");
    }
    const QString emulation = parser.value(QStringLiteral("emulation"));
    if (emulation != QLatin1String("on") && emulation != QLatin1String("off"))
        return usageError(
            QStringLiteral("--emulation must be on or off, got \"%1\"").arg(emulation.left(64)));
    if (emulation == QLatin1String("off"))
        plan.nodeArguments << QStringLiteral("--no-emulation");
    keep("emulation");
    plan.mpiTransport = parser.value(QStringLiteral("mpi-transport"));
    if (plan.mpiTransport != QLatin1String("tcp") && plan.mpiTransport != QLatin1String("shm"))
        return usageError(QStringLiteral("--mpi-transport must be tcp or shm, got \"%1\"")
                              .arg(plan.mpiTransport.left(64)));
    keep("mpi-transport");
    return std::nullopt;
}

std::optional<int> parseUp(const QStringList &arguments, UpRequest &up)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Start a Starling cluster: mpiexec -n 2+N starling-node (master, monitor, N slaves), "
        "every rank with its own Hydra proxy, so a slave that dies costs only itself."));
    parser.addHelpOption();
    parser.addOptions(upOptions());
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("up takes no arguments; see starling up --help"));
    bool ok = false;
    up.plan.slaves = parser.value(QStringLiteral("slaves")).toInt(&ok);
    if (!ok || up.plan.slaves < 1 || up.plan.slaves > 256)
        return usageError(
            QStringLiteral("--slaves must be a whole number from 1 to 256, got \"%1\"")
                .arg(parser.value(QStringLiteral("slaves"))));
    up.normalized << QStringLiteral("--slaves") << QString::number(up.plan.slaves);
    cluster::ClusterConfig config;
    if (const auto exit = readUpFiles(parser, up, config))
        return exit;
    if (const auto exit = readUpPlacement(parser, up))
        return exit;
    up.timeoutS = config.startupTimeoutS;
    if (parser.isSet(QStringLiteral("timeout"))) {
        up.timeoutS = parser.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || up.timeoutS <= 0 || up.timeoutS > 600)
            return usageError(
                QStringLiteral("--timeout must be a number of seconds from 1 to 600"));
        up.normalized << QStringLiteral("--timeout") << parser.value(QStringLiteral("timeout"));
    }
    up.detach = parser.isSet(QStringLiteral("detach"));
    up.plan.nodeProgram =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("starling-node"));
    return std::nullopt;
}

// Waits for the monitor's state report in node.log (wherever the monitor runs, mpiexec writes
// its output here); nullopt (with the message printed) if the cluster exited, timed out, was
// interrupted or reported garbage during start-up.
std::optional<cluster::ClusterStateFile> waitForState(const UpRequest &up, QProcess &process,
                                                      qint64 pid, const QString &token)
{
    const QString logPath = QDir(up.runDir).filePath(QStringLiteral("node.log"));
    QElapsedTimer clock;
    clock.start();
    while (true) {
        if (const auto report = cluster::StateReport::find(logPath, token)) {
            if (report->hasValue())
                return report->value();
            std::fprintf(stderr, "starling up: %s\n", qPrintable(report->error()));
            ::kill(pid_t(pid), SIGTERM);
            if (!up.detach && !process.waitForFinished(3000))
                process.kill();
            removeRunFiles(up.runDir);
            return std::nullopt;
        }
        const bool exited =
            up.detach ? !util::processAlive(pid) : process.state() == QProcess::NotRunning;
        if (exited) {
            std::fprintf(stderr,
                         "starling up: the cluster exited during start-up; last lines of %s:\n%s\n",
                         qPrintable(logPath), qPrintable(lastLines(logPath, 8)));
            return std::nullopt;
        }
        if (g_stopRequested || clock.elapsed() > qint64(up.timeoutS * 1000)) {
            std::fprintf(stderr, "starling up: %s; not reported: %s (see %s)\n",
                         g_stopRequested
                             ? "interrupted"
                             : qPrintable(QStringLiteral("timed out after %1 s").arg(up.timeoutS)),
                         qPrintable(startupMissing(up.runDir)), qPrintable(logPath));
            ::kill(pid_t(pid), SIGTERM);
            if (!up.detach && !process.waitForFinished(3000))
                process.kill();
            removeRunFiles(up.runDir);
            return std::nullopt;
        }
        if (up.detach)
            QThread::msleep(50);
        else
            process.waitForFinished(50);
    }
}

// In the foreground: reports every rank that dies while the cluster runs. A slave costs only
// itself; the master or the monitor ends the cluster, and we say how to start it again.
void reportDeaths(const cluster::ClusterStateFile &state, std::vector<bool> &reported)
{
    for (size_t rank = 0; rank < state.nodePids.size(); ++rank) {
        const qint64 pid = state.nodePids[rank];
        if (reported[rank] || util::processAlive(pid))
            continue;
        reported[rank] = true;
        const QString name = cluster::nodeName(int(rank));
        if (rank < 2) {
            std::printf("starling up: the %s (rank %zu, pid %lld) died, so the cluster has ended; "
                        "start it again with: starling restart --run-dir %s\n",
                        qPrintable(name), rank, pid, qPrintable(state.runDir));
        } else {
            std::printf("starling up: %s (rank %zu, pid %lld) exited; the cluster goes on "
                        "without it (bring it back with: starling restart --run-dir %s)\n",
                        qPrintable(name), rank, pid, qPrintable(state.runDir));
        }
        std::fflush(stdout);
    }
}

int stayInForeground(QProcess &process, const cluster::ClusterStateFile &state)
{
    std::printf("Press Ctrl-C to stop the cluster.\n");
    std::fflush(stdout);
    std::vector<bool> reported(state.nodePids.size(), false);
    while (process.state() != QProcess::NotRunning && !g_stopRequested) {
        process.waitForFinished(100);
        reportDeaths(state, reported);
        if (reported[0] || reported[1]) {
            // The survivors stop themselves once they notice; make sure of it.
            stopCluster(state, QStringLiteral("the master or the monitor died"));
            process.waitForFinished(3000);
            return kExitRefused;
        }
    }
    if (process.state() != QProcess::NotRunning) {
        std::printf("\nstopping the cluster ...\n");
        std::fflush(stdout);
        const bool graceful = stopCluster(state, QStringLiteral("Ctrl-C on starling up"));
        process.waitForFinished(3000);
        std::printf("cluster stopped%s\n", graceful ? "" : " (forced)");
        return 0;
    }
    removeOwnRunFiles(state);
    reportDeaths(state, reported);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        const QString logPath = QDir(state.runDir).filePath(QStringLiteral("node.log"));
        std::fprintf(stderr,
                     "starling up: the cluster exited unexpectedly (mpiexec exit code %d); last "
                     "lines of %s:\n%s\n",
                     process.exitCode(), qPrintable(logPath), qPrintable(lastLines(logPath, 8)));
        return kExitRefused;
    }
    std::printf("cluster stopped\n");
    return 0;
}

bool startMpiexec(const UpRequest &up, const QString &token, QProcess &process, qint64 &pid)
{
    const QString mpiexec = qEnvironmentVariable("STARLING_MPIEXEC", QStringLiteral("mpiexec"));
    process.setProgram(mpiexec);
    process.setArguments(up.plan.mpiexecArguments());
    // One channel into one file: two descriptors on the same file overwrite each other.
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardOutputFile(QDir(up.runDir).filePath(QStringLiteral("node.log")));
    process.setStandardInputFile(QProcess::nullDevice());
    // Hydra passes its environment on to every rank, on every host: the monitor's bridge token,
    // kept off command lines and out of node.log.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QString::fromLatin1(cluster::StateReport::kTokenVariable), token);
    process.setProcessEnvironment(environment);
    // Its own session: Ctrl-C in this terminal reaches only us, and we stop the cluster in order.
    process.setChildProcessModifier([] { ::setsid(); });
    if (up.detach) {
        if (!process.startDetached(&pid)) {
            usageError(QStringLiteral("cannot start %1: is MPICH installed?").arg(mpiexec));
            return false;
        }
        return true;
    }
    process.start();
    if (!process.waitForStarted(10000)) {
        usageError(QStringLiteral("cannot start %1: %2").arg(mpiexec, process.errorString()));
        return false;
    }
    pid = process.processId();
    return true;
}

} // namespace

int runUpCommand(const QStringList &arguments)
{
    UpRequest up;
    if (const auto exit = parseUp(arguments, up))
        return *exit;
    const QString statePath = cluster::stateFilePath(up.runDir);
    if (const auto existing = cluster::readStateFile(statePath)) {
        if (!livePids(*existing).empty())
            return usageError(QStringLiteral("a cluster is already running in %1 (stop it with: "
                                             "starling down --run-dir %1)")
                                  .arg(up.runDir));
        removeRunFiles(up.runDir); // left behind by a cluster that died
    }
    QFile::remove(QDir(up.runDir).filePath(QStringLiteral("startup.json")));

    // Before the start: a Ctrl-C or a closed terminal from here on stops what we started.
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGHUP, onStopSignal);
    // The state report is read from node.log: no earlier cluster's may be found there.
    QFile::remove(QDir(up.runDir).filePath(QStringLiteral("node.log")));
    const QString token = cluster::generateToken();
    QProcess process;
    qint64 pid = 0;
    if (!startMpiexec(up, token, process, pid))
        return kExitUsage;
    const QString logPath = QDir(up.runDir).filePath(QStringLiteral("node.log"));
    std::fprintf(stderr, "starting %d slaves (+ master and monitor), log %s ...\n", up.plan.slaves,
                 qPrintable(logPath));
    QElapsedTimer clock;
    clock.start();
    auto state = waitForState(up, process, pid, token);
    if (!state)
        return kExitRefused;
    state->mpiexecPid = pid;
    if (const auto written = cluster::writeStateFile(statePath, *state); !written) {
        std::fprintf(stderr, "starling up: %s\n", qPrintable(written.error()));
        stopCluster(*state, QStringLiteral("state file could not be written"));
        return kExitRefused;
    }
    saveLaunch(up.runDir, up.normalized);
    std::printf("Starling cluster up: %d slaves in %.1f s\n"
                "  master   %s\n"
                "  bridge   %s:%u\n"
                "  metrics  %s\n"
                "  run dir  %s (state file cluster.json holds the token)\n",
                up.plan.slaves, clock.elapsed() / 1000.0, qPrintable(state->masterUrl),
                qPrintable(state->bridgeHost), unsigned(state->bridgePort),
                qPrintable(state->metricsUrl), qPrintable(up.runDir));
    if (up.detach) {
        std::printf("Stop it with: starling down --run-dir %s\n", qPrintable(up.runDir));
        return 0;
    }
    return stayInForeground(process, *state);
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
    const bool graceful = stopCluster(*state, parser.value(QStringLiteral("reason")).isEmpty()
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
        const bool graceful = stopCluster(*state, QStringLiteral("starling restart"));
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
