#include "nodestate.h"

#include <array>

namespace starling::cluster {

namespace {
constexpr std::array kNames{"ACTIVE", "DRAINING", "DRAINED", "SUSPECT", "DOWN"};
}

QString toString(NodeState state)
{
    return QString::fromLatin1(kNames[size_t(state)]);
}

std::optional<NodeState> nodeStateFromString(const QString &text)
{
    for (size_t i = 0; i < kNames.size(); ++i) {
        if (text.compare(QLatin1String(kNames[i]), Qt::CaseInsensitive) == 0)
            return NodeState(i);
    }
    return std::nullopt;
}

bool acceptsTasks(NodeState state)
{
    return state == NodeState::Active;
}

} // namespace starling::cluster
