#include "strategycomparisonchart.h"

#include "seriespalette.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QLabel>
#include <QLegend>
#include <QStackedLayout>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>

namespace starling::ui {

namespace {

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    const size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + qsizetype(mid), values.end());
    const double upper = values[mid];
    if (values.size() % 2 == 1)
        return upper;
    return (*std::max_element(values.begin(), values.begin() + qsizetype(mid)) + upper) / 2;
}

bool usable(double seconds)
{
    return std::isfinite(seconds) && seconds > 0;
}

} // namespace

StrategyComparisonChart::StrategyComparisonChart(QWidget *parent)
    : QWidget(parent), m_stack(new QStackedLayout(this)), m_empty(new QLabel(this)),
      m_chart(new QChart), m_view(new QChartView(m_chart, this)), m_series(new QBarSeries(m_chart)),
      m_measured(new QBarSet(tr("measured (median)"))),
      m_predicted(new QBarSet(tr("predicted (median)"))),
      m_categoryAxis(new QBarCategoryAxis(m_chart)), m_valueAxis(new QValueAxis(m_chart))
{
    const QString title = tr("makespan by strategy (finished image jobs)");
    m_chart->setTitle(title);
    // Empty, the panel still says what it is for.
    m_empty->setTextFormat(Qt::RichText);
    m_empty->setText(QStringLiteral("<b>%1</b><br><br>%2")
                         .arg(title.toHtmlEscaped(),
                              tr("run image jobs to compare strategies").toHtmlEscaped()));
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_series->append(m_measured);
    m_series->append(m_predicted);
    m_chart->addSeries(m_series);
    m_categoryAxis->setTitleText(tr("strategy/order (jobs)"));
    m_valueAxis->setTitleText(tr("makespan (s)"));
    m_valueAxis->setLabelFormat(QStringLiteral("%.3g"));
    m_chart->addAxis(m_categoryAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_series->attachAxis(m_categoryAxis);
    m_series->attachAxis(m_valueAxis);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_view->setRenderHint(QPainter::Antialiasing);
    connect(m_series, &QBarSeries::hovered, this, [this](bool entered, int index, QBarSet *) {
        if (entered)
            QToolTip::showText(QCursor::pos(), hoverText(index), m_view);
        else
            QToolTip::hideText();
    });

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setAutoFillBackground(true);
    m_stack->setContentsMargins(0, 0, 0, 0);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_view);
    m_stack->setCurrentWidget(m_empty);
    applyTheme();
    m_valueAxis->setRange(0, 1);
}

QColor StrategyComparisonChart::measuredColour()
{
    return QColor(0x00, 0x72, 0xb2);
}

QColor StrategyComparisonChart::predictedColour()
{
    return QColor(0x9a, 0xc4, 0xe4);
}

void StrategyComparisonChart::setJobs(const std::deque<consolemodel::FinishedJob> &jobs)
{
    struct Collected
    {
        std::vector<double> measured, predicted;
        long long minUnits = 0, maxUnits = 0;
    };
    std::map<QString, Collected> byLabel; // sorted: the categories keep their place
    for (const consolemodel::FinishedJob &job : jobs) {
        if (!usable(job.makespanS))
            continue;
        Collected &c = byLabel[job.label()];
        c.minUnits = c.measured.empty() ? job.units : std::min(c.minUnits, job.units);
        c.maxUnits = std::max(c.maxUnits, job.units);
        c.measured.push_back(job.makespanS);
        if (usable(job.predictedS))
            c.predicted.push_back(job.predictedS);
    }

    m_groups.clear();
    double highest = 0;
    for (const auto &[label, c] : byLabel) {
        Group g;
        g.label = label;
        g.jobs = int(c.measured.size());
        g.measuredS = median(c.measured);
        g.predictedS = median(c.predicted);
        g.predictedJobs = int(c.predicted.size());
        g.minUnits = c.minUnits;
        g.maxUnits = c.maxUnits;
        highest = std::max({highest, g.measuredS, g.predictedS});
        m_groups.push_back(g);
    }

    m_measured->remove(0, m_measured->count());
    m_predicted->remove(0, m_predicted->count());
    for (const Group &g : m_groups) {
        m_measured->append(g.measuredS);
        m_predicted->append(g.predictedS);
    }
    m_categoryAxis->setCategories(categories());
    // Headroom above the tallest bar, then round numbers.
    m_valueAxis->setRange(0, highest > 0 ? highest * 1.15 : 1);
    m_valueAxis->applyNiceNumbers();
    m_stack->setCurrentWidget(m_groups.empty() ? static_cast<QWidget *>(m_empty) : m_view);
}

QStringList StrategyComparisonChart::categories() const
{
    QStringList out;
    for (const Group &g : m_groups)
        out << QStringLiteral("%1 (%2)").arg(g.label).arg(g.jobs);
    return out;
}

QString StrategyComparisonChart::hoverText(int index) const
{
    if (index < 0 || index >= int(m_groups.size()))
        return {};
    const Group &g = m_groups[size_t(index)];
    const QString units = g.minUnits == g.maxUnits
                              ? tr("%1 units").arg(g.minUnits)
                              : tr("%1 to %2 units").arg(g.minUnits).arg(g.maxUnits);
    const QString jobs = g.jobs == 1 ? tr("1 job") : tr("%1 jobs").arg(g.jobs);
    QString text = tr("%1: %2 of %3").arg(g.label, jobs, units) + QLatin1Char('\n') +
                   tr("measured median %1 s").arg(g.measuredS, 0, 'f', 3) + QLatin1Char('\n');
    text += g.predictedJobs > 0 ? tr("predicted median %1 s (%2 with a prediction)")
                                      .arg(g.predictedS, 0, 'f', 3)
                                      .arg(g.predictedJobs)
                                : tr("no prediction");
    return text;
}

void StrategyComparisonChart::applyColours()
{
    // The predicted bar is a lighter ghost of the measured one on either background.
    m_measured->setColor(m_dark ? QColor(0x3d, 0x9b, 0xe0) : measuredColour());
    m_measured->setBorderColor(m_measured->color().darker(130));
    m_predicted->setColor(m_dark ? QColor(0x2a, 0x4a, 0x66) : predictedColour());
    m_predicted->setBorderColor(m_dark ? QColor(0x3d, 0x9b, 0xe0) : measuredColour());
}

void StrategyComparisonChart::applyTheme()
{
    // The empty state's text is faint, from whatever window colours the palette has.
    QPalette faint = m_empty->palette();
    faint.setColor(QPalette::WindowText,
                   SeriesPalette::blend(palette().color(QPalette::WindowText),
                                        palette().color(QPalette::Window), 0.4));
    m_empty->setPalette(faint);
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    if (dark == m_dark &&
        m_chart->theme() == (dark ? QChart::ChartThemeDark : QChart::ChartThemeLight)) {
        applyColours();
        return;
    }
    m_dark = dark;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    // A theme resets the bar sets' colours.
    applyColours();
}

void StrategyComparisonChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

} // namespace starling::ui
