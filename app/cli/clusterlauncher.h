#pragma once

#include "cluster/statefile.h"
#include "upoptions.h"

#include <QProcess>
#include <QString>

#include <optional>
#include <vector>

namespace starling::cli {

// A cluster's processes: starting them (mpiexec -n 2+N starling-node in its own session, the
// bridge token in its environment), waiting for the monitor's state report, watching them in
// the foreground, and stopping them: the bridge's shutdown first, then signals, only ever to
// pids that are still what we started.
class ClusterLauncher
{
public:
    explicit ClusterLauncher(const UpOptions &up);
    ClusterLauncher(const ClusterLauncher &) = delete;
    ClusterLauncher &operator=(const ClusterLauncher &) = delete;

    // From here on SIGINT, SIGTERM and SIGHUP stop what we start instead of killing us.
    static void stopOnSignals();

    // Clears what a dead cluster left in the run directory; the message if one still runs.
    std::optional<QString> prepareRunDir() const;
    // Starts mpiexec with a fresh token; false (with one line on stderr) if it cannot start.
    bool start();
    // The monitor's state report from node.log (wherever the monitor runs, mpiexec writes its
    // output there); nullopt, with the reason printed and the cluster stopped, if the cluster
    // exited, timed out, was interrupted or reported garbage during start-up.
    std::optional<cluster::ClusterStateFile> waitForState();
    // In the foreground until Ctrl-C (SIGTERM, SIGHUP) or the cluster ends: reports every rank
    // that dies; 0 after `starling down` (the systemd unit's ExecStop), 1 after a crash.
    int stayInForeground(const cluster::ClusterStateFile &state);
    qint64 pid() const { return m_pid; }
    QString logPath() const;

    // mpiexec and every starling-node of the state file that still runs.
    static std::vector<qint64> livePids(const cluster::ClusterStateFile &state);
    static bool waitUntilGone(const cluster::ClusterStateFile &state, int timeoutMs);
    static void removeRunFiles(const QString &runDir);
    // The same, unless the state file now belongs to another cluster (another token): a
    // `starling restart` may have written a new one by then.
    static void removeOwnRunFiles(const cluster::ClusterStateFile &state);
    // Graceful first (the master persists and tells every rank to stop), then SIGTERM, then
    // SIGKILL; within about 5 s even with a hung (stopped) rank. True if no signal was needed.
    static bool stop(const cluster::ClusterStateFile &state, const QString &reason);

private:
    void abandonStart();
    bool exitedDuringStart() const;
    bool endedInOrder(const cluster::ClusterStateFile &state) const;
    static QString stopMarkerPath(const QString &runDir);

    UpOptions m_up;
    QString m_token;
    QProcess m_process;
    qint64 m_pid = 0;
};

} // namespace starling::cli
