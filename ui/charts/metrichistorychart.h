#pragma once

#include "consolemodel/nodehistory.h"

#include <QList>
#include <QPair>
#include <QPointF>
#include <QWidget>

#include <array>
#include <map>
#include <vector>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QToolButton;
class QValueAxis;
QT_END_NAMESPACE

namespace starling::ui {

// One metric of every slave over a sliding time window, one line per slave in its palette
// colour (index rank - 2, the same in every view). Live, the window ends at the latest
// refresh; paused, its end stays put and setEndTime() scrolls back through the kept history.
// Lines are rebuilt from the history with one replace() per slave, downsampled to about one
// point per pixel column (16000 points at most in all), and live only once the window has
// moved by a pixel's worth of time. Hovering a line shows that sample's value and time.
//
// Units: CPU in percent of one core; memory and rates in KiB, MiB or GiB (per second),
// whichever suits the largest visible value; load in seconds. The CPU and memory axes fit the
// visible data (CPU from 0, at least 0-5 %; memory around the values, at least a tenth of the
// largest wide) unless the "fixed" button on the chart is checked: then CPU is 0-100 % (wider
// only if a sample exceeds one core) and memory starts at 0. The others always start at 0. The
// legend is shown for up to 16 slaves; beyond that the colours are the key.
class MetricHistoryChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricHistoryChart)

public:
    static constexpr std::array<qint64, 4> kWindows = {60'000, 300'000, 900'000, 3'600'000};

    explicit MetricHistoryChart(consolemodel::Metric metric, QWidget *parent = nullptr);

    // Redraws from the history; nowMs (<= 0: the history's newest time) is the live end.
    // Window and end-time changes take effect on screen at the next refresh.
    void refresh(const consolemodel::NodeHistory &history, qint64 nowMs);

    void setWindow(qint64 ms); // any positive span; kWindows are the console's choices
    qint64 window() const { return m_windowMs; }
    void setPaused(bool paused); // resuming jumps back to the live end at the next refresh
    bool isPaused() const { return m_paused; }
    // Paused only: the window's end, kept within the history (ignored while live).
    void setEndTime(qint64 ms);
    qint64 endTime() const { return m_endMs; }

    consolemodel::Metric metric() const { return m_metric; }
    QString unit() const { return m_unit; } // of the y values: "%", "MiB", "KiB/s", "s", ...
    static QString title(consolemodel::Metric metric);

    // For tests: what is drawn. points() are (ms since the epoch, value in unit()).
    int seriesCount() const { return int(m_series.size()); }
    QList<QPointF> points(int rank) const;
    QPair<qint64, qint64> visibleRange() const { return {m_endMs - m_windowMs, m_endMs}; }
    QString hoverText(int rank, double xMs) const; // the sample nearest xMs, as the tooltip
    QChart *chart() const { return m_chart; }
    QValueAxis *valueAxis() const { return m_valueAxis; }

    // CPU and memory only (the others ignore it): the fixed scale instead of the fitted one.
    void setFixedScale(bool fixed);
    bool isFixedScale() const { return m_fixedScale; }
    QToolButton *scaleToggle() const { return m_scaleToggle; } // nullptr for the others

signals:
    void fixedScaleToggled(bool fixed); // by the operator, on this chart's button

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Line
    {
        QLineSeries *series = nullptr;
        QString name;
    };

    // Each slave's raw samples in the visible window, and the largest of them.
    struct Fetched
    {
        std::map<int, QList<QPointF>> points;
        double largest = 0;
        double smallest = 0;
    };

    Line &lineFor(int rank, const QString &name);
    bool linesDue(const std::vector<int> &ranks, int plotWidth) const;
    Fetched fetchLines(const consolemodel::NodeHistory &history, const std::vector<int> &ranks,
                       int plotWidth) const;
    void replaceLines(const consolemodel::NodeHistory &history,
                      std::map<int, QList<QPointF>> &fetched);
    void buildScaleToggle();
    void applyValueRange();
    void chooseUnit(double largestRaw);
    void applyRange();
    void applyTheme();
    QString formatValue(double raw) const;

    consolemodel::Metric m_metric;
    QChart *m_chart;
    QChartView *m_view;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    std::map<int, Line> m_series;
    qint64 m_windowMs = 300'000;
    qint64 m_endMs = 0;
    bool m_paused = false;
    qint64 m_firstMs = 0;  // oldest sample of the last refresh
    qint64 m_latestMs = 0; // live end of the last refresh
    double m_scale = 1;    // raw value * m_scale = plotted value
    QString m_unit;
    bool m_dark = false;
    QToolButton *m_scaleToggle = nullptr;
    bool m_fixedScale = false;
    double m_shownLow = 0; // the visible data's extremes, in the unit, for the value axis
    double m_shownHigh = 0;
    // What the lines were last fetched for.
    qint64 m_fetchedEndMs = 0;
    qint64 m_fetchedWindowMs = 0;
    std::vector<int> m_fetchedRanks;
};

} // namespace starling::ui
