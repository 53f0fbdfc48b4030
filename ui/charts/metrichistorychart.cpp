#include "metrichistorychart.h"

#include "niceaxisrange.h"
#include "seriespalette.h"
#include "util/valueformat.h"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QResizeEvent>
#include <QSignalBlocker>
#include <QToolButton>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace starling::ui {

using consolemodel::Metric;

namespace {

constexpr int kLegendLimit = 16;
constexpr int kPointLimit = 16'000;
constexpr int kMinPoints = 120;
constexpr double kKiB = 1024.0;
// Fitted axes never narrower than this: idle noise stays a flat line near the bottom.
constexpr double kMinCpuSpan = 5;           // percent
constexpr double kMinMemorySpanShare = 0.1; // of the largest value

bool isRate(Metric m)
{
    return m == Metric::TxRate || m == Metric::RxRate;
}

QString axisName(Metric m)
{
    switch (m) {
    case Metric::Cpu:
        return MetricHistoryChart::tr("CPU");
    case Metric::Memory:
        return MetricHistoryChart::tr("RSS");
    case Metric::TxRate:
        return MetricHistoryChart::tr("sent");
    case Metric::RxRate:
        return MetricHistoryChart::tr("received");
    case Metric::Load:
        return MetricHistoryChart::tr("load");
    }
    return {};
}

} // namespace

MetricHistoryChart::MetricHistoryChart(Metric metric, QWidget *parent)
    : QWidget(parent), m_metric(metric), m_chart(new QChart), m_view(new QChartView(m_chart, this)),
      m_timeAxis(new QDateTimeAxis(m_chart)), m_valueAxis(new QValueAxis(m_chart))
{
    m_chart->setTitle(title(metric));
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->legend()->setVisible(false);
    m_view->setRenderHint(QPainter::Antialiasing);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    if (metric == Metric::Cpu || metric == Metric::Memory)
        buildScaleToggle();
    applyTheme();
    chooseUnit(0);
    applyValueRange();
    applyRange();
}

QString MetricHistoryChart::title(Metric metric)
{
    switch (metric) {
    case Metric::Cpu:
        return tr("CPU per slave (% of one core)");
    case Metric::Memory:
        return tr("memory per slave (resident set)");
    case Metric::TxRate:
        return tr("send rate per slave (its own traffic)");
    case Metric::RxRate:
        return tr("receive rate per slave (its own traffic)");
    case Metric::Load:
        return tr("load per slave (s of work per unit weight)");
    }
    return {};
}

void MetricHistoryChart::setWindow(qint64 ms)
{
    if (ms <= 0 || ms == m_windowMs)
        return;
    m_windowMs = ms;
    applyRange();
}

void MetricHistoryChart::setPaused(bool paused)
{
    m_paused = paused;
}

void MetricHistoryChart::setEndTime(qint64 ms)
{
    if (!m_paused)
        return;
    // Stop where the kept history ends, or where the window would start before it.
    const qint64 hi = std::max(m_latestMs, m_endMs);
    const qint64 lo = m_firstMs > 0 ? std::min(m_firstMs + m_windowMs, hi) : ms;
    m_endMs = std::clamp(ms, std::min(lo, hi), hi);
    applyRange();
}

void MetricHistoryChart::refresh(const consolemodel::NodeHistory &history, qint64 nowMs)
{
    m_latestMs = nowMs > 0 ? nowMs : history.lastMs();
    m_firstMs = history.firstMs();
    if (!m_paused || m_endMs == 0)
        m_endMs = m_latestMs;

    const std::vector<int> ranks = history.ranks();
    // Before the chart is first laid out (hidden, offscreen) its plot area is empty: estimate.
    const int laidOut = int(m_chart->plotArea().width());
    const int plotWidth = laidOut >= 100 ? laidOut : std::max(400, width() - 150);
    if (!linesDue(ranks, plotWidth)) {
        applyRange();
        return;
    }
    m_fetchedEndMs = m_endMs;
    m_fetchedWindowMs = m_windowMs;
    m_fetchedRanks = ranks;
    Fetched fetched = fetchLines(history, ranks, plotWidth);
    chooseUnit(fetched.largest);
    replaceLines(history, fetched.points);
    m_shownLow = fetched.smallest * m_scale;
    m_shownHigh = fetched.largest * m_scale;
    applyValueRange();
    applyRange();
}

