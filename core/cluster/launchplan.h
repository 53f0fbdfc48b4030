#pragma once

#include "cluster/noderole.h"
#include "util/expected.h"

#include <QStringList>

namespace starling::cluster {

// How `starling up` runs mpiexec so that one dead slave costs only itself (MPI-NOTES.md): every
// rank has a Hydra proxy of its own (one host entry with one slot per rank; on one machine,
// distinct loopback addresses with the fork launcher), Hydra does not kill the job when a rank
// dies (-disable-auto-cleanup), and ranks talk over TCP (UCX_TLS=tcp, MPIR_CVAR_NOLOCAL=1),
// since a send to a dead rank over shared memory stalls instead of failing.
struct LaunchPlan
{
    static constexpr int kMaxRanks = 258; // master, monitor and 256 slaves

    int slaves = 4;
    QString nodeProgram;       // absolute path of starling-node
    QStringList nodeArguments; // --export DIR --run-dir DIR ...
    // One entry per rank, in rank order (master, monitor, slaves). Empty: loopback entries
    // 127.0.0.1, 127.0.0.2, ... with the fork launcher.
    QStringList hosts;
    QString hostfile;     // mpiexec -f FILE instead of hosts (one "host:1" line per rank)
    QString launcher;     // Hydra's -launcher (ssh, fork, ...); empty = fork on one machine
    QString launcherExec; // Hydra's -launcher-exec
    QString iface;        // Hydra's -iface: the interface its proxies connect back over
    // "tcp" (the default, survives a dead slave) or "shm" (UCX's defaults: shared memory
    // between ranks on one machine; a dead slave can stall the others; for measurements).
    QString mpiTransport = QStringLiteral("tcp");

    int ranks() const { return slaveRank(slaves); }
    // Each rank's host in rank order: `hosts`, else loopback entries. With a host file the
    // caller fills `hosts` from it (parseHostfile), so the ranks learn their host from us;
    // Hydra's own variable for it is not set when -iface is given (measured).
    QStringList rankHosts() const { return hosts.isEmpty() ? loopbackHosts(ranks()) : hosts; }
    QStringList mpiexecArguments() const;

    // "h1,h2,..." or "h1:1,h2:1,...": exactly `ranks` entries, each an address or host name
    // (no spaces, no shell characters); any slot count other than 1 is refused.
    static Expected<QStringList> parseHosts(const QString &text, int ranks);
    // A Hydra host file as `starling up` takes it: one "host" or "host:1" line per rank in rank
    // order ('#' starts a comment, blank lines are skipped), exactly `ranks` of them.
    static Expected<QStringList> parseHostfile(const QByteArray &text, int ranks);
    static QStringList loopbackHosts(int ranks);
};

} // namespace starling::cluster
