#include "transferreport.h"

#include "charts/pngexport.h"
#include "transferchart.h"

#include <QVBoxLayout>
#include <QWidget>

#include <algorithm>

namespace starling::bench {

namespace {

std::optional<double> median(std::vector<double> values)
{
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

template<typename Field> std::optional<double> medianOf(const ContenderRow &row, Field field)
{
    std::vector<double> values;
    for (const RunResult &run : row.runs) {
        if (run.ok && field(run) >= 0)
            values.push_back(field(run));
    }
    return median(values);
}

QString seconds(std::optional<double> value)
{
    return value ? QString::number(*value, 'f', 2) : QStringLiteral("-");
}

QString rate(qint64 bytes, std::optional<double> secondsValue)
{
    return secondsValue && *secondsValue > 0
               ? QString::number(double(bytes) / 1e6 / *secondsValue, 'f', 1)
               : QStringLiteral("-");
}

QString csvField(QString text)
{
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')))
        text = QLatin1Char('"') + text.replace(QLatin1Char('"'), QLatin1String("\"\"")) +
               QLatin1Char('"');
    return text;
}

QString optionalNumber(std::optional<double> value, int decimals = 4)
{
    return value ? QString::number(*value, 'f', decimals) : QString();
}

} // namespace

int ContenderRow::okRuns() const
{
    return int(std::count_if(runs.begin(), runs.end(), [](const RunResult &r) { return r.ok; }));
}

std::optional<double> ContenderRow::medianDurable() const
{
    return medianOf(*this, [](const RunResult &r) { return r.durableSeconds; });
}

std::optional<double> ContenderRow::medianExit() const
{
    return medianOf(*this, [](const RunResult &r) { return r.exitSeconds; });
}

std::optional<double> ContenderRow::medianReported() const
{
    return medianOf(*this, [](const RunResult &r) { return r.reportedSeconds; });
}

double ContenderRow::mbps(qint64 bytes) const
{
    const auto s = medianDurable();
    return s && *s > 0 ? double(bytes) / 1e6 / *s : 0;
}

ContenderRow *Scenario::row(const QString &label)
{
    const auto it = std::find_if(rows.begin(), rows.end(),
                                 [&](const ContenderRow &r) { return r.label == label; });
    return it == rows.end() ? nullptr : &*it;
}

QString formatReport(const std::vector<Scenario> &scenarios, const QString &header)
{
    QString out = header + QLatin1String("\n");
    for (const Scenario &s : scenarios) {
        out += QStringLiteral("\n%1. %2\n").arg(s.number).arg(s.title);
        if (!s.skipped.isEmpty()) {
            out += QStringLiteral("   not run: %1\n").arg(s.skipped);
            continue;
        }
        out += QStringLiteral("   %1 %2 %3 %4 %5 %6  %7\n")
                   .arg(QStringLiteral("contender"), -40)
                   .arg(QStringLiteral("ok"), 4)
                   .arg(QStringLiteral("exit s"), 8)
                   .arg(QStringLiteral("MB/s"), 7)
                   .arg(QStringLiteral("on disk s"), 10)
                   .arg(QStringLiteral("MB/s"), 7)
                   .arg(s.ratioHeader);
        for (const ContenderRow &row : s.rows) {
            QString ratio = row.ratio >= 0 ? QStringLiteral("%1x").arg(row.ratio, 0, 'f', 2)
                                           : QStringLiteral("-");
            if (!row.ratioNote.isEmpty())
                ratio += QStringLiteral("  ") + row.ratioNote;
            out += QStringLiteral("   %1 %2 %3 %4 %5 %6  %7\n")
                       .arg(row.label, -40)
                       .arg(QStringLiteral("%1/%2").arg(row.okRuns()).arg(row.runs.size()), 4)
                       .arg(seconds(row.medianExit()), 8)
                       .arg(rate(s.bytes, row.medianExit()), 7)
                       .arg(seconds(row.medianDurable()), 10)
                       .arg(rate(s.bytes, row.medianDurable()), 7)
                       .arg(ratio);
        }
        for (const ReferenceRow &ref : s.references) {
            out += QStringLiteral("   %1 %2 %3 %4 %5 %6\n")
                       .arg(ref.label, -40)
                       .arg(QString(), 4)
                       .arg(QString(), 8)
                       .arg(QString(), 7)
                       .arg(seconds(ref.seconds), 10)
                       .arg(rate(s.bytes, ref.seconds), 7);
        }
        for (const Goal &goal : s.goals) {
            const QString measured =
                goal.value ? QStringLiteral("%1%2").arg(*goal.value, 0, 'f', 2).arg(goal.unit)
                           : QStringLiteral("n/a");
            out += QStringLiteral("   goal: %1 %2 (%3 %4%5)  %6\n")
                       .arg(goal.text, -50)
                       .arg(measured, 7)
                       .arg(goal.atLeast ? QStringLiteral(">=") : QStringLiteral("<="))
                       .arg(goal.target, 0, 'f', 2)
                       .arg(goal.unit)
                       .arg(goal.met() ? QStringLiteral("[MET]") : QStringLiteral("[MISSED]"));
        }
        for (const ContenderRow &row : s.rows) {
            for (size_t i = 0; i < row.runs.size(); ++i) {
                if (!row.runs[i].note.isEmpty())
                    out += QStringLiteral("   note: %1, run %2: %3\n")
                               .arg(row.label)
                               .arg(i + 1)
                               .arg(row.runs[i].note);
            }
        }
    }
    return out;
}

QByteArray summaryCsv(const std::vector<Scenario> &scenarios)
{
    QString csv = QStringLiteral("scenario,kind,name,runs_ok,runs,median_exit_s,"
                                 "median_on_disk_s,median_reported_s,MBps_on_disk,ratio,"
                                 "ratio_to,target,met\n");
    for (const Scenario &s : scenarios) {
        for (const ContenderRow &row : s.rows) {
            csv += QStringLiteral("%1,result,%2,%3,%4,%5,%6,%7,%8,%9,%10,,\n")
                       .arg(s.number)
                       .arg(csvField(row.label))
                       .arg(row.okRuns())
                       .arg(row.runs.size())
                       .arg(optionalNumber(row.medianExit()))
                       .arg(optionalNumber(row.medianDurable()))
                       .arg(optionalNumber(row.medianReported()))
                       .arg(QString::number(row.mbps(s.bytes), 'f', 2))
                       .arg(row.ratio >= 0 ? QString::number(row.ratio, 'f', 4) : QString())
                       .arg(csvField(s.ratioHeader));
        }
        for (const ReferenceRow &ref : s.references) {
            csv += QStringLiteral("%1,reference,%2,,,,%3,,%4,,,,\n")
                       .arg(s.number)
                       .arg(csvField(ref.label))
                       .arg(QString::number(ref.seconds, 'f', 4))
                       .arg(QString::number(double(s.bytes) / 1e6 / ref.seconds, 'f', 2));
        }
        for (const Goal &goal : s.goals) {
            csv += QStringLiteral("%1,goal,%2,,,,,,,%3,,%4%5,%6\n")
                       .arg(s.number)
                       .arg(csvField(goal.text))
                       .arg(optionalNumber(goal.value))
                       .arg(goal.atLeast ? QStringLiteral(">=") : QStringLiteral("<="))
                       .arg(goal.target)
                       .arg(goal.met() ? QStringLiteral("yes") : QStringLiteral("no"));
        }
    }
    return csv.toUtf8();
}

QByteArray runsCsv(const std::vector<Scenario> &scenarios)
{
    QString csv = QStringLiteral("scenario,contender,run,ok,exit_s,on_disk_s,reported_s,note\n");
    for (const Scenario &s : scenarios) {
        for (const ContenderRow &row : s.rows) {
            for (size_t i = 0; i < row.runs.size(); ++i) {
                const RunResult &run = row.runs[i];
                csv +=
                    QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
                        .arg(s.number)
                        .arg(csvField(row.label))
                        .arg(i + 1)
                        .arg(run.ok ? 1 : 0)
                        .arg(QString::number(run.exitSeconds, 'f', 4))
                        .arg(QString::number(run.durableSeconds, 'f', 4))
                        .arg(run.reportedSeconds >= 0 ? QString::number(run.reportedSeconds, 'f', 4)
                                                      : QString())
                        .arg(csvField(run.note));
            }
        }
    }
    return csv.toUtf8();
}

QString writeChartPng(const std::vector<Scenario> &scenarios, const QString &path)
{
    QWidget page;
    auto *layout = new QVBoxLayout(&page);
    int charts = 0;
    for (const Scenario &s : scenarios) {
        if (!s.skipped.isEmpty())
            continue;
        std::vector<TransferChart::Bar> bars;
        for (const ContenderRow &row : s.rows)
            bars.push_back({row.label, row.mbps(s.bytes), false});
        for (const ReferenceRow &ref : s.references)
            bars.push_back({ref.label, double(s.bytes) / 1e6 / ref.seconds, true});
        auto *chart = new TransferChart(&page);
        chart->setBars(QStringLiteral("%1. %2").arg(s.number).arg(s.title), bars);
        layout->addWidget(chart);
        ++charts;
    }
    if (charts == 0)
        return QStringLiteral("no scenario ran, so there is nothing to chart");
    return ui::saveWidgetPng(&page, QSize(1200, 340 * charts), path);
}

} // namespace starling::bench
