#include "blockmapwidget.h"

#include "seriespalette.h"
#include "util/valueformat.h"

#include <QHelpEvent>
#include <QImage>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace starling::ui {

namespace {

constexpr int kMargin = 8;
constexpr int kProgressTop = 46;
constexpr int kProgressHeight = 10;
constexpr int kLegendTop = 66;
constexpr int kLegendLine = 18;
constexpr int kMaxSide = 40; // a small file's cells stay cells, not tiles
constexpr int kMinSide = 2;  // below this, blocks share cells
constexpr int kGapFrom = 5;  // cells this big get a one-pixel gap between them

// How far a planned cell's colour goes towards the background: a dark one takes less of it.
double tintOf(const QColor &background)
{
    return background.lightness() < 128 ? 0.6 : 0.72;
}

// Which slave most of a run of blocks name. One counter serves every cell: after each run it
// clears only the slaves that run named, so coding 100k cells stays linear in the blocks.
class MajorityCount
{
public:
    explicit MajorityCount(size_t slaves) : m_counts(slaves, 0) {}

    // The index that most of `of`'s blocks [first, last) name (the first named wins a tie),
    // or -1 when none names one.
    int operator()(const std::vector<int> &of, int first, int last)
    {
        m_touched.clear();
        for (int b = first; b < last; ++b) {
            const int s = of[size_t(b)];
            if (s < 0)
                continue;
            if (m_counts[size_t(s)]++ == 0)
                m_touched.push_back(s);
        }
        int best = -1;
        for (int s : m_touched) {
            if (best < 0 || m_counts[size_t(s)] > m_counts[size_t(best)])
                best = s;
        }
        for (int s : m_touched)
            m_counts[size_t(s)] = 0;
        return best;
    }

private:
    std::vector<int> m_counts;
    std::vector<int> m_touched;
};

} // namespace

BlockMapWidget::BlockMapWidget(QWidget *parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void BlockMapWidget::setTransfer(const consolemodel::LiveTransfer *transfer)
{
    m_slaves.clear();
    m_plannedOwner.clear();
    m_servedBy.clear();
    m_blocks = 0;
    m_served = 0;
    if (transfer && !transfer->servedBy.empty() &&
        transfer->plannedOwner.size() == transfer->servedBy.size()) {
        m_path = transfer->path.isEmpty() ? transfer->id : transfer->path;
        m_strategy = transfer->strategy;
        m_size = transfer->size;
        m_pieceSize = transfer->pieceSize;
        m_blocks = int(transfer->servedBy.size());
        m_plannedOwner = transfer->plannedOwner;
        m_servedBy = transfer->servedBy;
        for (qsizetype i = 0; i < transfer->slaves.size(); ++i)
            m_slaves.push_back(
                {transfer->slaves[i], SeriesPalette::slaveColour(transfer->slaves[i], int(i))});
        const int known = int(m_slaves.size());
        for (int b = 0; b < m_blocks; ++b) {
            // An index out of the names' range is drawn as nobody's.
            int &planned = m_plannedOwner[size_t(b)];
            int &served = m_servedBy[size_t(b)];
            planned = planned >= 0 && planned < known ? planned : -1;
            served = served >= 0 && served < known ? served : -1;
            if (planned >= 0)
                ++m_slaves[size_t(planned)].planned;
            if (served >= 0) {
                ++m_slaves[size_t(served)].served;
                ++m_served;
            }
        }
    }
    layoutCells();
    update();
}

QString BlockMapWidget::legendText(const SlaveCount &slave) const
{
    return QStringLiteral("%1  %2/%3").arg(slave.name).arg(slave.served).arg(slave.planned);
}

std::vector<QRect> BlockMapWidget::legendRects(const QFontMetrics &metrics) const
{
    // The caption first, then one item per slave, then the aggregation note if any.
    std::vector<int> widths{metrics.horizontalAdvance(tr("served/planned blocks:"))};
    for (const SlaveCount &s : m_slaves)
        widths.push_back(32 + metrics.horizontalAdvance(legendText(s)));
    if (m_perCell > 1)
        widths.push_back(metrics.horizontalAdvance(tr("one cell = %1 blocks").arg(m_perCell)));
    std::vector<QRect> rects;
    int x = kMargin;
    int y = kLegendTop;
    for (int w : widths) {
        if (x > kMargin && x + w > width() - kMargin) {
            x = kMargin;
            y += kLegendLine;
        }
        rects.emplace_back(x, y, w, kLegendLine - 2);
        x += w + 16;
    }
    return rects;
}

QRect BlockMapWidget::gridArea() const
{
    int top = kLegendTop;
    if (m_blocks > 0) {
        const std::vector<QRect> legend = legendRects(QFontMetrics(font()));
        top = legend.back().bottom() + 10;
    }
    return QRect(kMargin, top, std::max(1, width() - 2 * kMargin),
                 std::max(1, height() - top - kMargin));
}

void BlockMapWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    layoutCells();
}

