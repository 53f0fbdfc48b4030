#pragma once

#include "cluster/clustersnapshot.h"

#include <QString>

namespace starling::cluster {

// `starling status`: the cluster at a glance, one line per node, sized for an 80-100 column
// terminal. Bytes and rates get binary units; "-" means not measured or not applicable.
QString formatStatusTable(const ClusterSnapshot &snapshot);

} // namespace starling::cluster
