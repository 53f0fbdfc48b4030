#pragma once

#include "cluster/clusterconfig.h"
#include "cluster/endpointaddress.h"
#include "cluster/heterogeneityprofile.h"
#include "cluster/hostlink.h"
#include "http/httpserver.h"

#include <QByteArray>
#include <QString>

namespace starling::mpi {

// Everything a rank is started with: the validated config and profile and where the run
// directory (state file, operator state, logs) lives.
struct NodeOptions
{
    cluster::ClusterConfig config;
    cluster::HeterogeneityProfile profile;
    QString runDir;
    QString profilePath;
    QString hostName;
    // Where this rank's servers listen and what address they advertise (resolved at start).
    cluster::EndpointAddress endpoint;
    // The interface holding the advertised address: the host's link, sampled for tx/rx.
    cluster::HostLink link;
    // False under `starling lab`: the kernel shapes links and CPU, so the profile is not
    // emulated in the application (its entries stay for display).
    bool emulate = true;
    // The cluster's secret (STARLING_CLUSTER_TOKEN): the master API's bearer token and the key
    // block tags are signed with. Never logged.
    QByteArray clusterToken;
    // The config's certificate and key, checked at start: with them every server of this
    // rank speaks TLS only. Empty = clear text.
    http::TlsPem tls;
};

using cluster::kMasterRank;
using cluster::kMonitorRank;

} // namespace starling::mpi
