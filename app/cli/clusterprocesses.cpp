#include "clusterprocesses.h"

#include "bridgelink.h"
#include "cluster/operatorcommand.h"
#include "util/processinfo.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <algorithm>
#include <csignal>

namespace starling::cli {

std::vector<qint64> livePids(const cluster::ClusterStateFile &state)
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

void removeOwnRunFiles(const cluster::ClusterStateFile &state)
{
    const auto current = cluster::readStateFile(cluster::stateFilePath(state.runDir));
    if (!current || current->token == state.token)
        removeRunFiles(state.runDir);
}

bool stopCluster(const cluster::ClusterStateFile &state, const QString &reason)
{
    // Budget: 3 s to stop in order, 1 s after SIGTERM, then SIGKILL; about 5 s in all even
    // when a rank (or the monitor itself) hangs.
    constexpr int kGracefulMs = 3000;
    QElapsedTimer clock;
    clock.start();
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
