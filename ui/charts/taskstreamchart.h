#pragma once

#include "consolemodel/taskactivity.h"
#include "sched/timeline.h"

#include <QStringList>
#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QPainter;
QT_END_NAMESPACE

namespace starling::ui {

// A job's task stream: one row per slave, time across, and for every chunk its send (the
// master's port busy sending it), compute and return phases as bars, so the one-port
// schedule and who waited for whom can be seen at a glance; the makespan is marked.
// It draws either a finished timeline (the simulator's or a benchmark run's) or the console's
// live job, which grows to the right as events arrive: phases still going on are drawn lighter
// with a solid edge, strips of a lost slave grey, strips out when the job failed red, and the
// x axis covers at least the predicted makespan so a running job fills into its prediction.
// Both inputs become one list of bars, drawn by one path. QPainter in the widget's palette: a
// Gantt chart is not something Qt Charts has.
class TaskStreamChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskStreamChart)

public:
    using Phase = consolemodel::StripBar::Phase;

    explicit TaskStreamChart(QWidget *parent = nullptr);

    // `slaves` names the timeline's slave indices (platform order).
    void setTimeline(const QString &title, const sched::Timeline &timeline,
                     const QStringList &slaves);
    // The job as it stands at `nowMs` (wall clock, as the events' time_ms).
    void setLiveJob(const consolemodel::LiveJob &job, qint64 nowMs);

    static QColor sendColour();
    static QColor computeColour();
    static QColor returnColour();
    static QColor reassignedColour();
    static QColor failedColour();
    static QColor phaseColour(Phase phase);

    // For tests: what is drawn.
    QString title() const { return m_title; }
    int barCount() const { return int(m_bars.size()); }
    int barCount(Phase phase) const;
    int liveBarCount() const;
    double timeSpan() const { return m_span; } // seconds the x axis covers
    int rowCount() const { return int(m_slaves.size()); }
    QRect plotArea() const; // where the bars go at the current size

    // How time and rows map to pixels in the plot area: a pure function of the area, the row
    // count, the time span and the font's line height, so drawing only places what it is given.
    struct Layout
    {
        QRect area;
        int rows = 1;         // at least one, so an empty stream still has a row
        double span = 1;      // seconds across the area
        double rowHeight = 1; // pixels, fractional so the rows fill the area exactly
        int nameEvery = 1;    // with more rows than names fit, every n-th name
        int barHeight = 2;    // each of a row's two lanes of bars
        double step = 1;      // seconds between grid lines and time labels

        int xOf(double seconds) const;
        int rowTop(int row) const;
        // Send and return in a row's top lane, compute (or what ended it) in the bottom one.
        QRect barRect(const consolemodel::StripBar &bar) const;
    };
    static Layout layoutFor(const QRect &area, int slaveCount, double span, int lineHeight);

    QSize sizeHint() const override { return {1200, 500}; }
    // Short enough that the views below the node table do not take its height in a 700 px
    // window with an alert banner; rows get thinner, the legend and time axis stay.
    QSize minimumSizeHint() const override { return {480, 120}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    // A vertical line across the rows with its legend entry.
    struct Marker
    {
        double at = 0;
        QString label;
        Qt::PenStyle style = Qt::SolidLine;
        bool accent = false; // red; otherwise the text colour
    };
    struct LegendItem
    {
        enum class Key
        {
            Swatch,
            LiveSwatch,
            Line
        };
        QString text;
        QColor colour;
        Key key = Key::Swatch;
        Qt::PenStyle style = Qt::SolidLine;
    };

    struct Ink; // the palette's colours one paint uses

    std::vector<LegendItem> legendItems(const QColor &text) const;
    // Lays the legend out in lines from kLeft; returns the items' rectangles.
    std::vector<QRect> legendRects(const std::vector<LegendItem> &items) const;

    void drawTitle(QPainter &p, const Ink &ink) const;
    void drawLegend(QPainter &p, const Ink &ink) const;
    void drawRowNames(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawGrid(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawBars(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawTimeAxis(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawMarkers(QPainter &p, const Layout &layout, const Ink &ink) const;

    QString m_title;
    std::vector<consolemodel::StripBar> m_bars;
    QStringList m_slaves;
    std::vector<Marker> m_markers;
    double m_span = 0;
    bool m_live = false;
};

} // namespace starling::ui
