#pragma once

#include "consolemodel/taskactivity.h"

#include <QWidget>

#include <deque>
#include <vector>

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QChart;
class QChartView;
class QLabel;
class QStackedLayout;
class QValueAxis;
QT_END_NAMESPACE

namespace starling::ui {

// The finished image jobs' makespans side by side: one category per strategy/order, the
// median measured makespan of its jobs beside the median of the master's predictions, so an
// operator sees which strategy wins on this cluster and whether the simulator can be trusted.
// Medians, not means: one job slowed by a demo's `slow` command should not move a bar.
// Owns its chart and axes; follows the palette's light or dark window with the chart theme.
class StrategyComparisonChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StrategyComparisonChart)

public:
    struct Group
    {
        QString label; // FinishedJob::label()
        int jobs = 0;  // with a makespan
        double measuredS = 0;
        double predictedS = 0; // 0 when none of them had a prediction
        int predictedJobs = 0;
        long long minUnits = 0;
        long long maxUnits = 0;
    };

    explicit StrategyComparisonChart(QWidget *parent = nullptr);

    void setJobs(const std::deque<consolemodel::FinishedJob> &jobs);

    // For tests and the console.
    const std::vector<Group> &groups() const { return m_groups; }
    QStringList categories() const; // as the axis shows them, "pdds/dec (3)"
    bool isEmpty() const { return m_groups.empty(); }
    QChart *chart() const { return m_chart; }
    QBarSeries *series() const { return m_series; }
    QValueAxis *valueAxis() const { return m_valueAxis; }
    static QColor measuredColour();
    static QColor predictedColour();

    QSize sizeHint() const override { return {800, 420}; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyTheme();
    void applyColours();
    QString hoverText(int index) const;

    QStackedLayout *m_stack;
    QLabel *m_empty;
    QChart *m_chart;
    QChartView *m_view;
    QBarSeries *m_series;
    QBarSet *m_measured;
    QBarSet *m_predicted;
    QBarCategoryAxis *m_categoryAxis;
    QValueAxis *m_valueAxis;
    std::vector<Group> m_groups;
    bool m_dark = false;
};

} // namespace starling::ui
