#include "labprocesses.h"

#include "util/processinfo.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <csignal>

namespace starling::cli::lab {

const QStringList &LabProcesses::labPrograms()
{
    static const QStringList programs{QStringLiteral("starling-node"),
                                      QStringLiteral("hydra_pmi_proxy"),
                                      QStringLiteral("starling-lab-exec")};
    return programs;
}

bool LabProcesses::alive(qint64 pid)
{
    return util::processAlive(pid);
}

bool LabProcesses::runs(qint64 pid, const QString &program)
{
    return util::processRuns(pid, program);
}

bool LabProcesses::runsLabProgram(qint64 pid)
{
    for (const QString &program : labPrograms()) {
        if (runs(pid, program))
            return true;
    }
    return false;
}

QList<qint64> LabProcesses::withEnvironment(const QByteArray &entry)
{
    QList<qint64> pids;
    const qint64 self = QCoreApplication::applicationPid();
    for (const QString &name : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const qint64 pid = name.toLongLong(&ok);
        if (!ok || pid == self)
            continue;
        QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
        if (!environ.open(QIODevice::ReadOnly))
            continue;
        if (environ.readAll().split('\0').contains(entry) && alive(pid))
            pids << pid;
    }
    return pids;
}

bool LabProcesses::waitUntilGone(const QList<qint64> &pids, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    for (const qint64 pid : pids) {
        while (alive(pid)) {
            if (clock.elapsed() > timeoutMs)
                return false;
            QThread::msleep(20);
        }
    }
    return true;
}

QList<qint64> LabProcesses::stop(const QList<qint64> &pids, int graceMs)
{
    for (const qint64 pid : pids) {
        ::kill(pid_t(pid), SIGCONT);
        ::kill(pid_t(pid), SIGTERM);
    }
    if (!waitUntilGone(pids, graceMs)) {
        for (const qint64 pid : pids) {
            if (alive(pid))
                ::kill(pid_t(pid), SIGKILL);
        }
        waitUntilGone(pids, graceMs);
    }
    QList<qint64> left;
    for (const qint64 pid : pids) {
        if (alive(pid))
            left << pid;
    }
    return left;
}

} // namespace starling::cli::lab
