#include "hostlink.h"

#include <QHostAddress>
#include <QNetworkInterface>

namespace starling::cluster {

HostLink HostLink::forAddress(const QString &address)
{
    const QHostAddress wanted(address);
    if (wanted.isNull())
        return {};
    for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
        for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
            if (entry.ip() == wanted)
                return {interface.name(),
                        interface.flags().testFlag(QNetworkInterface::IsLoopBack)};
        }
    }
    // 127.0.0.2 and the like answer on `lo` without being listed on it.
    if (wanted.isLoopback())
        return {QStringLiteral("lo"), true};
    return {};
}

} // namespace starling::cluster
