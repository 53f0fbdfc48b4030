#include "makespanchart.h"

#include "seriespalette.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace starling::ui {

MakespanChart::MakespanChart(QWidget *parent)
    : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this)),
      m_series(new QBarSeries(m_chart)), m_tasksAxis(new QBarCategoryAxis(m_chart)),
      m_makespanAxis(new QValueAxis(m_chart))
{
    m_chart->addSeries(m_series);
    m_tasksAxis->setTitleText(tr("unit tasks"));
    m_makespanAxis->setTitleText(tr("makespan (s)"));
    m_makespanAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_chart->addAxis(m_tasksAxis, Qt::AlignBottom);
    m_chart->addAxis(m_makespanAxis, Qt::AlignLeft);
    m_series->attachAxis(m_tasksAxis);
    m_series->attachAxis(m_makespanAxis);
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_view->setRenderHint(QPainter::Antialiasing);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

void MakespanChart::setRows(const QString &title, const std::vector<sim::PaperRow> &rows)
{
    m_chart->setTitle(title);
    m_series->clear();
    std::vector<int> tasks;
    std::vector<QString> labels; // first-seen order keeps the legend in the table's order
    for (const sim::PaperRow &row : rows) {
        if (std::find(tasks.begin(), tasks.end(), row.tasks) == tasks.end())
            tasks.push_back(row.tasks);
        if (std::find(labels.begin(), labels.end(), row.label()) == labels.end())
            labels.push_back(row.label());
    }
    std::sort(tasks.begin(), tasks.end());
    QStringList categories;
    for (int t : tasks)
        categories << QString::number(t);
    m_tasksAxis->setCategories(categories);

    double highest = 0;
    for (const QString &label : labels) {
        auto *set = new QBarSet(label);
        set->setColor(SeriesPalette::strategyColour(label));
        set->setBorderColor(set->color().darker(130));
        for (int t : tasks) {
            const auto it = std::find_if(rows.begin(), rows.end(), [&](const sim::PaperRow &r) {
                return r.label() == label && r.tasks == t;
            });
            const double value = it == rows.end() ? 0.0 : it->makespan;
            set->append(value);
            highest = std::max(highest, value);
        }
        m_series->append(set);
    }
    m_makespanAxis->setRange(0, highest > 0 ? highest * 1.05 : 1);
    m_makespanAxis->applyNiceNumbers();
}

} // namespace starling::ui
