#pragma once

// Starts and stops a real cluster for end-to-end tests: `starling up --detach` in a temporary
// run directory on ports the kernel picks, the CLI run as a user would, and a check that every
// process it started is gone afterwards. Header-only: each test executable compiles it once.
#include "cluster/statefile.h"
#include "processrun.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <vector>

namespace starling::testing {

inline bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.size() > close + 2 && text.at(close + 2) != 'Z';
}

inline CliResult runCli(const QStringList &arguments, int timeoutMs = 60000)
{
    return runProgram(QStringLiteral(STARLING_CLI), arguments, timeoutMs);
}

class ClusterHarness
{
public:
    ClusterHarness() : m_runDir(m_dir.filePath(QStringLiteral("run")))
    {
        // STARLING_KEEP_TEST_DIRS=1 keeps the run directory (node.log) to look at afterwards.
        if (qEnvironmentVariableIntValue("STARLING_KEEP_TEST_DIRS") == 1) {
            m_dir.setAutoRemove(false);
            qWarning("keeping %s", qPrintable(m_dir.path()));
        }
    }

    bool isValid() const { return m_dir.isValid(); }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString runDir() const { return m_runDir; }
    QString exportDir() const { return m_dir.filePath(QStringLiteral("export")); }

    void writeConfig(const QByteArray &json)
    {
        QFile config(path(QStringLiteral("config.json")));
        if (config.open(QIODevice::WriteOnly | QIODevice::Truncate))
            config.write(json);
    }

    // `starling up --detach` with the given profile; false (and a warning) if it failed.
    bool up(int slaves, const QString &profile)
    {
        QDir().mkpath(exportDir());
        QStringList args{QStringLiteral("up"),       QStringLiteral("--detach"),
                         QStringLiteral("--slaves"), QString::number(slaves),
                         QStringLiteral("--export"), exportDir()};
        if (QFile::exists(path(QStringLiteral("config.json"))))
            args << QStringLiteral("--config") << path(QStringLiteral("config.json"));
        if (!profile.isEmpty())
            args << QStringLiteral("--profile") << profile;
        const CliResult result = run(args, 180000);
        if (result.exitCode != 0) {
            qWarning("starling up failed: %s %s", qPrintable(result.out), qPrintable(result.err));
            return false;
        }
        adoptPids();
        return true;
    }

    // After a `starling restart`: the new processes are ours to check and clean up too.
    void adoptPids()
    {
        const cluster::ClusterStateFile s = state();
        m_pids.insert(m_pids.end(), s.nodePids.begin(), s.nodePids.end());
        m_pids.push_back(s.mpiexecPid);
    }

    CliResult run(QStringList arguments, int timeoutMs = 60000) const
    {
        arguments << QStringLiteral("--run-dir") << m_runDir;
        return runCli(arguments, timeoutMs);
    }

    cluster::ClusterStateFile state() const
    {
        const auto read = cluster::readStateFile(cluster::stateFilePath(m_runDir));
        return read ? *read : cluster::ClusterStateFile{};
    }

    qint64 slavePid(int rank) const
    {
        const cluster::ClusterStateFile s = state();
        return rank < int(s.nodePids.size()) ? s.nodePids[size_t(rank)] : -1;
    }

    // `starling down`, then every process this harness started must be gone.
    bool down()
    {
        if (QFile::exists(cluster::stateFilePath(m_runDir)) &&
            run({QStringLiteral("down")}).exitCode != 0)
            return false;
        return allGone(15000);
    }

    bool allGone(int timeoutMs) const
    {
        QElapsedTimer clock;
        clock.start();
        for (const qint64 pid : m_pids) {
            while (pid > 0 && processAlive(pid)) {
                if (clock.elapsed() > timeoutMs)
                    return false;
                QTest::qWait(20);
            }
        }
        return true;
    }

    // Last resort in cleanup: SIGCONT (a test may have stopped one) and SIGKILL our own pids.
    void killLeftovers() const
    {
        for (const qint64 pid : m_pids) {
            if (pid > 0 && processAlive(pid)) {
                ::kill(pid_t(pid), SIGCONT);
                ::kill(pid_t(pid), SIGKILL);
            }
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_runDir;
    std::vector<qint64> m_pids;
};

} // namespace starling::testing
