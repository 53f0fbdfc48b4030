#pragma once

#include "cluster/statefile.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace starling::cluster {

// How the monitor tells `starling up` where the cluster is, wherever Hydra placed the monitor:
// one line on its standard output, which Hydra forwards to mpiexec's, which `up` writes into
// RUN_DIR/node.log on its own host. `up` then writes the state file there, so clients on that
// host find the cluster even when the monitor runs elsewhere. The line carries everything in the
// state file except the token: `up` made the token and handed it to the ranks in their
// environment (kTokenVariable), so it never appears in a log or on a command line.
class StateReport
{
public:
    static constexpr const char *kPrefix = "starling-state ";
    static constexpr const char *kTokenVariable = "STARLING_CLUSTER_TOKEN";
    // node.log is read up to here: the report is among the first lines a cluster writes.
    static constexpr qint64 kMaxScanBytes = 4 << 20;

    // The line, with its newline; the state's token is left out.
    static QByteArray line(const ClusterStateFile &state);
    // One line as line() wrote it (with or without its newline), with `token` put back; a line
    // without the prefix, malformed or oversized is an error naming `origin`.
    static Expected<ClusterStateFile> parse(const QByteArray &line, const QString &token,
                                            const QString &origin);
    // The last report in the first kMaxScanBytes of logPath; nullopt while there is none. A
    // malformed report line is an error.
    static std::optional<Expected<ClusterStateFile>> find(const QString &logPath,
                                                          const QString &token);
    // The token `up` handed over, if it is a well-formed one; else a new one (a monitor started
    // by hand).
    static QString tokenFromEnvironment();
};

} // namespace starling::cluster
