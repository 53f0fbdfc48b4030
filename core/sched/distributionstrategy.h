#pragma once

#include "platform.h"

#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace starling::sched {

enum class StrategyKind
{
    Equal,
    Cpu,
    Bandwidth,
    Pdds,
    Optimal,
    Dynamic
};

QString toString(StrategyKind kind);
std::optional<StrategyKind> strategyKindFromString(const QString &text);
std::vector<StrategyKind> allStrategyKinds();

// The cluster's strategy until an operator picks another.
constexpr StrategyKind kDefaultStrategy = StrategyKind::Pdds;

// Paper 2's weights of the performance function PF_i; these defaults are the cluster's.
struct PddsWeights
{
    double w1 = 1.5; // weight of the normalised compute speed 1/T_i
    double w2 = 0.8; // weight of the normalised bandwidth B_i
};

// How a load of unit tasks is split among the slaves of a platform. Shares are per slave in
// platform order; `order` is the send order (slave indices), which some strategies need (the
// optimal split depends on it) and all use to break ties.
class DistributionStrategy
{
public:
    virtual ~DistributionStrategy() = default;

    virtual StrategyKind kind() const = 0;
    // A dynamic strategy hands out chunks on request; its static shares are only the expected
    // outcome (for display), the simulator and the cluster ask it for chunks instead.
    virtual bool isDynamic() const { return false; }

    virtual std::vector<double> divisibleShares(const Platform &estimates,
                                                const std::vector<int> &order,
                                                double load) const = 0;
    virtual std::vector<long long>
    wholeShares(const Platform &estimates, const std::vector<int> &order, long long load) const = 0;
};

std::unique_ptr<DistributionStrategy> makeStrategy(StrategyKind kind, PddsWeights pdds = {});

} // namespace starling::sched
