#include "paperreport.h"

#include <QStringList>

#include <algorithm>

namespace starling::sim {

using sched::SendOrder;
using sched::StrategyKind;

namespace {

const PaperRow *find(const std::vector<PaperRow> &rows, const QString &platform, int tasks,
                     StrategyKind strategy, SendOrder order)
{
    for (const PaperRow &row : rows) {
        if (row.platform == platform && row.tasks == tasks && row.strategy == strategy &&
            row.order == order)
            return &row;
    }
    return nullptr;
}

QString platformTitle(const PaperRow &row)
{
    return QStringLiteral("%1-dominated platform: unit = %2 MB, 8 slaves, T_i = 1..6 s, "
                          "B_i = 10..100 MB/s")
        .arg(row.platform == QStringLiteral("compute") ? QStringLiteral("Compute")
                                                       : QStringLiteral("Communication"))
        .arg(row.unitMB);
}

// "beats X in k of n cases (by a..b x)" over every platform and task count.
QString comparison(const std::vector<PaperRow> &rows, StrategyKind s, SendOrder o,
                   StrategyKind other, SendOrder otherOrder, const QString &otherName)
{
    int wins = 0, cases = 0;
    double low = 1e300, high = 0;
    for (const PaperRow &row : rows) {
        if (row.strategy != s || row.order != o)
            continue;
        const PaperRow *rival = find(rows, row.platform, row.tasks, other, otherOrder);
        if (!rival)
            continue;
        ++cases;
        const double ratio = rival->makespan / row.makespan;
        if (ratio > 1 + 1e-9)
            ++wins;
        low = std::min(low, ratio);
        high = std::max(high, ratio);
    }
    const QString verdict = wins == cases ? QStringLiteral("HOLDS")
                            : wins == 0   ? QStringLiteral("FAILS")
                                          : QStringLiteral("PARTLY");
    return QStringLiteral("  [%1] beats %2 in %3 of %4 cases (%2 takes %5x to %6x as long)")
        .arg(verdict, otherName)
        .arg(wins)
        .arg(cases)
        .arg(low, 0, 'f', 2)
        .arg(high, 0, 'f', 2);
}

QString optimalMargin(const std::vector<PaperRow> &rows, const QString &platform)
{
    QStringList parts;
    for (const PaperRow &row : rows) {
        if (row.platform == platform && row.strategy == StrategyKind::Pdds &&
            row.order == SendOrder::Decreasing)
            parts << QStringLiteral("%1x at %2 tasks")
                         .arg(row.makespan / row.optimum, 0, 'f', 2)
                         .arg(row.tasks);
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

QString PaperReport::table(const std::vector<PaperRow> &rows, bool divisible)
{
    QString out;
    const std::vector<int> tasks = PaperExperiment::taskCounts();
    for (double unitMB : PaperExperiment::unitSizesMB()) {
        std::vector<const PaperRow *> block;
        for (const PaperRow &row : rows) {
            if (row.unitMB == unitMB)
                block.push_back(&row);
        }
        if (block.empty())
            continue;
        out += platformTitle(*block.front()) + (divisible ? QStringLiteral(", divisible load\n")
                                                          : QStringLiteral(", whole unit tasks\n"));
        // Every cell is 32 characters: "| " + makespan (12) + /opt (8) + /LB (8) + 2 spaces.
        out += QString(16, QLatin1Char(' '));
        for (int t : tasks)
            out += QStringLiteral("| %1").arg(QStringLiteral("%1 tasks").arg(t), -30);
        out += QLatin1Char('\n') + QStringLiteral("%1").arg(QStringLiteral("strategy/order"), -16);
        for (size_t i = 0; i < tasks.size(); ++i)
            out += QStringLiteral("| %1%2%3  ")
                       .arg(QStringLiteral("makespan"), 12)
                       .arg(QStringLiteral("/opt"), 8)
                       .arg(QStringLiteral("/LB"), 8);
        out += QLatin1Char('\n');
        QStringList labels;
        for (const PaperRow *row : block) {
            if (!labels.contains(row->label()))
                labels << row->label();
        }
        for (const QString &label : labels) {
            out += QStringLiteral("%1").arg(label, -16);
            for (int t : tasks) {
                const auto it = std::find_if(block.begin(), block.end(), [&](const PaperRow *r) {
                    return r->label() == label && r->tasks == t;
                });
                if (it == block.end()) {
                    out += QStringLiteral("| %1").arg(QString(), -30);
                    continue;
                }
                const PaperRow &r = **it;
                out += QStringLiteral("| %1 s%2x%3x  ")
                           .arg(r.makespan, 10, 'f', 2)
                           .arg(r.makespan / r.optimum, 7, 'f', 2)
                           .arg(r.makespan / r.lowerBound, 7, 'f', 2);
            }
            out += QLatin1Char('\n');
        }
        out += QStringLiteral("%1").arg(QStringLiteral("lower bound"), -16);
        for (int t : tasks) {
            const auto it = std::find_if(block.begin(), block.end(),
                                         [&](const PaperRow *r) { return r->tasks == t; });
            out += QStringLiteral("| %1 s%2").arg((*it)->lowerBound, 10, 'f', 2).arg(QString(), 18);
        }
        out += QStringLiteral("\n\n");
    }
    return out;
}

QString PaperReport::verdict(const std::vector<PaperRow> &whole,
                             const std::vector<PaperRow> &divisible)
{
    QStringList lines;
    lines << QStringLiteral("Paper 2's claims, checked on both platforms and all task counts "
                            "(whole unit tasks):");
    lines << QStringLiteral(" PDDS (dec):");
    lines << comparison(whole, StrategyKind::Pdds, SendOrder::Decreasing, StrategyKind::Equal,
                        SendOrder::Decreasing, QStringLiteral("Eq_ds"));
    lines << comparison(whole, StrategyKind::Pdds, SendOrder::Decreasing, StrategyKind::Cpu,
                        SendOrder::Decreasing, QStringLiteral("cpu_ds"));
    lines << QStringLiteral(" Decreasing-bandwidth send order (PDDS):");
    lines << comparison(whole, StrategyKind::Pdds, SendOrder::Decreasing, StrategyKind::Pdds,
                        SendOrder::Increasing, QStringLiteral("inc order"));
    lines << comparison(whole, StrategyKind::Pdds, SendOrder::Decreasing, StrategyKind::Pdds,
                        SendOrder::Random, QStringLiteral("rand order"));
    lines << QStringLiteral(" Beyond the paper:");
    lines << comparison(whole, StrategyKind::Optimal, SendOrder::Decreasing, StrategyKind::Pdds,
                        SendOrder::Decreasing, QStringLiteral("PDDS"))
                 .replace(QStringLiteral("  ["), QStringLiteral("  optimal ["));
    lines << QStringLiteral("  PDDS / optimal, compute-dominated: %1")
                 .arg(optimalMargin(whole, QStringLiteral("compute")));
    lines << QStringLiteral("  PDDS / optimal, communication-dominated: %1")
                 .arg(optimalMargin(whole, QStringLiteral("communication")));
    if (!divisible.empty()) {
        lines << QStringLiteral("  With a divisible load, PDDS / optimal is %1 (compute) and %2 "
                                "(communication).")
                     .arg(optimalMargin(divisible, QStringLiteral("compute")),
                          optimalMargin(divisible, QStringLiteral("communication")));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString PaperReport::csv(const std::vector<PaperRow> &rows, bool divisible)
{
    QString out = QStringLiteral(
        "platform,unit_MB,tasks,divisible,strategy,order,makespan_s,optimum_s,lower_bound_s,"
        "ratio_to_optimum,ratio_to_lower_bound\n");
    for (const PaperRow &r : rows) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11\n")
                   .arg(r.platform)
                   .arg(r.unitMB)
                   .arg(r.tasks)
                   .arg(divisible ? 1 : 0)
                   .arg(sched::toString(r.strategy), sched::toString(r.order))
                   .arg(r.makespan, 0, 'f', 6)
                   .arg(r.optimum, 0, 'f', 6)
                   .arg(r.lowerBound, 0, 'f', 6)
                   .arg(r.makespan / r.optimum, 0, 'f', 4)
                   .arg(r.makespan / r.lowerBound, 0, 'f', 4);
    }
    return out;
}

} // namespace starling::sim
