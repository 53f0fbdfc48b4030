#include "loadrankboard.h"

#include "seriespalette.h"

#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>

#include <algorithm>
#include <cmath>

namespace starling::ui {

namespace {

constexpr int kMargin = 8;
constexpr int kHeader = 62; // title, column names, scale labels
constexpr int kRowHeight = 24;
constexpr int kNameWidth = 84;
constexpr int kRankWidth = 88;
constexpr int kShareBarWidth = 96;
constexpr int kShareWidth = kShareBarWidth + 96; // bars and their percentages
constexpr int kValueWidth = 60;                  // the load's number after its bar

// A round step giving about `ticks` ticks over `span`.
double niceStep(double span, int ticks)
{
    const double raw = span / std::max(1, ticks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (raw <= m * magnitude)
            return m * magnitude;
    }
    return 10 * magnitude;
}

double finiteOr(double v, double fallback)
{
    return std::isfinite(v) ? v : fallback;
}

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

QString spanText(qint64 ms)
{
    if (ms >= 3'600'000 && ms % 3'600'000 == 0)
        return LoadRankBoard::tr("%1 h").arg(ms / 3'600'000);
    if (ms >= 60'000)
        return LoadRankBoard::tr("%1 min").arg(double(ms) / 60'000, 0, 'g', 3);
    return LoadRankBoard::tr("%1 s").arg(double(ms) / 1000, 0, 'g', 3);
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', share < 0.1 && share > 0 ? 1 : 0);
}

} // namespace

LoadRankBoard::LoadRankBoard(QWidget *parent) : QWidget(parent)
{
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Window);
}

QSize LoadRankBoard::sizeHint() const
{
    return {900, layoutFor(900, int(m_rows.size()), m_loadScale, m_shareScale).height};
}

QSize LoadRankBoard::minimumSizeHint() const
{
    return {520, layoutFor(520, int(m_rows.size()), m_loadScale, m_shareScale).height};
}

QScrollArea *LoadRankBoard::inScrollArea()
{
    auto *scroller = new QScrollArea(parentWidget());
    scroller->setObjectName(QStringLiteral("loadRankScroller"));
    scroller->setFrameShape(QFrame::NoFrame);
    scroller->setWidgetResizable(true);
    scroller->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroller->setWidget(this);
    // The board's least width beside its scroll bar: the scroll area keeps the board that wide
    // even when its viewport is narrower, so without the bar's width its right edge (the
    // "weight / done" column and the key) would be cut off under the bar.
    scroller->setMinimumWidth(minimumSizeHint().width() +
                              scroller->verticalScrollBar()->sizeHint().width());
    return scroller;
}

void LoadRankBoard::update(const cluster::ClusterSnapshot &snapshot,
                           const consolemodel::NodeHistory &history, qint64 windowMs)
{
    m_windowMs = std::max<qint64>(0, windowMs);
    const qint64 now = snapshot.timeMs > 0 ? snapshot.timeMs : history.lastMs();
    std::vector<Row> ranked;
    std::vector<Row> unranked;
    double activeWeight = 0;
    for (const cluster::NodeView &n : snapshot.nodes) {
        if (n.role != cluster::NodeRole::Slave)
            continue;
        Row row;
        row.rank = n.rank;
        row.name = n.name.isEmpty() ? QStringLiteral("slave-%1").arg(n.rank) : n.name;
        row.state = n.state;
        row.load = std::max(0.0, finiteOr(n.load, 0));
        row.weight = std::max(0.0, finiteOr(n.weight, 0));
        row.achievedShare = history.achievedShare(n.rank, now - m_windowMs);
        // The monitor ranks ACTIVE slaves only; a rank on anything else is stale.
        const bool active = n.state == cluster::NodeState::Active;
        row.loadRank = active ? std::max(-1, n.loadRank) : -1;
        if (active)
            activeWeight += row.weight;
        (row.loadRank >= 0 ? ranked : unranked).push_back(row);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const Row &a, const Row &b) {
        return a.loadRank != b.loadRank ? a.loadRank < b.loadRank : a.rank < b.rank;
    });
    std::stable_sort(unranked.begin(), unranked.end(),
                     [](const Row &a, const Row &b) { return a.rank < b.rank; });
    m_rows = std::move(ranked);
    m_rows.insert(m_rows.end(), unranked.begin(), unranked.end());

