#include "daemonsetup.h"

#include <QNetworkInterface>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace starling::http {

std::optional<SocketAddress> socketAddress(const QHostAddress &address, quint16 port)
{
    SocketAddress result;
    if (address == QHostAddress(QHostAddress::Any)) {
        // Qt's Any means both families: one IPv6 socket that also accepts IPv4.
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&result.storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = in6addr_any;
        sin6->sin6_port = htons(port);
        result.flags = MHD_USE_DUAL_STACK;
        return result;
    }
    switch (address.protocol()) {
    case QAbstractSocket::IPv4Protocol: {
        auto *sin = reinterpret_cast<sockaddr_in *>(&result.storage);
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(address.toIPv4Address());
        sin->sin_port = htons(port);
        return result;
    }
    case QAbstractSocket::IPv6Protocol: {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&result.storage);
        sin6->sin6_family = AF_INET6;
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&sin6->sin6_addr, bytes.c, sizeof bytes.c);
        sin6->sin6_port = htons(port);
        if (!address.scopeId().isEmpty())
            sin6->sin6_scope_id = QNetworkInterface::interfaceIndexFromName(address.scopeId());
        result.flags = MHD_USE_IPv6;
        return result;
    }
    default:
        return std::nullopt;
    }
}

QString endpoint(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    return host + u':' + QString::number(port);
}

std::array<MHD_OptionItem, 3> tlsOptions(const TlsPem &tls)
{
    if (!tls.isEnabled())
        return {{{MHD_OPTION_END, 0, nullptr},
                 {MHD_OPTION_END, 0, nullptr},
                 {MHD_OPTION_END, 0, nullptr}}};
    return {{{MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char *>(tls.privateKey.constData())},
             {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char *>(tls.certificate.constData())},
             {MHD_OPTION_END, 0, nullptr}}};
}

// One internal thread runs the event loop and the handler; epoll scales with connections where
// the kernel has it, poll() otherwise (select() would cap descriptors at 1024). With a thread per
// connection each thread polls its one socket (libmicrohttpd allows no epoll there).
unsigned daemonFlags(const HttpServerLimits &limits, unsigned socketFlags, bool tls)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | socketFlags;
    if (limits.threadPerConnection)
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    else if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    else
        flags |= MHD_USE_POLL;
    return tls ? flags | MHD_USE_TLS : flags;
}

} // namespace starling::http
