#include "labteardown.h"

#include "cluster/statefile.h"
#include "iproute2.h"
#include "labcgroups.h"
#include "labnetwork.h"
#include "labprocesses.h"
#include "labtls.h"

#include <QFileInfo>

namespace starling::cli::lab {

namespace {

// Pids of the processes in a lab namespace: also those of slaves without a cgroup.
QList<qint64> namespaceMembers(const QString &netns)
{
    QList<qint64> pids;
    if (!LabNetwork::netnsExists(netns))
        return pids;
    const Iproute2::Result result =
        Iproute2::ip({QStringLiteral("netns"), QStringLiteral("pids"), netns});
    for (const QByteArray &line : result.output.split('\n')) {
        bool ok = false;
        const qint64 pid = line.trimmed().toLongLong(&ok);
        if (ok && pid > 0)
            pids << pid;
    }
    return pids;
}

void addIfLabProgram(QList<qint64> &pids, qint64 pid)
{
    if (!pids.contains(pid) && LabProcesses::alive(pid) && LabProcesses::runsLabProgram(pid))
        pids << pid;
}

} // namespace

QList<qint64> LabTeardown::ourLiveProcesses() const
{
    QList<qint64> pids;
    for (const LabProcess &process : m_record.processes()) {
        if (!pids.contains(process.pid) && LabProcesses::alive(process.pid) &&
            LabProcesses::runs(process.pid, process.program))
            pids << process.pid;
    }
    // The cluster's own pids, in case we died before copying them into the record.
    const QString runDir = QFileInfo(m_record.path()).absolutePath();
    if (const auto state = cluster::readStateFile(cluster::stateFilePath(runDir))) {
        for (const qint64 pid : state->nodePids)
            addIfLabProgram(pids, pid);
        if (LabProcesses::alive(state->mpiexecPid) &&
            LabProcesses::runs(state->mpiexecPid, QStringLiteral("mpiexec")) &&
            !pids.contains(state->mpiexecPid))
            pids << state->mpiexecPid;
    }
    const QByteArray entry =
        QByteArray(LabRecord::kEnvironmentVariable) + '=' + m_record.path().toLocal8Bit();
    for (const qint64 pid : LabProcesses::withEnvironment(entry)) {
        if (LabProcesses::runs(pid, QStringLiteral("mpiexec")) && !pids.contains(pid))
            pids << pid;
        else
            addIfLabProgram(pids, pid);
    }
    for (const LabResource &resource : m_record.resources()) {
        if (resource.kind == LabResource::Kind::Cgroup) {
            for (const qint64 pid : LabCgroups::members(resource.name))
                addIfLabProgram(pids, pid);
        } else if (resource.kind == LabResource::Kind::Netns) {
            for (const qint64 pid : namespaceMembers(resource.name))
                addIfLabProgram(pids, pid);
        }
    }
    return pids;
}

QStringList LabTeardown::stopProcesses()
{
    const QList<qint64> pids = ourLiveProcesses();
    const QList<qint64> left = LabProcesses::stop(pids, kGraceMs);
    m_stoppedProcesses = int(pids.size() - left.size());
    QStringList problems;
    for (const qint64 pid : left)
        problems << QStringLiteral("process %1 did not exit").arg(pid);
    return problems;
}

QStringList LabTeardown::removeResources()
{
    QStringList problems;
    std::vector<LabResource> kept;
    const std::vector<LabResource> &resources = m_record.resources();
    for (auto it = resources.rbegin(); it != resources.rend(); ++it) {
        const Expected<bool> removed = it->kind == LabResource::Kind::Cgroup
                                           ? LabCgroups::remove(it->name, kCgroupTimeoutMs)
                                           : LabNetwork::remove(*it);
        if (removed) {
            ++m_removedResources;
            continue;
        }
        problems << removed.error();
        kept.insert(kept.begin(), *it);
    }
    m_record.setResources(std::move(kept));
    return problems;
}

QStringList LabTeardown::run()
{
    QStringList problems = stopProcesses();
    problems << removeResources();
    const QString runDir = QFileInfo(m_record.path()).absolutePath();
    if (!LabTls::remove(runDir))
        problems << LabTls::directoryIn(runDir) + QStringLiteral(": cannot remove");
    if (problems.isEmpty()) {
        m_record.setProcesses({});
        if (!m_record.remove())
            problems << m_record.path() + QStringLiteral(": cannot remove the lab record");
        return problems;
    }
    if (const auto saved = m_record.save(); !saved)
        problems << saved.error();
    return problems;
}

} // namespace starling::cli::lab