    double highestLoad = 0;
    double highestShare = 0;
    for (Row &row : m_rows) {
        if (row.state == cluster::NodeState::Active && activeWeight > 0)
            row.weightShare = row.weight / activeWeight;
        highestLoad = std::max(highestLoad, row.load);
        highestShare = std::max({highestShare, row.weightShare, row.achievedShare});
    }
    m_loadScale = highestLoad > 0 ? std::ceil(highestLoad / niceStep(highestLoad, 4) - 1e-9) *
                                        niceStep(highestLoad, 4)
                                  : 1.0;
    m_shareScale = 1.0;
    for (double top : {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0}) {
        if (highestShare <= top) {
            m_shareScale = top;
            break;
        }
    }
    // A scroll area around the board resizes it (and shows its scroll bar) when the board's
    // minimum size changes, not when only its hint does.
    setMinimumHeight(minimumSizeHint().height());
    updateGeometry();
    QWidget::update();
}

struct LoadRankBoard::Ink
{
    QColor text;
    QColor faint;
    QColor grid;
    QColor stripe;
    QFont normal;
    QFont bold;
};

int LoadRankBoard::Layout::rowTop(int row) const
{
    return kHeader + row * kRowHeight;
}

int LoadRankBoard::Layout::loadLength(double load) const
{
    return int(std::lround(std::min(load, loadScale) / loadScale * loadWidth));
}

int LoadRankBoard::Layout::shareLength(double share) const
{
    return int(std::lround(std::clamp(share / shareScale, 0.0, 1.0) * kShareBarWidth));
}

LoadRankBoard::Layout LoadRankBoard::layoutFor(int width, int rowCount, double loadScale,
                                               double shareScale)
{
    Layout l;
    l.rankX = kMargin + kNameWidth + 6;
    l.loadX = l.rankX + kRankWidth + 8;
    l.shareX = width - kMargin - kShareWidth;
    l.loadWidth = std::max(40, l.shareX - 16 - l.loadX - kValueWidth);
    // Lines reach at least one row down, so an empty board still shows its scales.
    l.gridBottom = std::max(kHeader + rowCount * kRowHeight, kHeader + kRowHeight);
    l.height = kHeader + std::max(2, rowCount) * kRowHeight + kMargin;
    l.loadScale = loadScale;
    l.shareScale = shareScale;
    // As many scale labels as fit without touching (about 50 px each).
    l.loadStep = niceStep(loadScale, std::clamp(l.loadWidth / 50, 1, 4));
    return l;
}

void LoadRankBoard::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor background = palette().color(QPalette::Window);
    Ink ink{text,
            blend(text, background, 0.45),
            blend(text, background, 0.85),
            blend(text, background, 0.95),
            font(),
            font()};
    ink.bold.setBold(true);
    const Layout layout = layoutFor(width(), int(m_rows.size()), m_loadScale, m_shareScale);

    drawTitleAndKey(p, ink);
    drawColumnNames(p, layout, ink);
    drawScales(p, layout, ink);
    if (m_rows.empty()) {
        p.setPen(ink.faint);
        p.drawText(QRect(0, kHeader, width(), kRowHeight * 2), Qt::AlignCenter,
                   tr("no slaves yet"));
        return;
    }
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const int y = layout.rowTop(int(i));
        if (i % 2 == 1)
            p.fillRect(QRect(0, y, width(), kRowHeight), ink.stripe);
        drawRowLabels(p, layout, m_rows[i], y, ink);
        drawLoadBar(p, layout, m_rows[i], y, ink);
        drawShareBars(p, layout, m_rows[i], y, ink);
    }
}

void LoadRankBoard::drawTitleAndKey(QPainter &p, const Ink &ink) const
{
    p.setPen(ink.text);
    p.setFont(ink.bold);
    p.drawText(QRect(kMargin, 2, width() / 2, 20), Qt::AlignLeft | Qt::AlignVCenter,
               tr("load rank"));
    p.setFont(ink.normal);
    // The share bars' key, from the right: the achieved (filled) bar's last.
    const QFontMetrics metrics(ink.normal);
    const QString doneKey = tr("done, last %1").arg(spanText(m_windowMs));
    const QString weightKey = tr("weight share");
    int keyX = width() - kMargin - metrics.horizontalAdvance(doneKey);
    p.fillRect(QRect(keyX - 16, 8, 12, 8), ink.text);
    p.drawText(QRect(keyX, 2, width(), 20), Qt::AlignLeft | Qt::AlignVCenter, doneKey);
    keyX -= 30 + metrics.horizontalAdvance(weightKey);
    p.drawRect(QRect(keyX - 16, 8, 11, 7));
    p.drawText(QRect(keyX, 2, width(), 20), Qt::AlignLeft | Qt::AlignVCenter, weightKey);
}

void LoadRankBoard::drawColumnNames(QPainter &p, const Layout &layout, const Ink &ink) const
{
    p.setPen(ink.faint);
    p.drawText(QRect(kMargin, 24, kNameWidth, 18), Qt::AlignLeft | Qt::AlignVCenter, tr("slave"));
    p.drawText(QRect(layout.rankX, 24, kRankWidth, 18), Qt::AlignLeft | Qt::AlignVCenter,
               tr("rank / state"));
    p.drawText(QRect(layout.loadX, 24, layout.loadWidth + kValueWidth, 18),
               Qt::AlignLeft | Qt::AlignVCenter,
               layout.loadWidth > 200 ? tr("load (s of work per unit weight)")
                                      : tr("load (s / W)"));
    p.drawText(QRect(layout.shareX, 24, kShareBarWidth, 18), Qt::AlignLeft | Qt::AlignVCenter,
               tr("share of work"));
    p.drawText(QRect(layout.shareX + kShareBarWidth + 6, 24, kShareWidth - kShareBarWidth - 6, 18),
               Qt::AlignLeft | Qt::AlignVCenter, tr("weight / done"));
}

