#include "taskstreamchart.h"

#include "seriespalette.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace starling::ui {

namespace {

constexpr int kLeft = 110; // slave names
constexpr int kRight = 20;
constexpr int kLegendTop = 28; // below the title
constexpr int kLegendLine = 16;
constexpr int kBottom = 42; // time axis
constexpr double kLiveTint = 0.55;

// A round step for the time axis giving about `ticks` ticks over `span` seconds.
double niceStep(double span, int ticks)
{
    const double raw = span / std::max(1, ticks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (raw <= m * magnitude)
            return m * magnitude;
    }
    return 10 * magnitude;
}

QString seconds(double s)
{
    return TaskStreamChart::tr("%1 s").arg(s, 0, 'f', s < 10 ? 2 : 1);
}

bool topHalf(TaskStreamChart::Phase phase)
{
    return phase == TaskStreamChart::Phase::Send || phase == TaskStreamChart::Phase::Return;
}

} // namespace

TaskStreamChart::TaskStreamChart(QWidget *parent) : QWidget(parent)
{
    // paintEvent fills every pixel with the chart's background.
    setAttribute(Qt::WA_OpaquePaintEvent);
}

QColor TaskStreamChart::sendColour()
{
    return QColor(0xe6, 0x9f, 0x00); // orange: the port sending
}

QColor TaskStreamChart::computeColour()
{
    return QColor(0x00, 0x72, 0xb2); // blue: the slave computing
}

QColor TaskStreamChart::returnColour()
{
    return QColor(0x00, 0x9e, 0x73); // green: the port receiving the result
}

QColor TaskStreamChart::reassignedColour()
{
    return QColor(0x8c, 0x8c, 0x8c); // grey: its slave was lost, the units went elsewhere
}

QColor TaskStreamChart::failedColour()
{
    return QColor(0xd6, 0x27, 0x28); // red: out when the job failed
}

QColor TaskStreamChart::phaseColour(Phase phase)
{
    switch (phase) {
    case Phase::Send:
        return sendColour();
    case Phase::Compute:
        return computeColour();
    case Phase::Return:
        return returnColour();
    case Phase::Reassigned:
        return reassignedColour();
    case Phase::Failed:
        return failedColour();
    }
    return computeColour();
}

void TaskStreamChart::setTimeline(const QString &title, const sched::Timeline &timeline,
                                  const QStringList &slaves)
{
    m_title = title;
    m_slaves = slaves;
    m_live = false;
    m_bars.clear();
    m_span = std::max(0.0, timeline.makespan);
    for (const sched::ChunkRecord &c : timeline.chunks) {
        if (c.slave < 0 || c.slave >= std::max<int>(1, int(slaves.size())))
            continue;
        m_bars.push_back({c.slave, c.sendStart, c.sendEnd, Phase::Send, false});
        m_bars.push_back({c.slave, c.computeStart, c.computeEnd, Phase::Compute, false});
        if (c.returnEnd > c.returnStart)
            m_bars.push_back({c.slave, c.returnStart, c.returnEnd, Phase::Return, false});
        m_span = std::max({m_span, c.returnEnd, c.computeEnd});
    }
    m_markers.clear();
    if (timeline.makespan > 0)
        m_markers.push_back({timeline.makespan,
                             tr("makespan %1 s").arg(timeline.makespan, 0, 'f', 3), Qt::DashLine,
                             true});
    update();
}

