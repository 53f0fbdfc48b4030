#pragma once

#include "paperexperiment.h"

#include <QString>

#include <vector>

namespace starling::sim {

// One cell of the dynamic check: dynamic against the one-round optimum and every static split,
// on one of paper 2's platforms, undisturbed or with the fastest slave (N1) computing 2x slower
// from a third of the optimal makespan on.
struct DynamicCheckRow
{
    QString platform; // "compute" or "communication"
    double unitMB = 0;
    int tasks = 0;
    bool divisible = false;
    bool slowed = false;
    double slowAtS = 0;
    double dynamic = 0;
    double optimal = 0;
    double bestStatic = 0; // the fastest of equal, cpu, bw, pdds, optimal (dec order)
    sched::StrategyKind bestStaticKind = sched::StrategyKind::Optimal;
    std::vector<PaperRow> runs; // every strategy's makespan, for the chart

    // Issue 16's goals: within 1.15x of the optimum undisturbed, ahead of every static split
    // slowed.
    bool meetsGoal() const;
};

// Issue 16, part 3's table: `starling sim --dynamic-check` (and `make bench`).
class DynamicCheck
{
public:
    static constexpr double kSlowdown = 2;
    static constexpr int kSlowedSlave = 0; // N1, the fastest and the biggest share

    static std::vector<DynamicCheckRow> run();
    static QString table(const std::vector<DynamicCheckRow> &rows);
    static QString csv(const std::vector<DynamicCheckRow> &rows);
    // The strategies' makespans for one platform and scenario (whole tasks), per task count.
    static std::vector<PaperRow> chartRows(const std::vector<DynamicCheckRow> &rows, double unitMB,
                                           bool slowed);
};

} // namespace starling::sim
