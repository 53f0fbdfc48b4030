#pragma once

#include <QList>
#include <QString>

namespace starling::cli::lab {

// Signals to processes by pid only, and only after /proc/PID/cmdline shows the pid still
// belongs to what we started: pids are reused, and a lab never touches a stranger's process.
class LabProcesses
{
public:
    // What runs on a lab host that `lab down` may stop: the ranks, Hydra's proxies (and the
    // `sh -c` that ip netns exec starts for them, whose command line names the proxy) and our
    // launcher before it execs.
    static const QStringList &labPrograms();

    static bool alive(qint64 pid); // running or stopped; a zombie is not alive
    static bool runs(qint64 pid, const QString &program);
    static bool runsLabProgram(qint64 pid);
    // Every live process whose environment holds `entry` ("NAME=value"): what Hydra starts
    // inherits mpiexec's environment, so this finds a cluster's processes even before its
    // pids were written down anywhere.
    static QList<qint64> withEnvironment(const QByteArray &entry);

    // SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, up to graceMs for them to
    // exit, then SIGKILL and up to graceMs more. Returns the pids still alive after that.
    static QList<qint64> stop(const QList<qint64> &pids, int graceMs);

private:
    static bool waitUntilGone(const QList<qint64> &pids, int timeoutMs);
};

} // namespace starling::cli::lab
