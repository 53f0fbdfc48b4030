#pragma once

#include "cluster/clusterconfig.h"
#include "cluster/noderole.h"
#include "util/expected.h"

#include <QString>

namespace starling::cluster {

// Where one rank's servers listen and what address it tells others (ARCHITECTURE.md: every node
// has its own address). Resolved once at start from the config (top level, then `roles`, then
// `hosts`, the most specific winning) and the rank's host as Hydra named it.
struct EndpointAddress
{
    QString bind = QStringLiteral("127.0.0.1");      // an IP address, possibly a wildcard (0.0.0.0)
    QString advertise = QStringLiteral("127.0.0.1"); // reachable by clients; never a wildcard
    bool tls = false; // the servers speak TLS only (the config has a certificate)

    // "http://ADDR:PORT" (https with TLS) with IPv6 in brackets.
    QString url(quint16 port) const;
};

// rankHostAddress: the address of the rank's host (Hydra's host entry, resolved); may be empty
// when unknown, which is an error only if the config needs it.
Expected<EndpointAddress> resolveEndpoint(const ClusterConfig &config, NodeRole role,
                                          const QString &rankHost, const QString &rankHostAddress);

// Hydra's name for the host this rank runs on (its -hosts or host-file entry), from the
// environment it gives every rank; empty outside mpiexec.
QString hydraRankHost();

} // namespace starling::cluster
