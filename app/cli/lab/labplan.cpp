#include "labplan.h"

#include "cluster/heterogeneityprofile.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <cmath>

namespace starling::cli::lab {

namespace {

bool isValidId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9]{1,4}$"));
    return pattern.match(id).hasMatch();
}

LabHost rootHost(const QString &node, int rank, const QString &address)
{
    LabHost host;
    host.node = node;
    host.rank = rank;
    host.address = address;
    return host;
}

} // namespace

QJsonObject LabHost::toJson() const
{
    return {{QLatin1String("node"), node},
            {QLatin1String("rank"), rank},
            {QLatin1String("address"), address},
            {QLatin1String("netns"), netns},
            {QLatin1String("bridge_port"), bridgePort},
            {QLatin1String("cgroup"), cgroup},
            {QLatin1String("link_MBps"), linkMBps},
            {QLatin1String("cpu_factor"), cpuFactor},
            {QLatin1String("cpu_quota_us"), cpuQuotaUs}};
}

LabHost LabHost::fromJson(const QJsonObject &object)
{
    LabHost host;
    host.node = object.value(QLatin1String("node")).toString();
    host.rank = object.value(QLatin1String("rank")).toInt(-1);
    host.address = object.value(QLatin1String("address")).toString();
    host.netns = object.value(QLatin1String("netns")).toString();
    host.bridgePort = object.value(QLatin1String("bridge_port")).toString();
    host.cgroup = object.value(QLatin1String("cgroup")).toString();
    host.linkMBps = object.value(QLatin1String("link_MBps")).toDouble();
    host.cpuFactor = object.value(QLatin1String("cpu_factor")).toDouble(1);
    host.cpuQuotaUs = object.value(QLatin1String("cpu_quota_us")).toInteger(-1);
    return host;
}

QString LabPlan::randomId()
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QString id;
    for (int i = 0; i < kMaxIdChars; ++i)
        id += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(36)]);
    return id;
}

qint64 LabPlan::quotaFor(double cpuFactor)
{
    return std::max(kMinCpuQuotaUs, qint64(std::llround(double(kCpuPeriodUs) / cpuFactor)));
}

Expected<LabPlan> LabPlan::make(const QString &id, const LabSubnet &subnet, int slaves,
                                const cluster::HeterogeneityProfile &profile)
{
    if (!isValidId(id))
        return Error{QStringLiteral("lab id \"%1\" must be 1 to 4 of a-z, 0-9").arg(id)};
    if (slaves < 1 || slaves > kMaxSlaves)
        return Error{QStringLiteral("--slaves must be a whole number from 1 to %1, got %2")
                         .arg(kMaxSlaves)
                         .arg(slaves)};
    LabPlan plan;
    plan.m_id = id;
    plan.m_subnet = subnet.toString();
    plan.m_bridge = QStringLiteral("stl-br") + id;
    plan.m_hosts.push_back(rootHost(cluster::nodeName(cluster::kMasterRank), cluster::kMasterRank,
                                    subnet.address(kMasterOffset)));
    plan.m_hosts.push_back(rootHost(cluster::nodeName(cluster::kMonitorRank),
                                    cluster::kMonitorRank, subnet.address(kMonitorOffset)));
    for (int k = 1; k <= slaves; ++k) {
        LabHost host;
        host.rank = cluster::slaveRank(k - 1);
        host.node = cluster::nodeName(host.rank);
        host.address = subnet.address(kFirstSlaveOffset + k - 1);
        host.netns = QStringLiteral("stl-%1-h%2").arg(id).arg(k);
        host.bridgePort = host.netns;
        const cluster::SlaveEmulation emulation = profile.forSlave(k - 1);
        if (emulation.emulated) {
            host.linkMBps = emulation.linkMBps;
            host.cpuFactor = emulation.cpuFactor;
            host.cpuQuotaUs = quotaFor(emulation.cpuFactor);
            host.cgroup = host.netns;
        }
        plan.m_hosts.push_back(host);
    }
    return plan;
}

const LabHost *LabPlan::hostByAddress(const QString &address) const
{
    for (const LabHost &host : m_hosts) {
        if (host.address == address)
            return &host;
    }
    return nullptr;
}

const LabHost *LabPlan::hostByNode(const QString &node) const
{
    for (const LabHost &host : m_hosts) {
        if (host.node == node)
            return &host;
    }
    return nullptr;
}

QString LabPlan::namePrefix() const
{
    return QStringLiteral("stl-%1-").arg(m_id);
}

QJsonObject LabPlan::toJson() const
{
    QJsonArray hosts;
    for (const LabHost &host : m_hosts)
        hosts.append(host.toJson());
    return {{QLatin1String("id"), m_id},
            {QLatin1String("subnet"), m_subnet},
            {QLatin1String("bridge"), m_bridge},
            {QLatin1String("hosts"), hosts}};
}

Expected<LabPlan> LabPlan::fromJson(const QJsonObject &object, const QString &origin)
{
    LabPlan plan;
    plan.m_id = object.value(QLatin1String("id")).toString();
    plan.m_subnet = object.value(QLatin1String("subnet")).toString();
    plan.m_bridge = object.value(QLatin1String("bridge")).toString();
    for (const QJsonValue &value : object.value(QLatin1String("hosts")).toArray())
        plan.m_hosts.push_back(LabHost::fromJson(value.toObject()));
    // A record is only ever written by us, but the names go to `ip` and into paths: a damaged
    // one must not make us touch something that is not the lab's.
    if (!isValidId(plan.m_id) || plan.m_bridge != QStringLiteral("stl-br") + plan.m_id ||
        plan.m_hosts.size() < 2)
        return Error{origin + QStringLiteral(": not a lab record (bad id, bridge or hosts)")};
    for (const LabHost &host : plan.m_hosts) {
        for (const QString &name : {host.netns, host.bridgePort, host.cgroup}) {
            if (!name.isEmpty() && !name.startsWith(plan.namePrefix()))
                return Error{origin + QStringLiteral(": host %1 has a name outside the lab (%2)")
                                          .arg(host.node, name)};
        }
    }
    return plan;
}

} // namespace starling::cli::lab
