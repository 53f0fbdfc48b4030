#include "distributionstrategy.h"

#include "bandwidthstrategy.h"
#include "cpustrategy.h"
#include "dynamicstrategy.h"
#include "equalstrategy.h"
#include "optimalstrategy.h"
#include "pddsstrategy.h"

namespace starling::sched {

QString toString(StrategyKind kind)
{
    switch (kind) {
    case StrategyKind::Equal:
        return QStringLiteral("equal");
    case StrategyKind::Cpu:
        return QStringLiteral("cpu");
    case StrategyKind::Bandwidth:
        return QStringLiteral("bw");
    case StrategyKind::Pdds:
        return QStringLiteral("pdds");
    case StrategyKind::Optimal:
        return QStringLiteral("optimal");
    case StrategyKind::Dynamic:
        return QStringLiteral("dynamic");
    }
    return {};
}

std::vector<StrategyKind> allStrategyKinds()
{
    return {StrategyKind::Equal, StrategyKind::Cpu,     StrategyKind::Bandwidth,
            StrategyKind::Pdds,  StrategyKind::Optimal, StrategyKind::Dynamic};
}

std::optional<StrategyKind> strategyKindFromString(const QString &text)
{
    for (StrategyKind kind : allStrategyKinds()) {
        if (toString(kind) == text)
            return kind;
    }
    return std::nullopt;
}

std::unique_ptr<DistributionStrategy> makeStrategy(StrategyKind kind, PddsWeights pdds)
{
    switch (kind) {
    case StrategyKind::Equal:
        return std::make_unique<EqualStrategy>();
    case StrategyKind::Cpu:
        return std::make_unique<CpuStrategy>();
    case StrategyKind::Bandwidth:
        return std::make_unique<BandwidthStrategy>();
    case StrategyKind::Pdds:
        return std::make_unique<PddsStrategy>(pdds);
    case StrategyKind::Optimal:
        return std::make_unique<OptimalStrategy>();
    case StrategyKind::Dynamic:
        return std::make_unique<DynamicStrategy>();
    }
    return nullptr;
}

} // namespace starling::sched