BlockMapWidget::CellGrid BlockMapWidget::fitCells(const QSize &area, int blocks)
{
    CellGrid g;
    if (blocks <= 0)
        return g;
    const qint64 fit =
        std::max<qint64>(1, qint64(area.width() / kMinSide) * (area.height() / kMinSide));
    const qint64 all = blocks;
    g.perCell =
        int(std::max<qint64>({1, (all + kMaxCells - 1) / kMaxCells, (all + fit - 1) / fit}));
    g.cells = int((all + g.perCell - 1) / g.perCell);
    // The biggest side at which every cell still fits.
    g.side = 1;
    for (int side = kMaxSide; side >= 1; --side) {
        if (qint64(area.width() / side) * (area.height() / side) >= g.cells) {
            g.side = side;
            break;
        }
    }
    g.columns = std::max(1, area.width() / g.side);
    return g;
}

void BlockMapWidget::layoutCells()
{
    m_laidOutFor = size();
    m_cellCode.clear();
    m_cells = 0;
    if (m_blocks == 0) {
        m_perCell = 1;
        return;
    }
    // The aggregation changes the legend's note, which can move the grid: settle it in two
    // passes (the second one's note can only be the same or shorter by a digit).
    for (int pass = 0; pass < 2; ++pass) {
        const CellGrid g = fitCells(gridArea().size(), m_blocks);
        m_perCell = g.perCell;
        m_cells = g.cells;
        m_side = g.side;
        m_columns = g.columns;
    }
    codeCells();
}

void BlockMapWidget::codeCells()
{
    m_cellCode.assign(size_t(m_cells), kUnplanned);
    MajorityCount majority(m_slaves.size());
    for (int c = 0; c < m_cells; ++c) {
        const int first = c * m_perCell;
        const int last = std::min(m_blocks, first + m_perCell);
        if (m_perCell == 1) {
            const int served = m_servedBy[size_t(first)];
            const int planned = m_plannedOwner[size_t(first)];
            m_cellCode[size_t(c)] = served >= 0 ? served : planned >= 0 ? -2 - planned : kUnplanned;
            continue;
        }
        // A cell counts as served once all its blocks are.
        const bool allServed = std::all_of(m_servedBy.begin() + first, m_servedBy.begin() + last,
                                           [](int s) { return s >= 0; });
        if (allServed) {
            m_cellCode[size_t(c)] = majority(m_servedBy, first, last);
        } else {
            const int planned = majority(m_plannedOwner, first, last);
            m_cellCode[size_t(c)] = planned >= 0 ? -2 - planned : kUnplanned;
        }
    }
}

QColor BlockMapWidget::codeColour(int code, const QColor &background, const QColor &text) const
{
    if (code >= 0 && code < int(m_slaves.size()))
        return m_slaves[size_t(code)].colour;
    const int planned = -2 - code;
    if (planned >= 0 && planned < int(m_slaves.size()))
        return SeriesPalette::blend(m_slaves[size_t(planned)].colour, background,
                                    tintOf(background));
    return SeriesPalette::blend(text, background, 0.88);
}

QColor BlockMapWidget::blockColour(int block) const
{
    if (block < 0 || block >= m_blocks || m_cellCode.empty())
        return {};
    return codeColour(m_cellCode[size_t(block / m_perCell)],
                      SeriesPalette::chartBackground(palette()),
                      SeriesPalette::chartText(palette()));
}

int BlockMapWidget::cellAt(QPoint pos) const
{
    const QRect grid = gridArea();
    if (m_cells == 0 || !grid.contains(pos))
        return -1;
    const int column = (pos.x() - grid.left()) / m_side;
    const int cell = (pos.y() - grid.top()) / m_side * m_columns + column;
    return column < m_columns && cell < m_cells ? cell : -1;
}

