#pragma once

#include "cluster/noderole.h"
#include "labsubnet.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::cluster {
struct HeterogeneityProfile;
}

namespace starling::cli::lab {

// One emulated host of a lab. Master and monitor run in the root namespace (no namespace, no
// veth, no cgroup); every slave has all three, named alike so `ip`, `tc` and the cgroup tree
// read the same.
struct LabHost
{
    QString node;           // the cluster's name for the rank: "master", "monitor", "slave-2", ...
    int rank = 0;           // MPI rank, which is also the position in `starling up --hosts`
    QString address;        // its address on the lab bridge
    QString netns;          // empty for the root namespace
    QString bridgePort;     // the bridge-side end of its veth (its downlink); empty for root
    QString cgroup;         // cgroup directory name; empty when the CPU is not limited
    double linkMBps = 0;    // 0 = not shaped; MB = 10^6 bytes
    double cpuFactor = 1;   // the profile's factor; the quota is one core / cpuFactor
    qint64 cpuQuotaUs = -1; // per kCpuPeriodUs; -1 = unlimited

    bool inRootNamespace() const { return netns.isEmpty(); }
    QJsonObject toJson() const;
    static LabHost fromJson(const QJsonObject &object);
    bool operator==(const LabHost &) const = default;
};

// Everything a lab is made of, computed before anything is made: names, addresses, link rates
// and CPU quotas. Pure, so the tests check it without root.
class LabPlan
{
public:
    static constexpr int kMaxSlaves = 32;
    static constexpr int kMaxIdChars = 4; // "stl-br" + id must fit IFNAMSIZ - 1 = 15
    // 20 ms, not the kernel's default 100 ms: a slower CPU is slow all the time, not a full
    // core in bursts. A slave with a third of a core that ran 33 ms and then waited 67 ms made
    // a strip's time depend on where in the period it arrived. 1 ms (the floor) is 1/20 core.
    static constexpr qint64 kCpuPeriodUs = 20000;
    static constexpr qint64 kMinCpuQuotaUs = 1000; // the kernel's floor for cfs_quota_us
    static constexpr int kMasterOffset = 1;
    static constexpr int kMonitorOffset = 2;
    static constexpr int kFirstSlaveOffset = 11;

    static Expected<LabPlan> make(const QString &id, const LabSubnet &subnet, int slaves,
                                  const cluster::HeterogeneityProfile &profile);
    static QString randomId();
    static qint64 quotaFor(double cpuFactor);

    QString id() const { return m_id; }
    QString subnet() const { return m_subnet; }
    QString bridge() const { return m_bridge; }
    int slaveCount() const { return cluster::slaveCount(int(m_hosts.size())); }
    const std::vector<LabHost> &hosts() const { return m_hosts; }
    std::vector<LabHost> &hosts() { return m_hosts; }
    const LabHost *hostByAddress(const QString &address) const;
    const LabHost *hostByNode(const QString &node) const;
    // Every name this lab gives a link, namespace or cgroup starts with this.
    QString namePrefix() const;

    QJsonObject toJson() const;
    static Expected<LabPlan> fromJson(const QJsonObject &object, const QString &origin);

private:
    QString m_id;
    QString m_subnet;
    QString m_bridge;
    std::vector<LabHost> m_hosts;
};

} // namespace starling::cli::lab
