#include "endpointaddress.h"

#include <QHostAddress>

namespace starling::cluster {

namespace {

bool isWildcard(const QHostAddress &address)
{
    return address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 ||
           address == QHostAddress::Any;
}

// "host" becomes the rank's host address; anything else is already an address.
Expected<QString> concrete(const QString &value, const QString &rankHost,
                           const QString &rankHostAddress, const char *what)
{
    if (value != kRankHostAddress)
        return value;
    if (rankHostAddress.isEmpty())
        return Error{QStringLiteral("%1 is \"host\", but the address of this rank's host%2 is "
                                    "not known")
                         .arg(QLatin1String(what), rankHost.isEmpty()
                                                       ? QString()
                                                       : QStringLiteral(" (%1)").arg(rankHost))};
    return rankHostAddress;
}

} // namespace

QString EndpointAddress::url(quint16 port) const
{
    const QHostAddress address(advertise);
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    return QStringLiteral("%1://%2:%3")
        .arg(tls ? QLatin1String("https") : QLatin1String("http"), host)
        .arg(port);
}

Expected<EndpointAddress> resolveEndpoint(const ClusterConfig &config, NodeRole role,
                                          const QString &rankHost, const QString &rankHostAddress)
{
    QString bind = config.bindHost;
    QString advertise = config.advertiseHost;
    const auto apply = [&](const std::map<QString, AddressOverride> &overrides,
                           const QString &name) {
        const auto it = overrides.find(name);
        if (it == overrides.end())
            return;
        if (!it->second.bindHost.isEmpty())
            bind = it->second.bindHost;
        if (!it->second.advertiseHost.isEmpty())
            advertise = it->second.advertiseHost;
    };
    apply(config.roleAddresses, toString(role));
    if (!rankHost.isEmpty())
        apply(config.hostAddresses, rankHost);
    const auto bound = concrete(bind, rankHost, rankHostAddress, "bind_host");
    if (!bound)
        return Error{bound.error()};
    EndpointAddress endpoint{*bound, {}, config.tlsEnabled()};
    if (advertise.isEmpty())
        advertise = isWildcard(QHostAddress(*bound)) ? QString(kRankHostAddress) : *bound;
    const auto advertised = concrete(advertise, rankHost, rankHostAddress, "advertise_host");
    if (!advertised)
        return Error{advertised.error()};
    if (QHostAddress(*advertised).isNull() || isWildcard(QHostAddress(*advertised)))
        return Error{QStringLiteral("the advertised address \"%1\" is not one clients can reach")
                         .arg(advertised->left(64))};
    endpoint.advertise = *advertised;
    return endpoint;
}

QString hydraRankHost()
{
    // Hydra sets this for every rank to the host entry its proxy was started for (measured
    // with MPICH 4.0.2, ch4 ignores it otherwise).
    return qEnvironmentVariable("MPIR_CVAR_CH3_INTERFACE_HOSTNAME");
}

} // namespace starling::cluster
