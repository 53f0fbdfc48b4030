#pragma once

#include "sched/timeline.h"

#include <QString>
#include <QStringList>

#include <cstdio>
#include <vector>

namespace starling::bench {

// What bench_jobs measured: per scenario ("paper", "slowed"), strategy label and task count
// the makespans of every run next to the simulator's prediction for each; the table with the
// issue's goals, CSV files and PNG charts.
class JobsReport
{
public:
    // description: the platform, one paragraph for the table's head; prefix names the files
    // (jobs -> jobs.csv, jobs-runs.csv, jobs.png, jobs-stream.png).
    JobsReport(int runs, QString description, QString prefix)
        : m_runs(runs), m_description(std::move(description)), m_prefix(std::move(prefix))
    {}

    void add(const QString &scenario, const QString &label, int tasks, double makespan,
             double predicted, const sched::Timeline &timeline, const QStringList &slaves);
    void failed(const QString &scenario, const QString &label, int tasks);

    void setDescription(QString description) { m_description = std::move(description); }
    void print(FILE *out, double slowAtS) const;
    // PREFIX.csv, PREFIX-runs.csv, PREFIX.png, PREFIX-stream.png under outDir; an error or empty.
    QString write(const QString &outDir) const;

private:
    struct Cell
    {
        QString scenario;
        QString label;
        int tasks = 0;
        std::vector<double> measured;
        std::vector<double> predicted;
        int failures = 0;
        sched::Timeline last;
        QStringList slaves;
        double medianMeasured() const;
        double medianPredicted() const;
    };
    Cell &cell(const QString &scenario, const QString &label, int tasks);
    const Cell *find(const QString &scenario, const QString &label, int tasks) const;

    int m_runs;
    QString m_description;
    QString m_prefix;
    std::vector<Cell> m_cells; // in first-seen order
};

} // namespace starling::bench