void TaskStreamChart::setLiveJob(const consolemodel::LiveJob &job, qint64 nowMs)
{
    using State = consolemodel::LiveJob::State;
    m_slaves = job.slaves;
    m_live = true;
    m_bars.clear();
    const double elapsed = job.elapsedS(nowMs);
    m_span = std::max(elapsed, job.predictedS);
    for (const consolemodel::StripBar &bar : job.bars(nowMs)) {
        if (bar.row < 0 || bar.row >= m_slaves.size())
            continue;
        m_bars.push_back(bar);
        m_span = std::max(m_span, bar.to);
    }

    m_markers.clear();
    if (job.predictedS > 0)
        m_markers.push_back(
            {job.predictedS, tr("predicted %1").arg(seconds(job.predictedS)), Qt::DashLine, false});
    if (job.state == State::Done)
        m_markers.push_back(
            {job.makespanS, tr("makespan %1").arg(seconds(job.makespanS)), Qt::SolidLine, true});

    QStringList parts{job.id};
    if (!job.op.isEmpty())
        parts << job.op;
    if (!job.strategy.isEmpty() || !job.order.isEmpty())
        parts << QStringList{job.strategy, job.order}.join(u'/');
    parts << tr("%1/%2 units").arg(job.unitsDone()).arg(job.units);
    switch (job.state) {
    case State::Running:
        parts << tr("running %1").arg(seconds(elapsed));
        break;
    case State::Done:
        parts << tr("done in %1").arg(seconds(job.makespanS));
        break;
    case State::Failed:
        parts << tr("failed after %1: %2")
                     .arg(seconds(elapsed),
                          job.error.isEmpty() ? tr("no reason given") : job.error);
        break;
    }
    if (job.predictedS > 0)
        parts << tr("predicted %1").arg(seconds(job.predictedS));
    if (job.reassignedChunks > 0)
        parts << (job.reassignedChunks == 1 ? tr("1 strip reassigned")
                                            : tr("%1 strips reassigned").arg(job.reassignedChunks));
    m_title = parts.join(QStringLiteral(" \u00b7 "));
    update();
}

int TaskStreamChart::barCount(Phase phase) const
{
    return int(std::count_if(m_bars.begin(), m_bars.end(),
                             [&](const consolemodel::StripBar &b) { return b.phase == phase; }));
}

int TaskStreamChart::liveBarCount() const
{
    return int(std::count_if(m_bars.begin(), m_bars.end(),
                             [](const consolemodel::StripBar &b) { return b.live; }));
}

std::vector<TaskStreamChart::LegendItem> TaskStreamChart::legendItems(const QColor &text) const
{
    using Key = LegendItem::Key;
    std::vector<LegendItem> items = {{tr("send (master's port)"), sendColour()},
                                     {tr("compute"), computeColour()},
                                     {tr("return (master's port)"), returnColour()}};
    if (m_live) {
        items.push_back({tr("reassigned (slave lost)"), reassignedColour()});
        items.push_back({tr("failed"), failedColour()});
        items.push_back({tr("still going on"), computeColour(), Key::LiveSwatch});
    }
    for (const Marker &m : m_markers)
        items.push_back({m.label, m.accent ? failedColour() : text, Key::Line, m.style});
    return items;
}

std::vector<QRect> TaskStreamChart::legendRects(const std::vector<LegendItem> &items) const
{
    const QFontMetrics metrics(font());
    std::vector<QRect> rects;
    int x = kLeft;
    int y = kLegendTop;
    for (const LegendItem &item : items) {
        const int w = 18 + metrics.horizontalAdvance(item.text);
        if (x > kLeft && x + w > width() - kRight) {
            x = kLeft;
            y += kLegendLine;
        }
        rects.emplace_back(x, y, w, kLegendLine - 2);
        x += w + 12;
    }
    return rects;
}

QRect TaskStreamChart::plotArea() const
{
    const std::vector<QRect> legend = legendRects(legendItems(Qt::black));
    const int top = (legend.empty() ? kLegendTop : legend.back().bottom()) + 8;
    return QRect(kLeft, top, std::max(10, width() - kLeft - kRight),
                 std::max(10, height() - top - kBottom));
}

struct TaskStreamChart::Ink
{
    QColor background;
    QColor text;
    QColor faint;
    QColor grid;
    QColor stripe;
};

int TaskStreamChart::Layout::xOf(double seconds) const
{
    return area.left() + int(std::lround(seconds * (area.width() / span)));
}