void LoadRankBoard::drawScales(QPainter &p, const Layout &layout, const Ink &ink) const
{
    constexpr int scaleY = 42;
    for (double t = 0; t <= layout.loadScale + 1e-9; t += layout.loadStep) {
        const int x = layout.loadX + layout.loadLength(t);
        p.setPen(ink.grid);
        p.drawLine(x, kHeader - 2, x, layout.gridBottom);
        p.setPen(ink.faint);
        p.drawText(QRect(x - 30, scaleY, 60, 16), Qt::AlignHCenter | Qt::AlignVCenter,
                   QString::number(t, 'g', 3));
    }
    const int shareEnd = layout.shareX + kShareBarWidth;
    p.setPen(ink.grid);
    p.drawLine(shareEnd, kHeader - 2, shareEnd, layout.gridBottom);
    p.setPen(ink.faint);
    p.drawText(QRect(layout.shareX, scaleY, 30, 16), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("0"));
    p.drawText(QRect(shareEnd - 30, scaleY, 60, 16), Qt::AlignHCenter, percent(layout.shareScale));
}

// The slave's colour, name and standing: bold for the lightest, faint when not ranked.
void LoadRankBoard::drawRowLabels(QPainter &p, const Layout &layout, const Row &row, int y,
                                  const Ink &ink) const
{
    const bool ranked = row.loadRank >= 0;
    p.fillRect(QRect(kMargin, y + 7, 10, 10), SeriesPalette::colour(row.rank - 2));
    p.setPen(ranked ? ink.text : ink.faint);
    p.setFont(ranked && row.loadRank == 0 ? ink.bold : ink.normal);
    p.drawText(QRect(kMargin + 16, y, kNameWidth - 16, kRowHeight),
               Qt::AlignLeft | Qt::AlignVCenter,
               QFontMetrics(ink.normal).elidedText(row.name, Qt::ElideMiddle, kNameWidth - 16));
    const QString rankText =
        !ranked ? cluster::toString(row.state)
                : (row.loadRank == 0 ? tr("#0 lightest") : QStringLiteral("#%1").arg(row.loadRank));
    p.drawText(QRect(layout.rankX, y, kRankWidth, kRowHeight), Qt::AlignLeft | Qt::AlignVCenter,
               rankText);
    p.setFont(ink.normal);
}

// A bar on the shared scale and its number; an unranked slave's is faded.
void LoadRankBoard::drawLoadBar(QPainter &p, const Layout &layout, const Row &row, int y,
                                const Ink &ink) const
{
    const bool ranked = row.loadRank >= 0;
    QColor colour = SeriesPalette::colour(row.rank - 2);
    if (!ranked)
        colour.setAlphaF(0.4f);
    const int length = layout.loadLength(row.load);
    p.fillRect(QRect(layout.loadX, y + 6, std::max(length, row.load > 0 ? 1 : 0), kRowHeight - 12),
               colour);
    p.setPen(ranked ? ink.text : ink.faint);
    const QString loadText = row.load > layout.loadScale
                                 ? QStringLiteral("> %1 s").arg(layout.loadScale, 0, 'g', 3)
                                 : QStringLiteral("%1 s").arg(row.load, 0, 'g', 3);
    p.drawText(QRect(layout.loadX + length + 6, y, kValueWidth, kRowHeight),
               Qt::AlignLeft | Qt::AlignVCenter, loadText);
}

// Configured share (outlined) above, achieved (filled) below, on one scale, and both numbers.
void LoadRankBoard::drawShareBars(QPainter &p, const Layout &layout, const Row &row, int y,
                                  const Ink &ink) const
{
    const QColor outline = SeriesPalette::colour(row.rank - 2);
    QColor tint = outline;
    tint.setAlphaF(0.3f);
    const int weightLength = layout.shareLength(row.weightShare);
    if (weightLength > 0) {
        p.fillRect(QRect(layout.shareX, y + 4, weightLength, 7), tint);
        p.setPen(outline);
        p.drawRect(QRect(layout.shareX, y + 4, weightLength - 1, 6));
    }
    const int doneLength = layout.shareLength(row.achievedShare);
    if (doneLength > 0)
        p.fillRect(QRect(layout.shareX, y + 13, doneLength, 7), outline);
    p.setPen(row.loadRank >= 0 ? ink.text : ink.faint);
    p.drawText(
        QRect(layout.shareX + kShareBarWidth + 6, y, kShareWidth - kShareBarWidth - 6, kRowHeight),
        Qt::AlignLeft | Qt::AlignVCenter,
        QStringLiteral("%1 / %2").arg(percent(row.weightShare), percent(row.achievedShare)));
}

} // namespace starling::ui
