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

void TaskStreamChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QColor background = SeriesPalette::chartBackground(palette());
    const QColor text = SeriesPalette::chartText(palette());
    const QColor faint = SeriesPalette::blend(text, background, 0.45);
    const QColor grid = SeriesPalette::blend(text, background, 0.88);
    const QColor stripe = SeriesPalette::blend(text, background, 0.95);
    p.fillRect(rect(), background);
    const QFontMetrics metrics(font());

    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(text);
    p.drawText(QRect(8, 4, width() - 16, 20), Qt::AlignHCenter,
               QFontMetrics(bold).elidedText(m_title, Qt::ElideRight, width() - 16));
    p.setFont(font());

    // Legend: the phases' colours and the marker lines.
    const std::vector<LegendItem> items = legendItems(text);
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
            p.fillRect(key, SeriesPalette::blend(item.colour, background, kLiveTint));
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
        p.setPen(text);
        p.drawText(r.adjusted(18, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, item.text);
    }

    const QRect area = plotArea();
    const int rows = std::max<int>(1, int(m_slaves.size()));
    if (m_bars.empty() && !(m_span > 0)) {
        p.setPen(faint);
        p.drawText(area, Qt::AlignCenter, tr("no strips yet"));
        return;
    }
    const double span = m_span > 0 ? m_span : 1.0;
    const double scale = area.width() / span;
    const auto xOf = [&](double t) {
        return area.left() + int(std::lround(t * scale));
    };
    const double rowHeight = double(area.height()) / rows;

    // Rows and names; with more rows than the names fit, every n-th name.
    const int nameEvery = std::max(1, int(std::ceil(metrics.height() / rowHeight)));
    for (int r = 0; r < rows; ++r) {
        const int top = area.top() + int(r * rowHeight);
        const int bottom = area.top() + int((r + 1) * rowHeight);
        if (r % 2 == 1)
            p.fillRect(QRect(area.left(), top, area.width(), bottom - top), stripe);
        if (r % nameEvery != 0 || r >= m_slaves.size())
            continue;
        const QString name = metrics.elidedText(m_slaves[r], Qt::ElideMiddle, kLeft - 30);
        const int nameWidth = metrics.horizontalAdvance(name);
        const int cy = top + int(rowHeight / 2);
        // A dot, not a square: the squares are the phases' colours in the legend.
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(Qt::NoPen);
        p.setBrush(SeriesPalette::slaveColour(m_slaves[r], r));
        p.drawEllipse(QRect(kLeft - 10 - nameWidth - 14, cy - 5, 10, 10));
        p.setBrush(Qt::NoBrush);
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setPen(text);
        p.drawText(QRect(4, cy - metrics.height(), kLeft - 14, 2 * metrics.height()),
                   Qt::AlignRight | Qt::AlignVCenter, name);
    }

    // Grid behind the bars.
    const double step = niceStep(span, std::max(2, std::min(10, area.width() / 90)));
    p.setPen(grid);
    for (int i = 1; i * step <= span + 1e-9; ++i)
        p.drawLine(xOf(i * step), area.top(), xOf(i * step), area.bottom());

    // Bars: send and return in the top half of a row, compute (or what ended it) below, so a
    // slave computing one chunk while the port sends it the next is still readable.
    const int half = std::max(2, int(rowHeight * 0.38));
    for (const consolemodel::StripBar &b : m_bars) {
        if (b.row < 0 || b.row >= rows)
            continue;
        const int top = area.top() + int(b.row * rowHeight) + int(rowHeight * 0.08);
        const int y = topHalf(b.phase) ? top : top + half + 1;
        const int x0 = xOf(b.from);
        const QRect bar(x0, y, std::max(1, xOf(b.to) - x0), half);
        const QColor colour = phaseColour(b.phase);
        if (b.live && bar.width() >= 3 && half >= 3) {
            p.fillRect(bar, SeriesPalette::blend(colour, background, kLiveTint));
            p.setPen(colour);
            p.drawRect(bar.adjusted(0, 0, -1, -1));
        } else {
            p.fillRect(bar, colour);
        }
    }

    // Time axis and the markers.
    p.setPen(text);
    p.drawLine(area.bottomLeft(), area.bottomRight());
    for (int i = 0; i * step <= span + 1e-9; ++i) {
        const int tx = xOf(i * step);
        p.drawLine(tx, area.bottom(), tx, area.bottom() + 4);
        p.drawText(QRect(tx - 30, area.bottom() + 6, 60, 14), Qt::AlignHCenter,
                   QString::number(i * step, 'g', 4));
    }
    p.drawText(QRect(area.left(), area.bottom() + 22, area.width(), 16), Qt::AlignHCenter,
               tr("seconds from the job's start"));
    for (const Marker &m : m_markers) {
        QPen pen(m.accent ? failedColour() : text, m.style == Qt::SolidLine ? 2 : 1);
        pen.setStyle(m.style);
        p.setPen(pen);
        const int mx = std::min(xOf(m.at), area.right());
        p.drawLine(mx, area.top(), mx, area.bottom());
    }
}

} // namespace starling::ui
