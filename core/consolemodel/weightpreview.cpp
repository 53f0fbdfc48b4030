#include "weightpreview.h"

namespace starling::consolemodel {

std::vector<WeightShare> previewWeights(const cluster::ClusterSnapshot &snapshot,
                                        const QStringList &nodes, double newWeight)
{
    std::vector<WeightShare> rows;
    double before = 0, after = 0;
    for (const cluster::NodeView &n : snapshot.nodes) {
        if (n.role != cluster::NodeRole::Slave)
            continue;
        const bool active = n.state == cluster::NodeState::Active;
        const bool selected = nodes.contains(n.name);
        if (!active && !selected)
            continue;
        WeightShare row;
        row.name = n.name;
        row.weight = n.weight;
        row.newWeight = selected ? newWeight : n.weight;
        row.changed = selected;
        row.active = active;
        if (active) {
            before += row.weight;
            after += row.newWeight;
        }
        rows.push_back(row);
    }
    for (WeightShare &row : rows) {
        row.share = row.active && before > 0 ? row.weight / before : 0;
        row.newShare = row.active && after > 0 ? row.newWeight / after : 0;
    }
    return rows;
}

} // namespace starling::consolemodel