QString BlockMapWidget::cellText(int cell) const
{
    if (cell < 0 || cell >= m_cells)
        return {};
    const int first = cell * m_perCell;
    const int last = std::min(m_blocks, first + m_perCell) - 1;
    const auto names = [&](const std::vector<int> &of) {
        QStringList out;
        for (int b = first; b <= last; ++b) {
            const int s = of[size_t(b)];
            if (s >= 0 && !out.contains(m_slaves[size_t(s)].name))
                out << m_slaves[size_t(s)].name;
        }
        return out.join(QStringLiteral(", "));
    };
    const int served = int(std::count_if(m_servedBy.begin() + first, m_servedBy.begin() + last + 1,
                                         [](int s) { return s >= 0; }));
    const QString blocks =
        first == last ? tr("block %1").arg(first) : tr("blocks %1 to %2").arg(first).arg(last);
    const QString planned = names(m_plannedOwner);
    QString text = blocks + QLatin1Char('\n') +
                   (planned.isEmpty() ? tr("not in the plan") : tr("planned for %1").arg(planned));
    text += QLatin1Char('\n');
    if (served == 0)
        text += tr("not served yet");
    else if (first == last)
        text += tr("served by %1").arg(names(m_servedBy));
    else
        text +=
            tr("%1 of %2 served, by %3").arg(served).arg(last - first + 1).arg(names(m_servedBy));
    return text;
}

bool BlockMapWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = cellText(cellAt(help->pos()));
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

struct BlockMapWidget::Ink
{
    QColor background;
    QColor text;
    QColor faint;
    QColor grid;
    QFont bold;
};

BlockMapWidget::Layout BlockMapWidget::layout() const
{
    Layout l;
    l.inner = width() - 2 * kMargin;
    l.progressBar = QRect(kMargin, kProgressTop, l.inner, kProgressHeight);
    l.legend = legendRects(QFontMetrics(font()));
    l.grid = gridArea();
    return l;
}

void BlockMapWidget::paintEvent(QPaintEvent *)
{
    if (m_laidOutFor != size())
        layoutCells();
    QPainter p(this);
    const QColor background = SeriesPalette::chartBackground(palette());
    const QColor text = SeriesPalette::chartText(palette());
    Ink ink{background, text, SeriesPalette::blend(text, background, 0.45),
            SeriesPalette::blend(text, background, 0.85), font()};
    ink.bold.setBold(true);
    p.fillRect(rect(), background);
    if (m_blocks == 0) {
        drawNoTransfer(p, ink);
        return;
    }
    const Layout l = layout();
    drawHeader(p, l, ink);
    drawProgressBar(p, l, ink);
    drawLegend(p, l, ink);
    drawCells(p, l, ink);
}

void BlockMapWidget::drawNoTransfer(QPainter &p, const Ink &ink) const
{
    p.setPen(ink.text);
    p.setFont(ink.bold);
    p.drawText(QRect(kMargin, 4, width() - 2 * kMargin, 20), Qt::AlignLeft | Qt::AlignVCenter,
               tr("block map"));
    p.setFont(font());
    p.setPen(ink.faint);
    p.drawText(rect(), Qt::AlignCenter,
               tr("no transfer yet: a download with starling get shows its blocks here"));
}

// The file and the progress on the first line, its size and plan on the second.
void BlockMapWidget::drawHeader(QPainter &p, const Layout &layout, const Ink &ink) const
{
    const QString progress = m_served == m_blocks
                                 ? tr("all %1 blocks served").arg(m_blocks)
                                 : tr("%1/%2 blocks served (%3%)")
                                       .arg(m_served)
                                       .arg(m_blocks)
                                       .arg(std::floor(100.0 * m_served / m_blocks), 0, 'f', 0);
    const int inner = layout.inner;
    const QFontMetrics boldMetrics(ink.bold);
    const int progressWidth = boldMetrics.horizontalAdvance(progress);
    p.setPen(ink.text);
    p.setFont(ink.bold);
    p.drawText(QRect(kMargin, 4, inner, 20), Qt::AlignRight | Qt::AlignVCenter, progress);
    p.drawText(QRect(kMargin, 4, inner - progressWidth - 16, 20), Qt::AlignLeft | Qt::AlignVCenter,
               boldMetrics.elidedText(m_path, Qt::ElideMiddle, inner - progressWidth - 16));
    p.setFont(font());
    QStringList facts{util::formatBytes(double(m_size))};
    const QString blocks = m_blocks == 1 ? tr("1 block") : tr("%1 blocks").arg(m_blocks);
    facts << (m_pieceSize > 0 ? tr("%1 of %2").arg(blocks, util::formatBytes(double(m_pieceSize)))
                              : blocks);
    if (!m_strategy.isEmpty())
        facts << tr("strategy %1").arg(m_strategy);
    p.setPen(ink.faint);
    p.drawText(QRect(kMargin, 24, inner, 18), Qt::AlignLeft | Qt::AlignVCenter,
               QFontMetrics(font()).elidedText(facts.join(QStringLiteral(" \u00b7 ")),
                                               Qt::ElideRight, inner));
}

