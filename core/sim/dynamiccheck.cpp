#include "dynamiccheck.h"

#include "strategyrun.h"

namespace starling::sim {

using sched::SendOrder;
using sched::StrategyKind;

namespace {

const StrategyKind kStatic[] = {StrategyKind::Equal, StrategyKind::Cpu, StrategyKind::Bandwidth,
                                StrategyKind::Pdds, StrategyKind::Optimal};

DynamicCheckRow runCell(double unitMB, int tasks, bool divisible, bool slowed)
{
    const sched::Platform p = PaperExperiment::platform(unitMB);
    DynamicCheckRow row;
    row.platform = unitMB < 50 ? QStringLiteral("compute") : QStringLiteral("communication");
    row.unitMB = unitMB;
    row.tasks = tasks;
    row.divisible = divisible;
    row.slowed = slowed;
    RunSpec spec{StrategyKind::Optimal, SendOrder::Decreasing, {}, 1, double(tasks), divisible};
    const double undisturbedOptimum = runStrategy(p, p, spec).timeline.makespan;
    SimOptions options;
    if (slowed) {
        row.slowAtS = undisturbedOptimum / 3;
        options.slowdowns.push_back(
            {DynamicCheck::kSlowedSlave, row.slowAtS, DynamicCheck::kSlowdown, 1});
    }
    const auto measure = [&](StrategyKind kind) {
        spec.strategy = kind;
        const RunResult result = runStrategy(p, p, spec, options);
        PaperRow paper;
        paper.platform = row.platform;
        paper.unitMB = unitMB;
        paper.tasks = tasks;
        paper.strategy = kind;
        paper.makespan = result.timeline.makespan;
        paper.optimum = undisturbedOptimum;
        paper.lowerBound = result.lowerBound;
        row.runs.push_back(paper);
        return paper.makespan;
    };
    row.dynamic = measure(StrategyKind::Dynamic);
    for (const StrategyKind kind : kStatic) {
        const double makespan = measure(kind);
        if (kind == StrategyKind::Optimal)
            row.optimal = makespan;
        if (row.bestStatic == 0 || makespan < row.bestStatic) {
            row.bestStatic = makespan;
            row.bestStaticKind = kind;
        }
    }
    return row;
}

} // namespace

bool DynamicCheckRow::meetsGoal() const
{
    return slowed ? dynamic < bestStatic : dynamic <= 1.15 * optimal;
}

std::vector<DynamicCheckRow> DynamicCheck::run()
{
    std::vector<DynamicCheckRow> rows;
    for (const bool slowed : {false, true}) {
        for (double unitMB : PaperExperiment::unitSizesMB()) {
            for (const bool divisible : {false, true}) {
                for (int tasks : PaperExperiment::taskCounts())
                    rows.push_back(runCell(unitMB, tasks, divisible, slowed));
            }
        }
    }
    return rows;
}

QString DynamicCheck::table(const std::vector<DynamicCheckRow> &rows)
{
    QString out = QStringLiteral(
        "dynamic vs the one-round optimum and every static split (equal, cpu, bw, pdds, "
        "optimal; dec order), paper 2's 8 slaves.\nslowed: N1 computes 2x slower from a third "
        "of the undisturbed optimal makespan on.\ngoal: undisturbed dynamic/optimal <= 1.15; "
        "slowed dynamic < best static.\n\n");
    out += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9  goal\n")
               .arg(QStringLiteral("scenario"), -11)
               .arg(QStringLiteral("platform"), -14)
               .arg(QStringLiteral("load"), -10)
               .arg(QStringLiteral("tasks"), 5)
               .arg(QStringLiteral("dynamic s"), 10)
               .arg(QStringLiteral("optimal s"), 10)
               .arg(QStringLiteral("dyn/opt"), 8)
               .arg(QStringLiteral("best static"), 19)
               .arg(QStringLiteral("dyn/best"), 8);
    for (const DynamicCheckRow &r : rows) {
        out += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9  %10\n")
                   .arg(r.slowed ? QStringLiteral("slowed") : QStringLiteral("undisturbed"), -11)
                   .arg(r.platform, -14)
                   .arg(r.divisible ? QStringLiteral("divisible") : QStringLiteral("whole"), -10)
                   .arg(r.tasks, 5)
                   .arg(r.dynamic, 10, 'f', 2)
                   .arg(r.optimal, 10, 'f', 2)
                   .arg(r.dynamic / r.optimal, 8, 'f', 3)
                   .arg(QStringLiteral("%1 %2")
                            .arg(sched::toString(r.bestStaticKind), -7)
                            .arg(r.bestStatic, 9, 'f', 2),
                        19)
                   .arg(r.dynamic / r.bestStatic, 8, 'f', 3)
                   .arg(r.meetsGoal() ? QStringLiteral("ok") : QStringLiteral("MISSED"));
    }
    return out;
}

QString DynamicCheck::csv(const std::vector<DynamicCheckRow> &rows)
{
    QString out = QStringLiteral("scenario,platform,unit_MB,tasks,divisible,slow_at_s,dynamic_s,"
                                 "optimal_s,best_static,best_static_s,dynamic_to_optimal,"
                                 "dynamic_to_best_static,goal_met\n");
    for (const DynamicCheckRow &r : rows) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13\n")
                   .arg(r.slowed ? QStringLiteral("slowed") : QStringLiteral("undisturbed"),
                        r.platform)
                   .arg(r.unitMB)
                   .arg(r.tasks)
                   .arg(r.divisible ? 1 : 0)
                   .arg(r.slowAtS, 0, 'f', 6)
                   .arg(r.dynamic, 0, 'f', 6)
                   .arg(r.optimal, 0, 'f', 6)
                   .arg(sched::toString(r.bestStaticKind))
                   .arg(r.bestStatic, 0, 'f', 6)
                   .arg(r.dynamic / r.optimal, 0, 'f', 4)
                   .arg(r.dynamic / r.bestStatic, 0, 'f', 4)
                   .arg(r.meetsGoal() ? 1 : 0);
    }
    return out;
}

std::vector<PaperRow> DynamicCheck::chartRows(const std::vector<DynamicCheckRow> &rows,
                                              double unitMB, bool slowed)
{
    std::vector<PaperRow> out;
    for (const DynamicCheckRow &r : rows) {
        if (r.unitMB == unitMB && r.slowed == slowed && !r.divisible)
            out.insert(out.end(), r.runs.begin(), r.runs.end());
    }
    return out;
}

} // namespace starling::sim
