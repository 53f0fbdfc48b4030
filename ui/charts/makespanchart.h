#pragma once

#include "sim/paperexperiment.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSeries;
class QChart;
class QChartView;
class QValueAxis;
QT_END_NAMESPACE

namespace starling::ui {

// Grouped bars: makespan per strategy/order (one bar set each) for every task count
// (one category each), for one platform. Owns its chart and axes.
class MakespanChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MakespanChart)

public:
    explicit MakespanChart(QWidget *parent = nullptr);

    void setRows(const QString &title, const std::vector<sim::PaperRow> &rows);

    QChart *chart() const { return m_chart; }
    QBarSeries *series() const { return m_series; }

private:
    QChart *m_chart;
    QChartView *m_view;
    QBarSeries *m_series;
    QBarCategoryAxis *m_tasksAxis;
    QValueAxis *m_makespanAxis;
};

} // namespace starling::ui