// Split by who served what, in the slaves' order.
void BlockMapWidget::drawProgressBar(QPainter &p, const Layout &layout, const Ink &ink) const
{
    const QRect &bar = layout.progressBar;
    p.fillRect(bar, SeriesPalette::blend(ink.text, ink.background, 0.92));
    double servedSoFar = 0;
    for (const SlaveCount &s : m_slaves) {
        const int x0 = bar.left() + int(std::lround(servedSoFar / m_blocks * bar.width()));
        servedSoFar += s.served;
        const int x1 = bar.left() + int(std::lround(servedSoFar / m_blocks * bar.width()));
        if (x1 > x0)
            p.fillRect(QRect(x0, bar.top(), x1 - x0, bar.height()), s.colour);
    }
    p.setPen(ink.grid);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
}

// Each slave's served colour and planned tint with its counts.
void BlockMapWidget::drawLegend(QPainter &p, const Layout &layout, const Ink &ink) const
{
    const std::vector<QRect> &legend = layout.legend;
    p.setPen(ink.faint);
    p.drawText(legend[0], Qt::AlignLeft | Qt::AlignVCenter, tr("served/planned blocks:"));
    for (size_t i = 0; i < m_slaves.size(); ++i) {
        const SlaveCount &s = m_slaves[i];
        const QRect r = legend[i + 1];
        const int cy = r.center().y();
        p.fillRect(QRect(r.left(), cy - 5, 11, 11), s.colour);
        p.fillRect(QRect(r.left() + 13, cy - 5, 11, 11),
                   SeriesPalette::blend(s.colour, ink.background, tintOf(ink.background)));
        p.setPen(ink.text);
        p.drawText(r.adjusted(32, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, legendText(s));
    }
    if (m_perCell > 1) {
        p.setPen(ink.faint);
        p.drawText(legend.back(), Qt::AlignLeft | Qt::AlignVCenter,
                   tr("one cell = %1 blocks").arg(m_perCell));
    }
}

// Big cells one by one with a gap; small ones (up to kMaxCells) as an image of one pixel per
// cell, scaled without smoothing: one draw call whatever the count.
void BlockMapWidget::drawCells(QPainter &p, const Layout &layout, const Ink &ink) const
{
    // Codes run from -1 - n (planned for the last slave) to n - 1 (served by it).
    const int n = int(m_slaves.size());
    std::vector<QColor> colours(size_t(2 * n + 1));
    for (int code = -1 - n; code < n; ++code)
        colours[size_t(code + 1 + n)] = codeColour(code, ink.background, ink.text);
    const auto colourOf = [&](int code) -> const QColor & {
        return colours[size_t(code + 1 + n)];
    };
    const QRect &area = layout.grid;
    if (m_side >= kGapFrom) {
        for (int c = 0; c < m_cells; ++c) {
            const int x = area.left() + (c % m_columns) * m_side;
            const int y = area.top() + (c / m_columns) * m_side;
            p.fillRect(QRect(x, y, m_side - 1, m_side - 1), colourOf(m_cellCode[size_t(c)]));
        }
        return;
    }
    const int rows = (m_cells + m_columns - 1) / m_columns;
    QImage image(m_columns, rows, QImage::Format_RGB32);
    image.fill(ink.background);
    for (int c = 0; c < m_cells; ++c) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(c / m_columns));
        line[c % m_columns] = colourOf(m_cellCode[size_t(c)]).rgb();
    }
    p.drawImage(QRect(area.left(), area.top(), m_columns * m_side, rows * m_side), image);
}

} // namespace starling::ui
