#pragma once

#include "cluster/statefile.h"
#include "util/expected.h"

#include <QString>
#include <QStringList>
#include <QUrl>

namespace starling::bench {

// One Starling cluster of the transfer benchmark, started with `starling up --detach` into its
// own run directory and stopped with `starling down` when it goes out of scope, so a failed
// run never leaves ranks behind.
class BenchCluster
{
public:
    BenchCluster(QString cli, QString runDir);
    ~BenchCluster();
    BenchCluster(const BenchCluster &) = delete;
    BenchCluster &operator=(const BenchCluster &) = delete;

    // profile may be empty (unpaced slaves).
    Expected<bool> up(int slaves, const QString &profile, const QString &exportDir,
                      const QString &config, const QStringList &extraArguments = {});
    // The same on `starling lab up` (root): every slave a host with kernel-shaped links and a
    // CPU quota from the profile; down() then runs `starling lab down`.
    Expected<bool> upLab(int slaves, const QString &profile, const QString &exportDir,
                         const QString &config);
    // `starling restart`: the same cluster again (lost slaves back); the new state is read.
    Expected<bool> restart();
    void down();

    const QString &runDir() const { return m_runDir; }
    QUrl masterUrl() const;                                       // always ends with '/'
    QByteArray token() const { return m_state.token.toLatin1(); } // for the master's API
    qint64 slavePid(int slaveIndex) const; // slave k is MPI rank 2 + k; 0 = unknown
    // Asks the master for a plan once, so it has hashed the file's pieces (it caches them, as a
    // web server has a file in the page cache) before any timed run.
    Expected<bool> warmUp(const QString &relativePath) const;
    // Polls `starling status --json` until every slave is ACTIVE.
    bool waitAllSlavesActive(int timeoutMs) const;

private:
    Expected<bool> start(int slaves, const QStringList &arguments);

    QString m_cli;
    QString m_runDir;
    cluster::ClusterStateFile m_state;
    bool m_running = false;
    bool m_lab = false;
};

} // namespace starling::bench
