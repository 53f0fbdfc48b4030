#include "nodesparkline.h"

#include "seriespalette.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace starling::ui {

namespace {

constexpr int kTextHeight = 16;

// A round number at or above `value` (1, 2, 2.5, 5 times a power of ten).
double roundUp(double value)
{
    if (!(value > 0) || !std::isfinite(value))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (value <= m * magnitude * (1 + 1e-9))
            return m * magnitude;
    }
    return 10 * magnitude;
}

double largest(const QList<QPointF> &points)
{
    double top = 0;
    for (const QPointF &p : points) {
        if (std::isfinite(p.y()))
            top = std::max(top, p.y());
    }
    return top;
}

} // namespace

NodeSparkline::NodeSparkline(const QString &title, Formatter format, QWidget *parent)
    : QWidget(parent), m_title(title), m_format(std::move(format)),
      m_colour(SeriesPalette::colour(0))
{
    setMinimumHeight(minimumSizeHint().height());
}

void NodeSparkline::setSeries(const QList<QPointF> &first, const QList<QPointF> &second,
                              qint64 fromMs, qint64 toMs, const QStringList &names)
{
    m_first = first;
    m_second = second;
    m_names = names;
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1);
    m_top = roundUp(std::max(largest(first), largest(second)) * 1.05);
    update();
}

void NodeSparkline::setColour(const QColor &colour)
{
    m_colour = colour;
    update();
}

QString NodeSparkline::latestText() const
{
    if (m_first.isEmpty())
        return QStringLiteral("-");
    if (m_second.isEmpty())
        return m_format(m_first.last().y());
    const QString a = m_names.value(0), b = m_names.value(1);
    return QStringLiteral("%1 %2 · %3 %4")
        .arg(a, m_format(m_first.last().y()), b, m_format(m_second.last().y()));
}

QPolygonF NodeSparkline::polyline(const QList<QPointF> &points, const QRectF &plot) const
{
    QPolygonF line;
    line.reserve(points.size());
    const double span = double(m_toMs - m_fromMs);
    for (const QPointF &p : points) {
        if (!std::isfinite(p.y()))
            continue;
        const double x = plot.left() + (p.x() - double(m_fromMs)) / span * plot.width();
        const double y = plot.bottom() - std::clamp(p.y() / m_top, 0.0, 1.0) * plot.height();
        line << QPointF(std::clamp(x, plot.left(), plot.right()), y);
    }
    return line;
}

void NodeSparkline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QColor background = SeriesPalette::chartBackground(palette());
    const QColor text = SeriesPalette::chartText(palette());
    const QColor faint = SeriesPalette::blend(text, background, 0.45);
    p.fillRect(rect(), background);
    QFont small = font();
    small.setPixelSize(11);
    p.setFont(small);
    const QRect head(4, 0, width() - 8, kTextHeight);
    p.setPen(text);
    p.drawText(head, Qt::AlignLeft | Qt::AlignVCenter, m_title);
    p.drawText(head, Qt::AlignRight | Qt::AlignVCenter, latestText());

    const QRectF plot(4.5, kTextHeight + 2.5, width() - 9.0, height() - kTextHeight - 6.0);
    p.setPen(SeriesPalette::blend(text, background, 0.8));
    p.drawRect(plot);
    p.setPen(faint);
    p.drawText(plot.adjusted(3, 1, -3, -1), Qt::AlignRight | Qt::AlignTop, m_format(m_top));
    const qint64 span = m_toMs - m_fromMs;
    p.drawText(plot.adjusted(3, 1, -3, -1), Qt::AlignLeft | Qt::AlignBottom,
               span >= 120'000 ? tr("last %1 min").arg(span / 60'000)
                               : tr("last %1 s").arg(span / 1000));
    if (m_first.isEmpty()) {
        p.drawText(plot, Qt::AlignCenter, tr("no samples"));
        return;
    }
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(m_colour, 1.6));
    p.drawPolyline(polyline(m_first, plot));
    if (!m_second.isEmpty()) {
        p.setPen(QPen(faint, 1.4, Qt::DashLine));
        p.drawPolyline(polyline(m_second, plot));
    }
}

} // namespace starling::ui
