#include "clusterlauncher.h"

#include "bridgelink.h"
#include "cliparsing.h"
#include "cluster/noderole.h"
#include "cluster/operatorcommand.h"
#include "cluster/statereport.h"
#include "util/processinfo.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
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

// node.log, empty and owner-only (0600 whatever the umask): QProcess opens an existing file
// without changing its mode, and the log tells how the cluster is laid out and what it serves.
bool createPrivateLog(const QString &path)
{
    QFile::remove(path);
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return false;
    const bool narrowed = ::fchmod(fd, 0600) == 0;
    ::close(fd);
    return narrowed;
}

} // namespace

ClusterLauncher::ClusterLauncher(const UpOptions &up) : m_up(up) {}

void ClusterLauncher::stopOnSignals()
{
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGHUP, onStopSignal);
    // A closed terminal also ends a pipe we print into (`starling up | tee`): "stopping the
    // cluster ..." must not kill us with SIGPIPE before the cluster is stopped.
    std::signal(SIGPIPE, SIG_IGN);
}

QString ClusterLauncher::logPath() const
{
    return QDir(m_up.runDir).filePath(QStringLiteral("node.log"));
}

std::optional<QString> ClusterLauncher::prepareRunDir() const
{
    if (const auto existing = cluster::readStateFile(cluster::stateFilePath(m_up.runDir))) {
        if (!livePids(*existing).empty())
            return QStringLiteral("a cluster is already running in %1 (stop it with: "
                                  "starling down --run-dir %1)")
                .arg(m_up.runDir);
        removeRunFiles(m_up.runDir); // left behind by a cluster that died
    }
    QFile::remove(QDir(m_up.runDir).filePath(QStringLiteral("startup.json")));
    return std::nullopt;
}

bool ClusterLauncher::start()
{
    // The state report is read from node.log: no earlier cluster's may be found there.
    if (!createPrivateLog(logPath())) {
        usageError(QStringLiteral("cannot create %1").arg(logPath()));
        return false;
    }
    m_token = cluster::generateToken();
    const QString mpiexec = qEnvironmentVariable("STARLING_MPIEXEC", QStringLiteral("mpiexec"));
    m_process.setProgram(mpiexec);
    m_process.setArguments(m_up.plan.mpiexecArguments());
    // One channel into one file: two descriptors on the same file overwrite each other.
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(logPath());
    m_process.setStandardInputFile(QProcess::nullDevice());
    // Hydra passes its environment on to every rank, on every host: the monitor's bridge token,
    // kept off command lines and out of node.log.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QString::fromLatin1(cluster::StateReport::kTokenVariable), m_token);
    m_process.setProcessEnvironment(environment);
    // Its own session: Ctrl-C in this terminal reaches only us, and we stop the cluster in order.
    m_process.setChildProcessModifier([] { ::setsid(); });
    if (m_up.detach) {
        if (!m_process.startDetached(&m_pid)) {
            usageError(QStringLiteral("cannot start %1: is MPICH installed?").arg(mpiexec));
            return false;
        }
        return true;
    }
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        usageError(QStringLiteral("cannot start %1: %2").arg(mpiexec, m_process.errorString()));
        return false;
    }
    m_pid = m_process.processId();
    return true;
}

void ClusterLauncher::abandonStart()
{
    ::kill(pid_t(m_pid), SIGTERM);
    if (!m_up.detach && !m_process.waitForFinished(3000))
        m_process.kill();
    removeRunFiles(m_up.runDir);
}

bool ClusterLauncher::exitedDuringStart() const
{
    return m_up.detach ? !util::processAlive(m_pid) : m_process.state() == QProcess::NotRunning;
}

std::optional<cluster::ClusterStateFile> ClusterLauncher::waitForState()
{
    QElapsedTimer clock;
    clock.start();
    while (true) {
        if (const auto report = cluster::StateReport::find(logPath(), m_token)) {
            if (report->hasValue())
                return report->value();
            std::fprintf(stderr, "starling up: %s\n", qPrintable(report->error()));
            abandonStart();
            return std::nullopt;
        }
        if (exitedDuringStart()) {
            std::fprintf(stderr,
                         "starling up: the cluster exited during start-up; last lines of %s:\n%s\n",
                         qPrintable(logPath()), qPrintable(lastLines(logPath(), 8)));
            return std::nullopt;
        }
        if (g_stopRequested || clock.elapsed() > qint64(m_up.timeoutS * 1000)) {
            std::fprintf(
                stderr, "starling up: %s; not reported: %s (see %s)\n",
                g_stopRequested
                    ? "interrupted"
                    : qPrintable(QStringLiteral("timed out after %1 s").arg(m_up.timeoutS)),
                qPrintable(startupMissing(m_up.runDir)), qPrintable(logPath()));
            abandonStart();
            return std::nullopt;
        }
        if (m_up.detach)
            QThread::msleep(50);
        else
            m_process.waitForFinished(50);
    }
}

