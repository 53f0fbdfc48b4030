#include "taskstreamchart.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace starling::ui {

namespace {

constexpr int kLeft = 110; // slave names
constexpr int kRight = 20;
constexpr int kTop = 48;    // title and legend
constexpr int kBottom = 42; // time axis

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

} // namespace

TaskStreamChart::TaskStreamChart(QWidget *parent) : QWidget(parent)
{
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, Qt::white);
    setPalette(p);
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

void TaskStreamChart::setTimeline(const QString &title, const sched::Timeline &timeline,
                                  const QStringList &slaves)
{
    m_title = title;
    m_timeline = timeline;
    m_slaves = slaves;
    update();
}

void TaskStreamChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QRect area(kLeft, kTop, width() - kLeft - kRight, height() - kTop - kBottom);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 4, width(), 20), Qt::AlignHCenter, m_title);
    p.setFont(font());

    // Legend.
    int x = kLeft;
    for (const auto &[name, colour] : {std::pair{tr("send (master's port)"), sendColour()},
                                       std::pair{tr("compute"), computeColour()},
                                       std::pair{tr("return (master's port)"), returnColour()}}) {
        p.fillRect(x, 28, 14, 10, colour);
        p.drawText(x + 18, 38, name);
        x += 30 + p.fontMetrics().horizontalAdvance(name);
    }

    const int rows = std::max<int>(1, int(m_slaves.size()));
    double end = m_timeline.makespan;
    for (const sched::ChunkRecord &c : m_timeline.chunks)
        end = std::max({end, c.returnEnd, c.computeEnd});
    if (m_timeline.chunks.empty() || !(end > 0)) {
        p.setPen(Qt::gray);
        p.drawText(area, Qt::AlignCenter, tr("no strips yet"));
        return;
    }
    const double scale = area.width() / end;
    const auto xOf = [&](double t) {
        return area.left() + int(std::lround(t * scale));
    };
    const double rowHeight = double(area.height()) / rows;

    // Rows and names.
    for (int r = 0; r < rows; ++r) {
        const int top = area.top() + int(r * rowHeight);
        if (r % 2 == 1)
            p.fillRect(QRect(area.left(), top, area.width(), int(rowHeight)),
                       QColor(0xf4, 0xf4, 0xf4));
        p.setPen(Qt::black);
        const QString name = r < m_slaves.size() ? m_slaves[r] : QString::number(r);
        p.drawText(QRect(4, top, kLeft - 10, int(rowHeight)), Qt::AlignRight | Qt::AlignVCenter,
                   name);
    }

    // Bars: send and return in the top half of a row, compute below, so a slave computing one
    // chunk while the port sends it the next is still readable.
    for (const sched::ChunkRecord &c : m_timeline.chunks) {
        if (c.slave < 0 || c.slave >= rows)
            continue;
        const int top = area.top() + int(c.slave * rowHeight);
        const int half = std::max(2, int(rowHeight * 0.38));
        const auto bar = [&](double from, double to, int y, QColor colour) {
            const int x0 = xOf(from);
            const int w = std::max(1, xOf(to) - x0);
            p.fillRect(QRect(x0, y, w, half), colour);
        };
        bar(c.sendStart, c.sendEnd, top + int(rowHeight * 0.08), sendColour());
        if (c.returnEnd > c.returnStart)
            bar(c.returnStart, c.returnEnd, top + int(rowHeight * 0.08), returnColour());
        bar(c.computeStart, c.computeEnd, top + int(rowHeight * 0.08) + half + 1, computeColour());
    }

    // Time axis and the makespan.
    p.setPen(Qt::black);
    p.drawLine(area.bottomLeft(), area.bottomRight());
    const double step = niceStep(end, 10);
    for (double t = 0; t <= end + 1e-9; t += step) {
        const int tx = xOf(t);
        p.drawLine(tx, area.bottom(), tx, area.bottom() + 4);
        p.drawText(QRect(tx - 30, area.bottom() + 6, 60, 14), Qt::AlignHCenter,
                   QString::number(t, 'g', 3));
    }
    p.drawText(QRect(area.left(), area.bottom() + 22, area.width(), 16), Qt::AlignHCenter,
               tr("seconds from the job's start"));
    QPen dashed(QColor(0xc0, 0x20, 0x20));
    dashed.setStyle(Qt::DashLine);
    p.setPen(dashed);
    const int mx = xOf(m_timeline.makespan);
    p.drawLine(mx, area.top(), mx, area.bottom());
    p.drawText(QRect(mx - 124, area.top() - 14, 120, 14), Qt::AlignRight,
               tr("makespan %1 s").arg(m_timeline.makespan, 0, 'f', 3));
}

} // namespace starling::ui