void MetricHistoryChart::buildScaleToggle()
{
    m_scaleToggle = new QToolButton(this);
    m_scaleToggle->setObjectName(QStringLiteral("fixedScale"));
    m_scaleToggle->setCheckable(true);
    m_scaleToggle->setAutoRaise(true);
    m_scaleToggle->setText(m_metric == Metric::Cpu ? tr("Fixed 0-100 %") : tr("Fixed from 0"));
    m_scaleToggle->setToolTip(tr("Checked: CPU on a fixed 0-100 % axis and memory from 0.\n"
                                 "Unchecked: both axes fitted to the visible values."));
    connect(m_scaleToggle, &QToolButton::toggled, this, [this](bool fixed) {
        setFixedScale(fixed);
        emit fixedScaleToggled(fixed);
    });
}

void MetricHistoryChart::setFixedScale(bool fixed)
{
    if (m_scaleToggle) {
        const QSignalBlocker quiet(m_scaleToggle);
        m_scaleToggle->setChecked(fixed);
    }
    if (fixed == m_fixedScale)
        return;
    m_fixedScale = fixed;
    applyValueRange();
}

void MetricHistoryChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_scaleToggle) {
        m_scaleToggle->adjustSize();
        m_scaleToggle->move(width() - m_scaleToggle->width() - 6, 6);
        m_scaleToggle->raise();
    }
}

// Live, a long window moves less than a pixel between snapshots: the lines are refetched once
// the window has moved by a pixel's worth of time (5 s for an hour), the axis always.
bool MetricHistoryChart::linesDue(const std::vector<int> &ranks, int plotWidth) const
{
    return m_paused || m_fetchedEndMs <= 0 || m_fetchedWindowMs != m_windowMs ||
           m_endMs < m_fetchedEndMs || m_endMs - m_fetchedEndMs >= m_windowMs / plotWidth ||
           ranks != m_fetchedRanks;
}

// About two points (a bucket's min and max) per two pixels of plot width, and no more than
// kPointLimit in all: Qt Charts' cost grows with the points, and with dozens of slaves on top
// of each other the finer detail cannot be seen anyway.
MetricHistoryChart::Fetched MetricHistoryChart::fetchLines(const consolemodel::NodeHistory &history,
                                                           const std::vector<int> &ranks,
                                                           int plotWidth) const
{
    const auto [from, to] = visibleRange();
    const int budget = std::clamp(
        std::min(plotWidth, kPointLimit / std::max<int>(1, int(ranks.size()))), kMinPoints, 1600);
    Fetched fetched;
    bool any = false;
    for (int rank : ranks) {
        QList<QPointF> points = history.series(rank, m_metric, from, to, budget);
        for (const QPointF &p : points) {
            fetched.smallest = any ? std::min(fetched.smallest, p.y()) : p.y();
            fetched.largest = std::max(fetched.largest, p.y());
            any = true;
        }
        fetched.points.emplace(rank, std::move(points));
    }
    return fetched;
}

// One line per fetched slave, in the chosen unit; slaves no longer in the history lose theirs.
void MetricHistoryChart::replaceLines(const consolemodel::NodeHistory &history,
                                      std::map<int, QList<QPointF>> &fetched)
{
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (fetched.count(it->first) == 0) {
            m_chart->removeSeries(it->second.series);
            delete it->second.series;
            it = m_series.erase(it);
        } else {
            ++it;
        }
    }
    for (auto &[rank, points] : fetched) {
        if (m_scale != 1) {
            for (QPointF &p : points)
                p.setY(p.y() * m_scale);
        }
        lineFor(rank, history.name(rank)).series->replace(points);
    }
    const bool few = int(m_series.size()) <= kLegendLimit;
    m_chart->legend()->setVisible(!m_series.empty() && few);
    // Antialiasing doubles the drawing time; many crossing lines look no worse without it.
    m_view->setRenderHint(QPainter::Antialiasing, few);
}

// Fixed: CPU on 0-100 % unless a sample exceeds one core; the others from 0 with some
// headroom. Fitted (CPU and memory): round ticks around the visible values.
void MetricHistoryChart::applyValueRange()
{
    const double top = m_shownHigh;
    if (m_metric == Metric::Cpu && (m_fixedScale || top > 100)) {
        m_valueAxis->setRange(0, top > 100 ? std::ceil(top * 1.1 / 10) * 10 : 100);
        m_valueAxis->setTickCount(top > 100 ? 5 : 6);
    } else if (m_metric == Metric::Cpu) {
        NiceAxisRange fitted = NiceAxisRange::fit(0, top, kMinCpuSpan, true);
        if (fitted.max > 100)
            fitted = {0, 100, 6};
        m_valueAxis->setRange(fitted.min, fitted.max);
        m_valueAxis->setTickCount(fitted.ticks);
    } else if (m_metric == Metric::Memory && !m_fixedScale && top > 0) {
        const NiceAxisRange fitted =
            NiceAxisRange::fit(m_shownLow, top, top * kMinMemorySpanShare, false);
        m_valueAxis->setRange(fitted.min, fitted.max);
        m_valueAxis->setTickCount(fitted.ticks);
    } else {
        m_valueAxis->setRange(0, top > 0 ? top * 1.15 : 1);
        m_valueAxis->applyNiceNumbers();
    }
}