int TaskStreamChart::Layout::rowTop(int row) const
{
    return area.top() + int(row * rowHeight);
}

QRect TaskStreamChart::Layout::barRect(const consolemodel::StripBar &bar) const
{
    const int top = area.top() + int(bar.row * rowHeight) + int(rowHeight * 0.08);
    const int y = topHalf(bar.phase) ? top : top + barHeight + 1;
    const int x0 = xOf(bar.from);
    return QRect(x0, y, std::max(1, xOf(bar.to) - x0), barHeight);
}

TaskStreamChart::Layout TaskStreamChart::layoutFor(const QRect &area, int slaveCount, double span,
                                                   int lineHeight)
{
    Layout l;
    l.area = area;
    l.rows = std::max(1, slaveCount);
    l.span = span > 0 ? span : 1.0;
    l.rowHeight = double(area.height()) / l.rows;
    l.nameEvery = std::max(1, int(std::ceil(lineHeight / l.rowHeight)));
    // Two lanes of 38% leave a little of the row above and below, so neighbours stay apart.
    l.barHeight = std::max(2, int(l.rowHeight * 0.38));
    l.step = niceStep(l.span, std::max(2, std::min(10, area.width() / 90)));
    return l;
}

void TaskStreamChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QColor background = SeriesPalette::chartBackground(palette());
    const QColor text = SeriesPalette::chartText(palette());
    const Ink ink{background, text, SeriesPalette::blend(text, background, 0.45),
                  SeriesPalette::blend(text, background, 0.88),
                  SeriesPalette::blend(text, background, 0.95)};
    p.fillRect(rect(), background);
    drawTitle(p, ink);
    drawLegend(p, ink);

    const Layout layout =
        layoutFor(plotArea(), int(m_slaves.size()), m_span, QFontMetrics(font()).height());
    if (m_bars.empty() && !(m_span > 0)) {
        p.setPen(ink.faint);
        p.drawText(layout.area, Qt::AlignCenter, tr("no strips yet"));
        return;
    }
    drawRowNames(p, layout, ink);
    drawGrid(p, layout, ink); // behind the bars
    drawBars(p, layout, ink);
    drawTimeAxis(p, layout, ink);
    drawMarkers(p, layout, ink);
}

void TaskStreamChart::drawTitle(QPainter &p, const Ink &ink) const
{
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(ink.text);
    p.drawText(QRect(8, 4, width() - 16, 20), Qt::AlignHCenter,
               QFontMetrics(bold).elidedText(m_title, Qt::ElideRight, width() - 16));
    p.setFont(font());
}

