#include "lifecyclecommands.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/clusterconfig.h"
#include "cluster/heterogeneityprofile.h"
#include "cluster/statefile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
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

// Alive and not a zombie: a reaped-late child still answers kill(pid, 0).
bool processAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && close + 2 < text.size() && text.at(close + 2) != 'Z';
}

// Only processes that are what we started: a pid may have been reused since the state file
// was written.
bool isOurs(qint64 pid, const QByteArray &program)
{
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    return cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(program);
}

std::vector<qint64> livePids(const cluster::ClusterStateFile &state)
{
    std::vector<qint64> live;
    if (processAlive(state.mpiexecPid) && isOurs(state.mpiexecPid, "mpiexec"))
        live.push_back(state.mpiexecPid);
    for (qint64 pid : state.nodePids) {
        if (processAlive(pid) && isOurs(pid, "starling-node"))
            live.push_back(pid);
    }
    return live;
}

bool waitUntilGone(const cluster::ClusterStateFile &state, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!livePids(state).empty()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QThread::msleep(20);
    }
    return true;
}

void removeRunFiles(const QString &runDir)
{
    QFile::remove(cluster::stateFilePath(runDir));
    QFile::remove(QDir(runDir).filePath(QStringLiteral("startup.json")));
}

// Graceful first (the master persists and tells every rank to stop), then signals.
bool stopCluster(const cluster::ClusterStateFile &state, const QString &reason)
{
    BridgeLink link(state);
    if (link.connect(2000)) {
        link.command(
            {{QLatin1String("op"), QStringLiteral("shutdown")}, {QLatin1String("reason"), reason}},
            3000);
    }
    bool graceful = waitUntilGone(state, 3000);
    if (!graceful) {
        for (qint64 pid : livePids(state))
            ::kill(pid_t(pid), SIGTERM);
        if (!waitUntilGone(state, 2000)) {
            for (qint64 pid : livePids(state))
                ::kill(pid_t(pid), SIGKILL);
            waitUntilGone(state, 2000);
        }
    }
    removeRunFiles(state.runDir);
    return graceful;
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

} // namespace

int runUpCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Start a Starling cluster: mpiexec -n 2+N starling-node (master, monitor, N slaves)."));
    parser.addHelpOption();
    parser.addOptions({
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
         QStringLiteral("MPICH Hydra host file for a multi-machine cluster."),
         QStringLiteral("file")},
        {QStringLiteral("detach"),
         QStringLiteral("Return once the cluster is up; stop it with starling down.")},
        {QStringLiteral("timeout"),
         QStringLiteral(
             "Seconds to wait for every rank (default: the config's startup_timeout_s)."),
         QStringLiteral("s")},
    });
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("up takes no arguments; see starling up --help"));

    bool ok = false;
    const int slaves = parser.value(QStringLiteral("slaves")).toInt(&ok);
    if (!ok || slaves < 1 || slaves > 256)
        return usageError(
            QStringLiteral("--slaves must be a whole number from 1 to 256, got \"%1\"")
                .arg(parser.value(QStringLiteral("slaves"))));
    cluster::ClusterConfig config;
    QStringList nodeArguments;
    if (parser.isSet(QStringLiteral("config"))) {
        const QString path = QFileInfo(parser.value(QStringLiteral("config"))).absoluteFilePath();
        auto loaded = cluster::ClusterConfig::load(path);
        if (!loaded)
            return usageError(loaded.error());
        config = std::move(loaded).value();
        nodeArguments << QStringLiteral("--config") << path;
    }
    if (parser.isSet(QStringLiteral("profile"))) {
        const QString path = QFileInfo(parser.value(QStringLiteral("profile"))).absoluteFilePath();
        if (const auto loaded = cluster::HeterogeneityProfile::load(path); !loaded)
            return usageError(loaded.error());
        nodeArguments << QStringLiteral("--profile") << path;
    }
    const QString exportRoot =
        QFileInfo(parser.isSet(QStringLiteral("export")) ? parser.value(QStringLiteral("export"))
                                                         : config.exportRoot)
            .absoluteFilePath();
    if (!QFileInfo(exportRoot).isDir())
        return usageError(QStringLiteral("export directory %1 does not exist").arg(exportRoot));
    nodeArguments << QStringLiteral("--export") << exportRoot;
    double timeoutS = config.startupTimeoutS;
    if (parser.isSet(QStringLiteral("timeout"))) {
        timeoutS = parser.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || timeoutS <= 0 || timeoutS > 600)
            return usageError(
                QStringLiteral("--timeout must be a number of seconds from 1 to 600"));
    }

    const QString runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (!QDir().mkpath(runDir))
        return usageError(QStringLiteral("cannot create run directory %1").arg(runDir));
    nodeArguments << QStringLiteral("--run-dir") << runDir;
    const QString statePath = cluster::stateFilePath(runDir);
    if (const auto existing = cluster::readStateFile(statePath)) {
        if (!livePids(*existing).empty())
            return usageError(QStringLiteral("a cluster is already running in %1 (stop it with: "
                                             "starling down --run-dir %1)")
                                  .arg(runDir));
        removeRunFiles(runDir); // left behind by a cluster that died
    }
    QFile::remove(QDir(runDir).filePath(QStringLiteral("startup.json")));

    QStringList mpiArguments;
    if (parser.isSet(QStringLiteral("hostfile"))) {
        const QString hostfile = parser.value(QStringLiteral("hostfile"));
        if (!QFileInfo(hostfile).isFile())
            return usageError(QStringLiteral("host file %1 does not exist").arg(hostfile));
        mpiArguments << QStringLiteral("-f") << QFileInfo(hostfile).absoluteFilePath();
    }
    const QString node =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("starling-node"));
    mpiArguments << QStringLiteral("-n") << QString::number(slaves + 2) << node << nodeArguments;
    const QString mpiexec = qEnvironmentVariable("STARLING_MPIEXEC", QStringLiteral("mpiexec"));
    const QString logPath = QDir(runDir).filePath(QStringLiteral("node.log"));

    QProcess process;
    process.setProgram(mpiexec);
    process.setArguments(mpiArguments);
    // One channel into one file: two descriptors on the same file overwrite each other.
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardOutputFile(logPath);
    process.setStandardInputFile(QProcess::nullDevice());
    // Its own session: Ctrl-C in this terminal reaches only us, and we stop the cluster in order.
    process.setChildProcessModifier([] { ::setsid(); });
    // Before the start: a Ctrl-C or a closed terminal from here on stops what we started.
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGHUP, onStopSignal);
    const qint64 launchedAtMs = QDateTime::currentMSecsSinceEpoch();
    qint64 pid = 0;
    const bool detach = parser.isSet(QStringLiteral("detach"));
    if (detach) {
        if (!process.startDetached(&pid))
            return usageError(QStringLiteral("cannot start %1: is MPICH installed?").arg(mpiexec));
    } else {
        process.start();
        if (!process.waitForStarted(10000))
            return usageError(
                QStringLiteral("cannot start %1: %2").arg(mpiexec, process.errorString()));
        pid = process.processId();
    }
    std::fprintf(stderr, "starting %d slaves (+ master and monitor), log %s ...\n", slaves,
                 qPrintable(logPath));

    QElapsedTimer clock;
    clock.start();
    std::optional<cluster::ClusterStateFile> state;
    while (!state) {
        const auto read = cluster::readStateFile(statePath);
        if (read && read->startedAtMs >= launchedAtMs - 1000) {
            state = *read;
            break;
        }
        const bool exited = detach ? !processAlive(pid) : process.state() == QProcess::NotRunning;
        if (exited) {
            std::fprintf(stderr,
                         "starling up: the cluster exited during start-up; last lines of %s:\n%s\n",
                         qPrintable(logPath), qPrintable(lastLines(logPath, 8)));
            return kExitRefused;
        }
        if (g_stopRequested || clock.elapsed() > qint64(timeoutS * 1000)) {
            std::fprintf(stderr, "starling up: %s; not reported: %s (see %s)\n",
                         g_stopRequested
                             ? "interrupted"
                             : qPrintable(QStringLiteral("timed out after %1 s").arg(timeoutS)),
                         qPrintable(startupMissing(runDir)), qPrintable(logPath));
            ::kill(pid_t(pid), SIGTERM);
            if (!detach && !process.waitForFinished(3000))
                process.kill();
            removeRunFiles(runDir);
            return kExitRefused;
        }
        if (detach)
            QThread::msleep(50);
        else
            process.waitForFinished(50);
    }
    state->mpiexecPid = pid;
    if (const auto written = cluster::writeStateFile(statePath, *state); !written) {
        std::fprintf(stderr, "starling up: %s\n", qPrintable(written.error()));
        stopCluster(*state, QStringLiteral("state file could not be written"));
        return kExitRefused;
    }
    std::printf("Starling cluster up: %d slaves in %.1f s\n"
                "  master   %s\n"
                "  bridge   %s:%u\n"
                "  metrics  %s\n"
                "  run dir  %s (state file cluster.json holds the token)\n",
                slaves, clock.elapsed() / 1000.0, qPrintable(state->masterUrl),
                qPrintable(state->bridgeHost), unsigned(state->bridgePort),
                qPrintable(state->metricsUrl), qPrintable(runDir));
    if (detach) {
        std::printf("Stop it with: starling down --run-dir %s\n", qPrintable(runDir));
        return 0;
    }
    std::printf("Press Ctrl-C to stop the cluster.\n");
    std::fflush(stdout);
    while (process.state() != QProcess::NotRunning && !g_stopRequested)
        process.waitForFinished(100);
    if (process.state() != QProcess::NotRunning) {
        std::printf("\nstopping the cluster ...\n");
        std::fflush(stdout);
        const bool graceful = stopCluster(*state, QStringLiteral("Ctrl-C on starling up"));
        process.waitForFinished(3000);
        std::printf("cluster stopped%s\n", graceful ? "" : " (forced)");
        return 0;
    }
    removeRunFiles(runDir);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        std::fprintf(stderr,
                     "starling up: the cluster exited unexpectedly (mpiexec exit code %d); last "
                     "lines of %s:\n%s\n",
                     process.exitCode(), qPrintable(logPath), qPrintable(lastLines(logPath, 8)));
        return kExitRefused;
    }
    std::printf("cluster stopped\n");
    return 0;
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

} // namespace starling::cli
