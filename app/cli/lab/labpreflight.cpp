#include "labpreflight.h"

#include "iproute2.h"
#include "labnetwork.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace starling::cli::lab {

namespace {

constexpr int kCapNetAdmin = 12;
constexpr int kCapSysAdmin = 21;

} // namespace

bool LabPreflight::hasCapabilities(quint64 wanted)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return false;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("CapEff:")) {
            bool ok = false;
            const quint64 effective = line.mid(7).trimmed().toULongLong(&ok, 16);
            return ok && (effective & wanted) == wanted;
        }
    }
    return false;
}

Expected<bool> LabPreflight::checkPrivileges()
{
    if (hasCapabilities((quint64(1) << kCapNetAdmin) | (quint64(1) << kCapSysAdmin)))
        return true;
    return Error{QStringLiteral("a lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to make "
                                "namespaces, links and cgroups; run it as root")};
}

Expected<bool> LabPreflight::checkNamespaceSupport()
{
    if (!QFileInfo::exists(QStringLiteral("/proc/self/ns/net")))
        return Error{
            QStringLiteral("this kernel has no network namespaces (no /proc/self/ns/net)")};
    for (const QString &tool : {QStringLiteral("ip"), QStringLiteral("tc")}) {
        if (Iproute2::program(tool).isEmpty())
            return Error{QStringLiteral("%1 not found: install iproute2").arg(tool)};
    }
    if (const Iproute2::Result list =
            Iproute2::ip({QStringLiteral("netns"), QStringLiteral("list")});
        !list.ok())
        return Error{QStringLiteral("ip netns does not work here: ") + list.error};
    return true;
}

Expected<bool> LabPreflight::checkSubnetFree(const LabSubnet &subnet)
{
    const Iproute2::Result addresses =
        Iproute2::ip({QStringLiteral("-j"), QStringLiteral("-4"), QStringLiteral("addr"),
                      QStringLiteral("show")});
    const Iproute2::Result routes =
        Iproute2::ip({QStringLiteral("-j"), QStringLiteral("-4"), QStringLiteral("route"),
                      QStringLiteral("show"), QStringLiteral("table"), QStringLiteral("all")});
    if (!addresses.ok() || !routes.ok())
        return Error{QStringLiteral("cannot list this machine's addresses and routes: ") +
                     (addresses.ok() ? routes.error : addresses.error)};
    const QString inUse = QStringLiteral("subnet %1 is already in use on this machine (%2); "
                                         "choose another with --subnet");
    for (const QJsonValue &link : QJsonDocument::fromJson(addresses.output).array()) {
        const QString name = link.toObject().value(QLatin1String("ifname")).toString();
        for (const QJsonValue &info : link.toObject().value(QLatin1String("addr_info")).toArray()) {
            const QJsonObject a = info.toObject();
            const QString cidr = a.value(QLatin1String("local")).toString() + QLatin1Char('/') +
                                 QString::number(a.value(QLatin1String("prefixlen")).toInt());
            if (subnet.overlaps(cidr))
                return Error{inUse.arg(subnet.toString(), cidr + QStringLiteral(" on ") + name)};
        }
    }
    for (const QJsonValue &value : QJsonDocument::fromJson(routes.output).array()) {
        const QString dst = value.toObject().value(QLatin1String("dst")).toString();
        if (dst != QLatin1String("default") && subnet.overlaps(dst))
            return Error{inUse.arg(subnet.toString(), QStringLiteral("route to ") + dst)};
    }
    return true;
}

Expected<bool> LabPreflight::checkNameFree(const QString &bridge)
{
    if (!LabNetwork::linkExists(bridge))
        return true;
    return Error{QStringLiteral("a link named %1 already exists; run starling lab up again for "
                                "another lab id")
                     .arg(bridge)};
}

} // namespace starling::cli::lab
