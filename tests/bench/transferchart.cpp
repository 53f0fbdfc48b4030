#include "transferchart.h"

#include "charts/seriespalette.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHorizontalStackedBarSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace starling::bench {

TransferChart::TransferChart(QWidget *parent)
    : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this)),
      m_series(new QHorizontalStackedBarSeries(m_chart)),
      m_contenderAxis(new QBarCategoryAxis(m_chart)), m_rateAxis(new QValueAxis(m_chart))
{
    m_chart->addSeries(m_series);
    m_rateAxis->setTitleText(tr("MB/s (10^6 bytes per second, file complete and on disk)"));
    m_rateAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_chart->addAxis(m_contenderAxis, Qt::AlignLeft);
    m_chart->addAxis(m_rateAxis, Qt::AlignBottom);
    m_series->attachAxis(m_contenderAxis);
    m_series->attachAxis(m_rateAxis);
    m_chart->legend()->hide();
    m_view->setRenderHint(QPainter::Antialiasing);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

void TransferChart::setBars(const QString &title, const std::vector<Bar> &bars)
{
    m_chart->setTitle(title);
    m_series->clear();
    // Stacked, one set for runs and one for bounds, each zero where the other is drawn: every
    // bar gets its set's colour at full height.
    auto *runs = new QBarSet(tr("measured"));
    auto *bounds = new QBarSet(tr("bound"));
    runs->setColor(ui::SeriesPalette::colour(0));
    bounds->setColor(QColor(0xb0, 0xb0, 0xb0));
    for (QBarSet *set : {runs, bounds})
        set->setBorderColor(set->color().darker(130));
    QStringList categories;
    double highest = 0;
    // A horizontal series draws its first category at the bottom; reversed, the chart reads
    // top-down in the table's order.
    for (auto it = bars.rbegin(); it != bars.rend(); ++it) {
        categories << (it->mbps > 0
                           ? QStringLiteral("%1  (%2)").arg(it->label).arg(it->mbps, 0, 'f', 0)
                           : QStringLiteral("%1  (failed)").arg(it->label));
        runs->append(it->reference ? 0.0 : it->mbps);
        bounds->append(it->reference ? it->mbps : 0.0);
        highest = std::max(highest, it->mbps);
    }
    m_series->append(runs);
    m_series->append(bounds);
    m_contenderAxis->setCategories(categories);
    m_rateAxis->setRange(0, highest > 0 ? highest * 1.05 : 1);
    m_rateAxis->applyNiceNumbers();
}

} // namespace starling::bench
