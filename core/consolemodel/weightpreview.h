#pragma once

#include "cluster/clustersnapshot.h"

#include <QStringList>

#include <vector>

namespace starling::consolemodel {

// A slave's share of new work before and after a weight change: under paper 1's load model
// the master gives work in proportion to W_i among ACTIVE slaves, so the share is
// W_i / sum(W_j). What the weight dialog shows before the operator applies it.
struct WeightShare
{
    QString name;
    double weight = 1;
    double share = 0;
    double newWeight = 1;
    double newShare = 0;
    bool changed = false; // one of the nodes being reweighted
    bool active = false;  // only ACTIVE slaves get work; the others' shares are 0
};

// Rows for every ACTIVE slave (and the selected ones, even when not ACTIVE: their share is 0
// until they are resumed), in rank order.
std::vector<WeightShare> previewWeights(const cluster::ClusterSnapshot &snapshot,
                                        const QStringList &nodes, double newWeight);

} // namespace starling::consolemodel
