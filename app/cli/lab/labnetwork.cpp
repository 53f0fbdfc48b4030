#include "labnetwork.h"

#include "iproute2.h"
#include "linkshaper.h"

#include <QFileInfo>

namespace starling::cli::lab {

namespace {

Expected<bool> ip(const QStringList &arguments)
{
    return Iproute2::apply(QStringLiteral("ip"), arguments);
}

QString slaveInterface()
{
    return QLatin1String(LabNetwork::kSlaveInterface);
}

} // namespace

Expected<bool> LabNetwork::record(LabResource::Kind kind, const QString &name, const QString &netns)
{
    return m_record.addResource({kind, name, netns});
}

QString LabNetwork::withPrefix(const QString &address) const
{
    const QString subnet = m_record.plan().subnet();
    return address + subnet.mid(subnet.indexOf(QLatin1Char('/')));
}

Expected<bool> LabNetwork::create()
{
    if (auto made = createBridge(); !made)
        return made;
    for (const LabHost &host : m_record.plan().hosts()) {
        if (host.inRootNamespace())
            continue;
        if (auto made = createSlaveHost(host); !made)
            return made;
    }
    return true;
}

Expected<bool> LabNetwork::createBridge()
{
    const QString bridge = m_record.plan().bridge();
    if (auto saved = record(LabResource::Kind::Bridge, bridge); !saved)
        return saved;
    if (auto made = ip({QStringLiteral("link"), QStringLiteral("add"), bridge,
                        QStringLiteral("type"), QStringLiteral("bridge")});
        !made)
        return made;
    // Master and monitor each get an address of their own: Hydra merges host entries that
    // repeat an address into one proxy, and one proxy per rank is what limits a death to itself.
    for (const LabHost &host : m_record.plan().hosts()) {
        if (!host.inRootNamespace())
            continue;
        if (auto added = ip({QStringLiteral("addr"), QStringLiteral("add"),
                             withPrefix(host.address), QStringLiteral("dev"), bridge});
            !added)
            return added;
    }
    return ip({QStringLiteral("link"), QStringLiteral("set"), bridge, QStringLiteral("up")});
}

Expected<bool> LabNetwork::createSlaveHost(const LabHost &host)
{
    const QString &ns = host.netns;
    if (auto saved = record(LabResource::Kind::Netns, ns); !saved)
        return saved;
    if (auto made = ip({QStringLiteral("netns"), QStringLiteral("add"), ns}); !made)
        return made;
    if (auto saved = record(LabResource::Kind::Veth, host.bridgePort); !saved)
        return saved;
    const QList<QStringList> steps = {
        {QStringLiteral("link"), QStringLiteral("add"), host.bridgePort, QStringLiteral("type"),
         QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), slaveInterface(),
         QStringLiteral("netns"), ns},
        {QStringLiteral("link"), QStringLiteral("set"), host.bridgePort, QStringLiteral("master"),
         m_record.plan().bridge(), QStringLiteral("up")},
        {QStringLiteral("-n"), ns, QStringLiteral("addr"), QStringLiteral("add"),
         withPrefix(host.address), QStringLiteral("dev"), slaveInterface()},
        {QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"), slaveInterface(),
         QStringLiteral("up")},
        {QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"),
         QStringLiteral("lo"), QStringLiteral("up")},
    };
    for (const QStringList &step : steps) {
        if (auto done = ip(step); !done)
            return done;
    }
    return host.linkMBps > 0 ? shapeHost(host) : Expected<bool>(true);
}

Expected<bool> LabNetwork::shapeHost(const LabHost &host)
{
    if (auto saved = record(LabResource::Kind::Qdisc, slaveInterface(), host.netns); !saved)
        return saved;
    if (auto up = LinkShaper::shape(slaveInterface(), host.netns, host.linkMBps); !up)
        return up;
    if (auto saved = record(LabResource::Kind::Qdisc, host.bridgePort); !saved)
        return saved;
    return LinkShaper::shape(host.bridgePort, {}, host.linkMBps);
}

Expected<bool> LabNetwork::setConnected(const LabHost &host, bool connected)
{
    return ip({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("dev"),
               host.bridgePort, connected ? QStringLiteral("up") : QStringLiteral("down")});
}

Expected<bool> LabNetwork::setLinkRate(const LabHost &host, double linkMBps)
{
    const bool known = [&] {
        for (const LabResource &resource : m_record.resources()) {
            if (resource.kind == LabResource::Kind::Qdisc && resource.name == host.bridgePort)
                return true;
        }
        return false;
    }();
    if (!known) { // a host that started unshaped: record its qdiscs before making them
        LabHost shaped = host;
        shaped.linkMBps = linkMBps;
        return shapeHost(shaped);
    }
    if (auto up = LinkShaper::shape(slaveInterface(), host.netns, linkMBps); !up)
        return up;
    return LinkShaper::shape(host.bridgePort, {}, linkMBps);
}

bool LabNetwork::linkExists(const QString &name, const QString &netns)
{
    QStringList arguments;
    if (!netns.isEmpty())
        arguments << QStringLiteral("-n") << netns;
    arguments << QStringLiteral("link") << QStringLiteral("show") << QStringLiteral("dev") << name;
    return Iproute2::ip(arguments).ok();
}

bool LabNetwork::netnsExists(const QString &name)
{
    // `ip netns add` mounts the namespace here; `ip netns del` unmounts and removes the file.
    return QFileInfo::exists(QStringLiteral("/run/netns/") + name);
}

Expected<bool> LabNetwork::remove(const LabResource &resource)
{
    switch (resource.kind) {
    case LabResource::Kind::Bridge:
    case LabResource::Kind::Veth:
        if (!linkExists(resource.name))
            return true;
        return ip({QStringLiteral("link"), QStringLiteral("del"), resource.name});
    case LabResource::Kind::Netns:
        if (!netnsExists(resource.name))
            return true;
        return ip({QStringLiteral("netns"), QStringLiteral("del"), resource.name});
    case LabResource::Kind::Qdisc:
        // A qdisc dies with its link; removing it first only keeps the order tidy.
        if (resource.netns.isEmpty() || netnsExists(resource.netns))
            LinkShaper::unshape(resource.name, resource.netns);
        return true;
    case LabResource::Kind::Cgroup:
        break;
    }
    return Error{QStringLiteral("not a network resource: ") + resource.name};
}

} // namespace starling::cli::lab
