#include "paperexperiment.h"

#include "strategyrun.h"

namespace starling::sim {

using sched::SendOrder;
using sched::StrategyKind;

QString PaperRow::label() const
{
    return sched::toString(strategy) + QStringLiteral("/") + sched::toString(order);
}

sched::Platform PaperExperiment::platform(double unitMB)
{
    const double unitS[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6};
    const double bandwidth[] = {100, 50, 80, 20, 60, 10, 40, 30};
    sched::Platform p;
    p.unitMB = unitMB;
    for (int i = 0; i < 8; ++i)
        p.slaves.push_back({QStringLiteral("N%1").arg(i + 1), unitS[i], bandwidth[i]});
    return p;
}

std::vector<PaperRow> PaperExperiment::run(bool divisible, sched::PddsWeights pdds)
{
    const std::pair<StrategyKind, SendOrder> cases[] = {
        {StrategyKind::Equal, SendOrder::Decreasing},
        {StrategyKind::Cpu, SendOrder::Decreasing},
        {StrategyKind::Bandwidth, SendOrder::Decreasing},
        {StrategyKind::Pdds, SendOrder::Decreasing},
        {StrategyKind::Pdds, SendOrder::Increasing},
        {StrategyKind::Pdds, SendOrder::Random},
        {StrategyKind::Optimal, SendOrder::Decreasing},
        {StrategyKind::Dynamic, SendOrder::Decreasing},
    };
    std::vector<PaperRow> rows;
    for (double unitMB : unitSizesMB()) {
        const sched::Platform p = platform(unitMB);
        for (int tasks : taskCounts()) {
            RunSpec optimalSpec{
                StrategyKind::Optimal, SendOrder::Decreasing, pdds, 1, double(tasks), divisible};
            const RunResult optimal = runStrategy(p, p, optimalSpec);
            for (const auto &[strategy, order] : cases) {
                PaperRow row;
                row.platform =
                    unitMB < 50 ? QStringLiteral("compute") : QStringLiteral("communication");
                row.unitMB = unitMB;
                row.tasks = tasks;
                row.strategy = strategy;
                row.order = order;
                row.optimum = optimal.timeline.makespan;
                row.lowerBound = optimal.lowerBound;
                const int seeds = order == SendOrder::Random ? kRandomSeeds : 1;
                for (int seed = 1; seed <= seeds; ++seed) {
                    const RunSpec spec{strategy,      order,    pdds, std::uint64_t(seed),
                                       double(tasks), divisible};
                    row.makespan += runStrategy(p, p, spec).timeline.makespan / seeds;
                }
                rows.push_back(row);
            }
        }
    }
    return rows;
}

} // namespace starling::sim
