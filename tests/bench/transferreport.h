#pragma once

#include "downloadrun.h"

#include <QString>

#include <optional>
#include <vector>

namespace starling::bench {

// One contender of one scenario and every run it made.
struct ContenderRow
{
    QString label;
    std::vector<RunResult> runs;
    QString ratioNote; // e.g. "0.93 of sum(b_i)"; empty = none
    double ratio = -1; // to the scenario's reference; -1 = none

    int okRuns() const;
    // Medians over the successful runs only (a wrong file is a failed run); nullopt when none.
    std::optional<double> medianDurable() const;
    std::optional<double> medianExit() const;
    std::optional<double> medianReported() const;
    // bytes / 10^6 / median durable seconds; 0 when no run succeeded.
    double mbps(qint64 bytes) const;
};

// A goal the issue sets, with the measured value; unmet when the value is missing.
struct Goal
{
    QString text;
    std::optional<double> value;
    double target = 0;
    bool atLeast = true; // value >= target, else value <= target
    QString unit = QStringLiteral("x");

    bool met() const { return value && (atLeast ? *value >= target : *value <= target); }
};

// A reference that is not a run (the bound F / sum(b_i)), shown in the table and the chart.
struct ReferenceRow
{
    QString label;
    double seconds = 0;
};

struct Scenario
{
    int number = 0;
    QString title;
    qint64 bytes = 0;
    QString ratioHeader; // what ContenderRow::ratio is relative to, e.g. "vs curl+nginx"
    std::vector<ContenderRow> rows;
    std::vector<ReferenceRow> references;
    std::vector<Goal> goals;
    QString skipped; // why the scenario did not run; empty = it ran

    ContenderRow *row(const QString &label);
};

// The table as the README shows it (plain text, fixed columns).
QString formatReport(const std::vector<Scenario> &scenarios, const QString &header);
// One line per contender, reference and goal; and one line per run.
QByteArray summaryCsv(const std::vector<Scenario> &scenarios);
QByteArray runsCsv(const std::vector<Scenario> &scenarios);
// One bar chart per scenario, stacked; needs a QApplication. Error text, empty on success.
QString writeChartPng(const std::vector<Scenario> &scenarios, const QString &path);

} // namespace starling::bench
