#pragma once

#include "util/expected.h"

#include <QList>
#include <QString>

namespace starling::cli::lab {

// CPU quotas for the slaves' hosts: one cgroup per host with the CFS bandwidth limit
// quota/period. Works with the v1 cpu controller (cpu.cfs_quota_us, cpu.cfs_period_us) and
// with v2 (cpu.max), whichever the machine mounts; `root` is a parameter so the file logic of
// both is testable against a plain directory.
class LabCgroups
{
public:
    enum class Version
    {
        V1,
        V2
    };

    static constexpr const char *kDefaultRoot = "/sys/fs/cgroup";

    // V1 when ROOT/cpu has cfs files (also on hybrid machines), else V2 when ROOT offers the
    // cpu controller; otherwise an error saying so.
    static Expected<LabCgroups> detect(const QString &root = QLatin1String(kDefaultRoot));

    Version version() const { return m_version; }
    QString directory(const QString &name) const;

    // Creates the group (and, on v2, enables the cpu controller for the root's children).
    Expected<bool> create(const QString &directory, qint64 quotaUs, qint64 periodUs) const;
    Expected<bool> setQuota(const QString &directory, qint64 quotaUs, qint64 periodUs) const;
    // {quota, period}; quota -1 = unlimited.
    std::optional<std::pair<qint64, qint64>> quota(const QString &directory) const;

    static Expected<bool> join(const QString &directory, qint64 pid);
    static QList<qint64> members(const QString &directory);
    // Waits up to timeoutMs for the group to empty (its processes are being killed), then moves
    // any that are left to the parent group, so a stranger's process is never killed, and
    // removes the directory. A directory that is already gone counts as removed.
    static Expected<bool> remove(const QString &directory, int timeoutMs);

private:
    LabCgroups(Version version, QString hierarchy)
        : m_version(version), m_hierarchy(std::move(hierarchy))
    {}
    static Expected<bool> writeFile(const QString &path, const QByteArray &bytes);

    Version m_version = Version::V1;
    QString m_hierarchy; // the directory lab groups are made in
};

} // namespace starling::cli::lab
