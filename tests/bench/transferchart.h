#pragma once

#include <QString>
#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QChart;
class QChartView;
class QHorizontalStackedBarSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace starling::bench {

// One scenario of the transfer benchmark: a horizontal bar of throughput (MB/s) per contender,
// first contender on top, the value written into its label; bounds in grey. Owns its chart and
// axes.
class TransferChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TransferChart)

public:
    struct Bar
    {
        QString label;
        double mbps = 0;        // 0 = no successful run
        bool reference = false; // a bound, not a run: drawn grey
    };

    explicit TransferChart(QWidget *parent = nullptr);

    void setBars(const QString &title, const std::vector<Bar> &bars);

private:
    QChart *m_chart;
    QChartView *m_view;
    QHorizontalStackedBarSeries *m_series;
    QBarCategoryAxis *m_contenderAxis;
    QValueAxis *m_rateAxis;
};

} // namespace starling::bench