int ClusterLauncher::stayInForeground(const cluster::ClusterStateFile &state)
{
    std::printf("Press Ctrl-C to stop the cluster.\n");
    std::fflush(stdout);
    std::vector<bool> reported(state.nodePids.size(), false);
    while (m_process.state() != QProcess::NotRunning && !g_stopRequested) {
        m_process.waitForFinished(100);
        if (endedInOrder(state)) {
            m_process.waitForFinished(7000); // `down` forces a hung rank within about 5 s
            std::printf("cluster stopped by starling down\n");
            return 0;
        }
        reportDeaths(state, reported);
        if (reported[0] || reported[1]) {
            // The survivors stop themselves once they notice; make sure of it.
            stop(state, QStringLiteral("the master or the monitor died"));
            m_process.waitForFinished(3000);
            return kExitRefused;
        }
    }
    if (m_process.state() != QProcess::NotRunning) {
        std::printf("\nstopping the cluster ...\n");
        std::fflush(stdout);
        const bool graceful = stop(state, QStringLiteral("Ctrl-C on starling up"));
        m_process.waitForFinished(3000);
        std::printf("cluster stopped%s\n", graceful ? "" : " (forced)");
        return 0;
    }
    removeOwnRunFiles(state);
    reportDeaths(state, reported);
    if (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != 0) {
        std::fprintf(stderr,
                     "starling up: the cluster exited unexpectedly (mpiexec exit code %d); last "
                     "lines of %s:\n%s\n",
                     m_process.exitCode(), qPrintable(logPath()),
                     qPrintable(lastLines(logPath(), 8)));
        return kExitRefused;
    }
    std::printf("cluster stopped\n");
    return 0;
}

// `starling down` (or restart) leaves RUN_DIR/stopping naming the mpiexec it stops before it
// stops anything; a crash of the master or the monitor leaves none.
QString ClusterLauncher::stopMarkerPath(const QString &runDir)
{
    return QDir(runDir).filePath(QStringLiteral("stopping"));
}

bool ClusterLauncher::endedInOrder(const cluster::ClusterStateFile &state) const
{
    if (state.nodePids.size() < 2 ||
        (util::processAlive(state.nodePids[0]) && util::processAlive(state.nodePids[1])))
        return false;
    QFile marker(stopMarkerPath(state.runDir));
    return marker.open(QIODevice::ReadOnly) &&
           marker.read(32).trimmed() == QByteArray::number(state.mpiexecPid);
}

std::vector<qint64> ClusterLauncher::livePids(const cluster::ClusterStateFile &state)
{
    std::vector<qint64> live;
    if (util::processAlive(state.mpiexecPid) &&
        util::processRuns(state.mpiexecPid, QStringLiteral("mpiexec")))
        live.push_back(state.mpiexecPid);
    for (qint64 pid : state.nodePids) {
        if (util::processAlive(pid) && util::processRuns(pid, QStringLiteral("starling-node")))
            live.push_back(pid);
    }
    return live;
}

bool ClusterLauncher::waitUntilGone(const cluster::ClusterStateFile &state, int timeoutMs)
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

void ClusterLauncher::removeRunFiles(const QString &runDir)
{
    QFile::remove(stopMarkerPath(runDir));
    QFile::remove(cluster::stateFilePath(runDir));
    QFile::remove(QDir(runDir).filePath(QStringLiteral("startup.json")));
}

void ClusterLauncher::removeOwnRunFiles(const cluster::ClusterStateFile &state)
{
    const auto current = cluster::readStateFile(cluster::stateFilePath(state.runDir));
    if (!current || current->token == state.token)
        removeRunFiles(state.runDir);
}

bool ClusterLauncher::stop(const cluster::ClusterStateFile &state, const QString &reason)
{
    // Budget: 3 s to stop in order, 1 s after SIGTERM, then SIGKILL; about 5 s in all even
    // when a rank (or the monitor itself) hangs.
    constexpr int kGracefulMs = 3000;
    QElapsedTimer clock;
    clock.start();
    QFile marker(stopMarkerPath(state.runDir));
    if (marker.open(QIODevice::WriteOnly | QIODevice::Truncate))
        marker.write(QByteArray::number(state.mpiexecPid) + '\n');
    marker.close();
    BridgeLink link(state);
    if (link.connect(1000)) {
        cluster::OperatorCommand shutdown;
        shutdown.op = cluster::CommandOp::Shutdown;
        shutdown.reason = reason;
        link.command(shutdown.toJson(),
                     int(std::max<qint64>(100, kGracefulMs - 500 - clock.elapsed())));
    }
    const bool graceful =
        waitUntilGone(state, int(std::max<qint64>(0, kGracefulMs - clock.elapsed())));
    if (!graceful) {
        // SIGCONT too: a stopped (hung) rank cannot act on SIGTERM until it runs again.
        for (qint64 pid : livePids(state)) {
            ::kill(pid_t(pid), SIGTERM);
            ::kill(pid_t(pid), SIGCONT);
        }
        if (!waitUntilGone(state, 1000)) {
            for (qint64 pid : livePids(state))
                ::kill(pid_t(pid), SIGKILL);
            waitUntilGone(state, 1000);
        }
    }
    removeOwnRunFiles(state);
    return graceful;
}

} // namespace starling::cli