MetricHistoryChart::Line &MetricHistoryChart::lineFor(int rank, const QString &name)
{
    Line &line = m_series[rank];
    if (!line.series) {
        line.series = new QLineSeries(m_chart);
        m_chart->addSeries(line.series);
        line.series->attachAxis(m_timeAxis);
        line.series->attachAxis(m_valueAxis);
        line.series->setPen(QPen(SeriesPalette::colour(rank - 2), 1.6));
        connect(line.series, &QLineSeries::hovered, this,
                [this, rank](const QPointF &point, bool entered) {
                    if (entered)
                        QToolTip::showText(QCursor::pos(), hoverText(rank, point.x()), m_view);
                    else
                        QToolTip::hideText();
                });
    }
    if (line.name != name) {
        line.name = name;
        line.series->setName(name);
    }
    return line;
}

void MetricHistoryChart::chooseUnit(double largestRaw)
{
    QString unit;
    if (m_metric == Metric::Cpu) {
        m_scale = 100;
        unit = QStringLiteral("%");
    } else if (m_metric == Metric::Load) {
        m_scale = 1;
        unit = QStringLiteral("s");
    } else {
        // The largest unit the biggest value reaches one of, at least KiB.
        double size = kKiB;
        unit = QStringLiteral("KiB");
        if (largestRaw >= kKiB * kKiB * kKiB) {
            size = kKiB * kKiB * kKiB;
            unit = QStringLiteral("GiB");
        } else if (largestRaw >= kKiB * kKiB) {
            size = kKiB * kKiB;
            unit = QStringLiteral("MiB");
        }
        m_scale = 1.0 / size;
        if (isRate(m_metric))
            unit += QStringLiteral("/s");
    }
    if (unit == m_unit)
        return;
    m_unit = unit;
    m_valueAxis->setTitleText(m_metric == Metric::Cpu
                                  ? tr("CPU (% of one core)")
                                  : QStringLiteral("%1 (%2)").arg(axisName(m_metric), unit));
    m_valueAxis->setLabelFormat(QStringLiteral("%.4g")); // a fitted CPU axis may step by 2.5
}

void MetricHistoryChart::applyRange()
{
    const auto [from, to] = visibleRange();
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
    // Ticks every 10 s, 1 min, 3 min and 10 min for the console's four windows.
    m_timeAxis->setFormat(m_windowMs > 900'000 ? QStringLiteral("HH:mm")
                                               : QStringLiteral("HH:mm:ss"));
    m_timeAxis->setTickCount(m_windowMs == 60'000 || m_windowMs == 3'600'000 ? 7 : 6);
}

void MetricHistoryChart::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    if (dark == m_dark &&
        m_chart->theme() == (dark ? QChart::ChartThemeDark : QChart::ChartThemeLight))
        return;
    m_dark = dark;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    // A theme resets the pens; the slave colours are the point of the chart.
    for (auto &[rank, line] : m_series)
        line.series->setPen(QPen(SeriesPalette::colour(rank - 2), 1.6));
}

void MetricHistoryChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

QList<QPointF> MetricHistoryChart::points(int rank) const
{
    const auto it = m_series.find(rank);
    return it == m_series.end() ? QList<QPointF>() : it->second.series->points();
}

QString MetricHistoryChart::formatValue(double raw) const
{
    switch (m_metric) {
    case Metric::Cpu:
        return tr("%1 % of one core").arg(raw * 100, 0, 'f', 1);
    case Metric::Memory:
        return util::formatBytes(raw);
    case Metric::TxRate:
    case Metric::RxRate:
        return tr("%1/s").arg(util::formatBytes(raw));
    case Metric::Load:
        return tr("load %1 s").arg(raw, 0, 'f', 3);
    }
    return {};
}

QString MetricHistoryChart::hoverText(int rank, double xMs) const
{
    const auto it = m_series.find(rank);
    if (it == m_series.end())
        return {};
    const QList<QPointF> pts = it->second.series->points();
    if (pts.isEmpty())
        return {};
    auto near = std::lower_bound(pts.begin(), pts.end(), xMs,
                                 [](const QPointF &p, double x) { return p.x() < x; });
    if (near == pts.end() || (near != pts.begin() && xMs - (near - 1)->x() < near->x() - xMs))
        --near;
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(qint64(near->x()));
    return QStringLiteral("%1\n%2\n%3")
        .arg(it->second.name, when.toString(QStringLiteral("HH:mm:ss.zzz")),
             formatValue(near->y() / m_scale));
}

} // namespace starling::ui
