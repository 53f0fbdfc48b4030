#pragma once

#include "labplan.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::cli::lab {

// One thing a lab made on this machine, kept so that `starling lab down` can remove it even
// when the process that made it died half-way.
struct LabResource
{
    enum class Kind
    {
        Bridge, // name = link name
        Netns,  // name = namespace name (deleting it takes its end of the veth along)
        Veth,   // name = bridge-side link name
        Qdisc,  // name = device, netns = where the device lives (empty = root namespace)
        Cgroup, // name = absolute cgroup directory
    };

    Kind kind = Kind::Bridge;
    QString name;
    QString netns;

    QJsonObject toJson() const;
    static std::optional<LabResource> fromJson(const QJsonObject &object);
    bool operator==(const LabResource &) const = default;
};

// A process the lab started or adopted; `program` is what its /proc/PID/cmdline must contain
// before we signal it, because the pid may have been reused since.
struct LabProcess
{
    qint64 pid = 0;
    QString program;
    QString role; // "starling up", "mpiexec", "slave-3", ...

    bool operator==(const LabProcess &) const = default;
};

struct LabFault
{
    qint64 atMs = 0; // wall clock, milliseconds since the Unix epoch
    QString node;
    QString action; // crash, hang, unhang, cut, heal, link
    QString detail;
};

// RUN_DIR/lab.json (mode 0600): the plan plus every resource, process and injected fault. Each
// resource is added and saved BEFORE it is created, so after any crash the file lists at least
// everything that exists; removing a thing that was never made is harmless.
class LabRecord
{
public:
    static constexpr qint64 kMaxFileBytes = 1 << 20;
    static constexpr const char *kEnvironmentVariable = "STARLING_LAB_RECORD";

    LabRecord(QString path, LabPlan plan);

    static QString pathIn(const QString &runDir);
    // Nothing when the file does not exist (no lab); an error when it exists but is unusable.
    static Expected<std::optional<LabRecord>> load(const QString &path);

    const QString &path() const { return m_path; }
    const LabPlan &plan() const { return m_plan; }
    LabPlan &plan() { return m_plan; }
    const std::vector<LabResource> &resources() const { return m_resources; }
    const std::vector<LabProcess> &processes() const { return m_processes; }
    const std::vector<LabFault> &faults() const { return m_faults; }

    // Each adds and saves at once; a failed save is an error the caller must not ignore.
    Expected<bool> addResource(const LabResource &resource);
    Expected<bool> addProcess(const LabProcess &process);
    Expected<bool> addFault(const LabFault &fault);
    void setResources(std::vector<LabResource> resources) { m_resources = std::move(resources); }
    void setProcesses(std::vector<LabProcess> processes) { m_processes = std::move(processes); }

    Expected<bool> save() const;
    bool remove() const;

private:
    QJsonObject toJson() const;

    QString m_path;
    LabPlan m_plan;
    qint64 m_createdAtMs = 0;
    std::vector<LabResource> m_resources;
    std::vector<LabProcess> m_processes;
    std::vector<LabFault> m_faults;
};

} // namespace starling::cli::lab
