#pragma once

#include "nodetablemodel.h"

#include <QString>

#include <cstdint>

// Cell tooltips of the node table: what a cell's number alone cannot say (who set a state and
// why, a rate's scope, the thresholds a colour means). Kept apart so that other views of one
// node can say the same in the same words.
namespace starling::ui::celltips {

QString localTime(std::int64_t ms);
QString nameTip(const cluster::NodeView &node);
QString stateTip(const cluster::NodeView &node);
QString cpuTip(const cluster::NodeView &node, const NodeTableModel::Thresholds &thresholds);
QString memoryTip(const cluster::NodeView &node, const NodeTableModel::Thresholds &thresholds);
QString rateTip(const cluster::NodeView &node);
QString workTip(const cluster::NodeView &node);

} // namespace starling::ui::celltips
