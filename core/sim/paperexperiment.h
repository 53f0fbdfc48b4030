#pragma once

#include "sched/distributionstrategy.h"
#include "sched/platform.h"
#include "sched/sendorder.h"

#include <QString>

#include <vector>

namespace starling::sim {

struct PaperRow
{
    QString platform; // "compute" or "communication"
    double unitMB = 0;
    int tasks = 0;
    sched::StrategyKind strategy = sched::StrategyKind::Pdds;
    sched::SendOrder order = sched::SendOrder::Decreasing;
    double makespan = 0;   // mean over the random seeds for the random order
    double optimum = 0;    // optimal split in decreasing-bandwidth order, same task model
    double lowerBound = 0; // L / rho*

    QString label() const;
};

// Paper 2's experiment on the 8-slave platform from SEEDS.md (unit times 1..6 s, bandwidths
// 10..100 MB/s): 20/60/100 unit tasks; Eq_ds, cpu_ds, bw, PDDS in dec/inc/rand order, the
// optimal split and dynamic; once with 8 MB units (compute dominates) and once with 100 MB
// units (communication dominates).
class PaperExperiment
{
public:
    static constexpr int kRandomSeeds = 50;

    static sched::Platform platform(double unitMB);
    static std::vector<double> unitSizesMB() { return {8, 100}; }
    static std::vector<int> taskCounts() { return {20, 60, 100}; }
    static std::vector<PaperRow> run(bool divisible, sched::PddsWeights pdds = {});
};

} // namespace starling::sim
