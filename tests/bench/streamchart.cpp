#include "streamchart.h"

#include <QPainter>

#include <algorithm>

namespace starling::bench {

namespace {

constexpr int kPanelWidth = 420;
constexpr int kHeight = 420;
constexpr int kTitleHeight = 40;

QColor colourOf(size_t index)
{
    static const QColor palette[] = {QColor(0x9e, 0x9e, 0x9e), QColor(0x1f, 0x77, 0xb4),
                                     QColor(0xd6, 0xd6, 0xd6), QColor(0x8f, 0xbf, 0xe0)};
    return palette[index % 4];
}

} // namespace

QImage StreamChart::render() const
{
    const int width = std::max<int>(1, int(m_panels.size())) * kPanelWidth;
    QImage image(width, kHeight, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setPointSize(11);
    font.setBold(true);
    painter.setFont(font);
    painter.drawText(QRectF(0, 0, width, kTitleHeight), Qt::AlignCenter, m_title);
    font.setBold(false);
    font.setPointSize(8);
    painter.setFont(font);
    for (size_t i = 0; i < m_panels.size(); ++i)
        drawPanel(
            painter, m_panels[i],
            QRectF(double(i) * kPanelWidth, kTitleHeight, kPanelWidth, kHeight - kTitleHeight));
    return image;
}

void StreamChart::drawPanel(QPainter &painter, const Panel &panel, const QRectF &area) const
{
    painter.drawText(QRectF(area.left(), area.top(), area.width(), 20), Qt::AlignCenter,
                     panel.title);
    double top = 0;
    size_t modes = 0;
    for (const Group &g : panel.groups) {
        modes = std::max(modes, g.bars.size());
        for (const Bar &b : g.bars)
            top = std::max(top, b.value);
    }
    if (top <= 0 || modes == 0)
        return;
    const QRectF plot(area.left() + 20, area.top() + 30, area.width() - 40, area.height() - 110);
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    const double groupWidth = plot.width() / double(std::max<size_t>(1, panel.groups.size()));
    const double barWidth = groupWidth * 0.8 / double(modes);
    for (size_t g = 0; g < panel.groups.size(); ++g) {
        const Group &group = panel.groups[g];
        const double x0 = plot.left() + double(g) * groupWidth + groupWidth * 0.1;
        for (size_t b = 0; b < group.bars.size(); ++b) {
            const double h = plot.height() * group.bars[b].value / (top * 1.1);
            const QRectF bar(x0 + double(b) * barWidth, plot.bottom() - h, barWidth * 0.9, h);
            painter.fillRect(bar, colourOf(b));
            painter.drawText(QRectF(bar.left() - 10, bar.top() - 14, bar.width() + 20, 12),
                             Qt::AlignCenter, QString::number(group.bars[b].value, 'g', 3));
        }
        painter.drawText(QRectF(x0, plot.bottom() + 2, groupWidth * 0.8, 14), Qt::AlignCenter,
                         group.label);
    }
    // Legend: the modes of the first group.
    const std::vector<Bar> &legend = panel.groups.front().bars;
    for (size_t b = 0; b < legend.size(); ++b) {
        const double y = plot.bottom() + 22 + double(b) * 14;
        painter.fillRect(QRectF(plot.left(), y + 2, 10, 10), colourOf(b));
        painter.drawText(QRectF(plot.left() + 14, y, plot.width() - 14, 14),
                         Qt::AlignLeft | Qt::AlignVCenter, legend[b].mode);
    }
}

} // namespace starling::bench
