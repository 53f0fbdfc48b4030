#pragma once

#include "http/httpserver.h"

#include <QHostAddress>
#include <QString>

#include <microhttpd.h>

#include <sys/socket.h>

#include <array>
#include <optional>

// How HttpServer starts a libmicrohttpd daemon: the socket address it binds, the daemon's
// flags and its TLS options. Kept apart from the request handling in httpserver.cpp.
namespace starling::http {

struct SocketAddress
{
    sockaddr_storage storage{};
    unsigned flags = 0; // MHD_USE_DUAL_STACK or MHD_USE_IPv6 as the address needs
};

// nullopt when `address` is not an IP address. QHostAddress::Any is dual-stack.
std::optional<SocketAddress> socketAddress(const QHostAddress &address, quint16 port);
// "host:port", IPv6 in brackets, for error messages.
QString endpoint(const QHostAddress &address, quint16 port);
// MHD_OPTION_ARRAY entries for TLS, ending in MHD_OPTION_END (alone when clear text). The
// entries point into `tls`, which must outlive the daemon.
std::array<MHD_OptionItem, 3> tlsOptions(const TlsPem &tls);
unsigned daemonFlags(const HttpServerLimits &limits, unsigned socketFlags, bool tls);

} // namespace starling::http
