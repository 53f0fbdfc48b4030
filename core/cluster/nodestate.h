#pragma once

#include <QString>

#include <optional>

namespace starling::cluster {

// What a node is doing, as the console and the CLI show it. ACTIVE, DRAINING and DRAINED come
// from operators (and DRAINING -> DRAINED when the last in-flight task ends); SUSPECT and DOWN
// come only from the failure detector and hide the operator state until heartbeats return.
enum class NodeState
{
    Active,
    Draining,
    Drained,
    Suspect,
    Down
};

QString toString(NodeState state);                                 // "ACTIVE", "DRAINING", ...
std::optional<NodeState> nodeStateFromString(const QString &text); // case-insensitive

// Whether the master may give this node new tasks.
bool acceptsTasks(NodeState state);

} // namespace starling::cluster