// The phases' colours and the marker lines.
void TaskStreamChart::drawLegend(QPainter &p, const Ink &ink) const
{
    const std::vector<LegendItem> items = legendItems(ink.text);
    const std::vector<QRect> rects = legendRects(items);
    for (size_t i = 0; i < items.size(); ++i) {
        const LegendItem &item = items[i];
        const QRect r = rects[i];
        const QRect key(r.left(), r.top() + 2, 14, 10);
        switch (item.key) {
        case LegendItem::Key::Swatch:
            p.fillRect(key, item.colour);
            break;
        case LegendItem::Key::LiveSwatch:
            p.fillRect(key, SeriesPalette::blend(item.colour, ink.background, kLiveTint));
            p.setPen(item.colour);
            p.drawRect(key.adjusted(0, 0, -1, -1));
            break;
        case LegendItem::Key::Line: {
            QPen pen(item.colour, 2);
            pen.setStyle(item.style);
            p.setPen(pen);
            p.drawLine(key.left(), key.center().y(), key.right(), key.center().y());
            break;
        }
        }
        p.setPen(ink.text);
        p.drawText(r.adjusted(18, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, item.text);
    }
}

// Striped rows, and each named slave's dot and name left of the plot.
void TaskStreamChart::drawRowNames(QPainter &p, const Layout &layout, const Ink &ink) const
{
    const QFontMetrics metrics(font());
    const QRect &area = layout.area;
    for (int r = 0; r < layout.rows; ++r) {
        const int top = layout.rowTop(r);
        const int bottom = layout.rowTop(r + 1);
        if (r % 2 == 1)
            p.fillRect(QRect(area.left(), top, area.width(), bottom - top), ink.stripe);
        if (r % layout.nameEvery != 0 || r >= m_slaves.size())
            continue;
        const QString name = metrics.elidedText(m_slaves[r], Qt::ElideMiddle, kLeft - 30);
        const int nameWidth = metrics.horizontalAdvance(name);
        const int cy = top + int(layout.rowHeight / 2);
        // A dot, not a square: the squares are the phases' colours in the legend.
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(Qt::NoPen);
        p.setBrush(SeriesPalette::slaveColour(m_slaves[r], r));
        p.drawEllipse(QRect(kLeft - 10 - nameWidth - 14, cy - 5, 10, 10));
        p.setBrush(Qt::NoBrush);
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setPen(ink.text);
        p.drawText(QRect(4, cy - metrics.height(), kLeft - 14, 2 * metrics.height()),
                   Qt::AlignRight | Qt::AlignVCenter, name);
    }
}

void TaskStreamChart::drawGrid(QPainter &p, const Layout &layout, const Ink &ink) const
{
    p.setPen(ink.grid);
    for (int i = 1; i * layout.step <= layout.span + 1e-9; ++i) {
        const int x = layout.xOf(i * layout.step);
        p.drawLine(x, layout.area.top(), x, layout.area.bottom());
    }
}

// Two lanes a row, so a slave computing one chunk while the port sends it the next is still
// readable; a phase still going on is lighter with a solid edge, once it is big enough for one.
void TaskStreamChart::drawBars(QPainter &p, const Layout &layout, const Ink &ink) const
{
    for (const consolemodel::StripBar &b : m_bars) {
        if (b.row < 0 || b.row >= layout.rows)
            continue;
        const QRect bar = layout.barRect(b);
        const QColor colour = phaseColour(b.phase);
        if (b.live && bar.width() >= 3 && layout.barHeight >= 3) {
            p.fillRect(bar, SeriesPalette::blend(colour, ink.background, kLiveTint));
            p.setPen(colour);
            p.drawRect(bar.adjusted(0, 0, -1, -1));
        } else {
            p.fillRect(bar, colour);
        }
    }
}

void TaskStreamChart::drawTimeAxis(QPainter &p, const Layout &layout, const Ink &ink) const
{
    const QRect &area = layout.area;
    p.setPen(ink.text);
    p.drawLine(area.bottomLeft(), area.bottomRight());
    for (int i = 0; i * layout.step <= layout.span + 1e-9; ++i) {
        const int tx = layout.xOf(i * layout.step);
        p.drawLine(tx, area.bottom(), tx, area.bottom() + 4);
        p.drawText(QRect(tx - 30, area.bottom() + 6, 60, 14), Qt::AlignHCenter,
                   QString::number(i * layout.step, 'g', 4));
    }
    p.drawText(QRect(area.left(), area.bottom() + 22, area.width(), 16), Qt::AlignHCenter,
               tr("seconds from the job's start"));
}

// A marker at the span's end would fall a pixel past the plot: it is kept on the edge.
void TaskStreamChart::drawMarkers(QPainter &p, const Layout &layout, const Ink &ink) const
{
    for (const Marker &m : m_markers) {
        QPen pen(m.accent ? failedColour() : ink.text, m.style == Qt::SolidLine ? 2 : 1);
        pen.setStyle(m.style);
        p.setPen(pen);
        const int mx = std::min(layout.xOf(m.at), layout.area.right());
        p.drawLine(mx, layout.area.top(), mx, layout.area.bottom());
    }
}

} // namespace starling::ui
