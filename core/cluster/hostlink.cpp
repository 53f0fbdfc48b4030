#include "hostlink.h"

#include <QHostAddress>

#include <ifaddrs.h>
#include <net/if.h>

namespace starling::cluster {

HostLink HostLink::forAddress(const QString &address)
{
    const QHostAddress wanted(address);
    if (wanted.isNull())
        return {};
    // getifaddrs rather than QNetworkInterface: inside a network namespace Qt's list came back
    // with the right address but an empty interface name (seen in starling lab).
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) == 0) {
        HostLink found;
        for (const ifaddrs *entry = list; entry; entry = entry->ifa_next) {
            if (!entry->ifa_addr || !entry->ifa_name)
                continue;
            if (QHostAddress(entry->ifa_addr) == wanted) {
                found = {QString::fromLocal8Bit(entry->ifa_name),
                         (entry->ifa_flags & IFF_LOOPBACK) != 0};
                break;
            }
        }
        ::freeifaddrs(list);
        if (!found.interfaceName.isEmpty())
            return found;
    }
    // 127.0.0.2 and the like answer on `lo` without being listed on it.
    if (wanted.isLoopback())
        return {QStringLiteral("lo"), true};
    return {};
}

} // namespace starling::cluster
