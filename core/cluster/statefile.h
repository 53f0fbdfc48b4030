#pragma once

#include "util/expected.h"
#include "util/tlstrust.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::cluster {

// Where a running cluster can be found (ARCHITECTURE.md, "State file"): `starling up` writes it
// into the run directory and every client reads it unless given an address. It carries the
// bridge token, so it is written owner-only (0600) and no error message ever contains the token.
// Readers ignore keys they do not know, so an older client still finds a newer cluster.
struct ClusterStateFile
{
    static constexpr qint64 kMaxFileBytes = 1 << 20;
    static constexpr int kMaxNodePids = 4098; // master, monitor and 4096 slaves

    QString masterUrl;      // "http://127.0.0.1:41234"
    QString bridgeHost;     // "127.0.0.1"
    quint16 bridgePort = 0; // 0 = not listening yet
    QString metricsUrl;     // "http://127.0.0.1:41236/metrics"
    QString token;          // what bridge clients present; see generateToken()
    qint64 mpiexecPid = 0;
    std::vector<qint64> nodePids; // the starling-node processes, in MPI rank order
    QString runDir;
    qint64 startedAtMs = 0; // wall clock, milliseconds since the Unix epoch
    int slaves = 0;
    QString exportRoot;
    QString profilePath; // empty = no heterogeneity profile
    // TLS slice: optional key "tls" {"ca_file", "pubkey_sha256"}, written when the cluster
    // speaks TLS; a client then verifies against it and never talks clear text.
    util::TlsTrust tls;

    QJsonObject toJson() const;
    // Every key above but `tls` is required; origin (usually the path) starts every error message.
    static Expected<ClusterStateFile> fromJson(const QByteArray &json, const QString &origin);

    bool operator==(const ClusterStateFile &) const = default;
};

// The run directory: flagValue if non-empty, else $STARLING_RUN_DIR if non-empty, else
// ./.starling; always absolute and clean.
QString resolveRunDir(const QString &flagValue);

// runDir/cluster.json
QString stateFilePath(const QString &runDir);

// Replaces path atomically with mode 0600 whatever the umask or the old file's mode; creates a
// missing directory with mode 0700.
Expected<bool> writeStateFile(const QString &path, const ClusterStateFile &state);

// A missing file is "no cluster found" with the command that starts one. A file owned by another
// user or writable by group or others is refused: whoever could write it could point every
// client at their own master and collect the token.
Expected<ClusterStateFile> readStateFile(const QString &path);

// The run directory, created owner-only (0700 whatever the umask) with its missing parents. An
// existing one is kept as it is unless it is not a directory, belongs to another user or is
// writable by group or others: then one line saying so, since anyone who can write there can
// replace the state file, the log or the lock.
Expected<bool> ensureRunDirectory(const QString &dir);

// 32 random bytes from the system generator as 64 lowercase hex characters.
QString generateToken();

} // namespace starling::cluster
