#include "topologyview.h"

#include "models/nodetablemodel.h"
#include "seriespalette.h"

#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QStringList>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <map>

namespace starling::ui {

using cluster::NodeRole;
using cluster::NodeState;

namespace {

constexpr int kMargin = 8;
constexpr int kTitleHeight = 40; // title and key
constexpr int kLineHeight = 14;  // one line of text in a box (the font is 11 px)
constexpr int kFontPixels = 11;
constexpr int kRoleBoxHeight = 3 * kLineHeight + 8;
constexpr int kFeederGap = 30; // from a column's feeder line to its boxes: the branch
constexpr int kColumnGap = 6;  // after a column's boxes
constexpr int kRowGap = 6;     // between boxes: host frames fit in it
constexpr int kMaxBoxHeight = 3 * kLineHeight + 10;
constexpr int kWantBoxWidth = 150; // where a box's three lines stop being cut
constexpr int kMaxBoxWidth = 260;
constexpr int kMinBoxWidth = 40;
constexpr int kMinBoxHeight = 12;

double finiteOr(double v, double fallback)
{
    return std::isfinite(v) && v >= 0 ? v : fallback;
}

QString megabytes(double bytesPerS)
{
    const double mb = bytesPerS / 1e6;
    return QString::number(mb, 'f', mb < 10 ? 1 : 0);
}

QString shortState(NodeState state)
{
    return cluster::toString(state).left(1);
}

// The node table's state tint, laid over the background as an opaque colour.
QColor stateFill(NodeState state, const QColor &background)
{
    const QColor tint = NodeTableModel::stateColour(state);
    if (!tint.isValid())
        return background;
    QColor opaque = tint;
    opaque.setAlpha(255);
    return SeriesPalette::blend(background, opaque, tint.alphaF());
}

// The branch's length: long enough to see its width, shorter in narrow columns.
int feederGap(int cellWidth)
{
    return std::clamp(cellWidth / 6, 14, kFeederGap);
}

struct Grid
{
    int columns = 1;
    int rows = 1;
    int cellWidth = 0;
    int cellHeight = 0;
};

// The column count whose boxes come closest to the wanted size in both directions.
Grid chooseGrid(int count, int width, int height)
{
    Grid best;
    double bestScore = -1;
    for (int columns = 1; columns <= std::max(1, count); ++columns) {
        const int rows = (count + columns - 1) / columns;
        Grid g{columns, std::max(1, rows), width / columns, height / std::max(1, rows)};
        const int boxWidth =
            std::min(g.cellWidth - feederGap(g.cellWidth) - kColumnGap, kMaxBoxWidth);
        const int boxHeight = std::min(g.cellHeight - kRowGap, kMaxBoxHeight);
        if (boxWidth < kMinBoxWidth || boxHeight < kMinBoxHeight)
            continue;
        const double score =
            std::min(double(boxWidth) / kWantBoxWidth, double(boxHeight) / (3 * kLineHeight + 6));
        if (score > bestScore + 1e-9) {
            bestScore = score;
            best = g;
        }
    }
    if (bestScore < 0) // nothing fits: as many columns as keep boxes at the minimum width
        best = Grid{1, std::max(1, count), width, height / std::max(1, count)};
    return best;
}

} // namespace

struct TopologyView::Ink
{
    QColor background;
    QColor text;
    QColor faint;
    QColor line;
    QFont normal;
    QFont bold;
};

TopologyView::TopologyView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(false);
    m_master.role = NodeRole::Master;
    m_master.name = QStringLiteral("master");
    m_monitor.role = NodeRole::Monitor;
    m_monitor.name = QStringLiteral("monitor");
}

void TopologyView::update(const cluster::ClusterSnapshot &snapshot,
                          const consolemodel::NodeHistory &history)
{
    m_master = Box{-1, QStringLiteral("master"), {}, NodeRole::Master};
    m_monitor = Box{-1, QStringLiteral("monitor"), {}, NodeRole::Monitor};
    std::vector<Box> slaves;
    for (const cluster::NodeView &n : snapshot.nodes) {
        Box b;
        b.rank = n.rank;
        b.name = n.name.isEmpty() ? cluster::nodeName(n.rank) : n.name;
        b.host = n.host;
        b.role = n.role;
        b.state = n.state;
        if (n.emulation.emulated && n.emulation.linkMBps > 0)
            b.capacityBps = finiteOr(n.emulation.linkMBps, 0) * 1e6;
        if (const auto latest = history.latest(n.rank)) {
            b.sentBps = finiteOr(latest->txRate, 0);
            b.receivedBps = finiteOr(latest->rxRate, 0);
        }
        if (n.role == NodeRole::Master && m_master.rank < 0)
            m_master = b;
        else if (n.role == NodeRole::Monitor && m_monitor.rank < 0)
            m_monitor = b;
        else if (n.role == NodeRole::Slave)
            slaves.push_back(b);
    }
    // Hosts in the order of their first slave by rank; slaves by rank within a host.
    std::sort(slaves.begin(), slaves.end(),
              [](const Box &a, const Box &b) { return a.rank < b.rank; });
    std::map<QString, int> hostOrder;
    for (const Box &b : slaves)
        hostOrder.emplace(b.host, int(hostOrder.size()));
    std::stable_sort(slaves.begin(), slaves.end(), [&hostOrder](const Box &a, const Box &b) {
        return hostOrder[a.host] < hostOrder[b.host];
    });
    m_slaves = std::move(slaves);
    QWidget::update();
}

int TopologyView::hostCount() const
{
    std::vector<QString> hosts;
    for (const Box &b : m_slaves)
        hosts.push_back(b.host);
    std::sort(hosts.begin(), hosts.end());
    return int(std::unique(hosts.begin(), hosts.end()) - hosts.begin());
}

QString TopologyView::linkLabel(const Box &box)
{
    const double busier = std::max(box.sentBps, box.receivedBps);
    if (box.capacityBps <= 0)
        return tr("%1 MB/s, link ?").arg(megabytes(busier));
    return tr("%1 MB/s of %2 MB/s").arg(megabytes(busier), megabytes(box.capacityBps));
}

QString TopologyView::shortLinkLabel(const Box &box)
{
    const double busier = std::max(box.sentBps, box.receivedBps);
    return tr("%1/%2 MB/s")
        .arg(megabytes(busier),
             box.capacityBps > 0 ? megabytes(box.capacityBps) : QStringLiteral("?"));
}

double TopologyView::branchWidth(double capacityBps, double largestBps)
{
    if (capacityBps <= 0 || largestBps <= 0)
        return 1;
    return 2 + 5 * std::clamp(capacityBps / largestBps, 0.0, 1.0);
}

TopologyView::Layout TopologyView::layoutFor(QSize size, const std::vector<Box> &slaves)
{
    Layout l;
    const int width = std::max(size.width(), 200);
    const int height = std::max(size.height(), 150);
    l.title = QRect(kMargin, 2, width - 2 * kMargin, kTitleHeight - 4);
    const int masterWidth = std::clamp(width * 18 / 100, 96, 170);
    l.master = QRect(kMargin, kTitleHeight + 4, masterWidth, kRoleBoxHeight);
    l.monitor = QRect(kMargin, l.master.bottom() + 24, masterWidth, kRoleBoxHeight);
    l.trunkY = l.master.center().y();

    const int gridX = l.master.right() + 24;
    const int gridY = l.trunkY + 10;
    const int gridWidth = width - kMargin - gridX;
    const int gridHeight = height - kMargin - gridY;
    const int count = int(slaves.size());
    const Grid g = chooseGrid(count, gridWidth, gridHeight);
    l.columns = count > 0 ? g.columns : 0;
    l.rows = count > 0 ? g.rows : 0;
    const int boxWidth =
        std::max(1, std::min(g.cellWidth - feederGap(g.cellWidth) - kColumnGap, kMaxBoxWidth));
    const int boxHeight = std::max(1, std::min(g.cellHeight - kRowGap, kMaxBoxHeight));
    l.textLines = boxHeight >= 3 * kLineHeight + 4 ? 3 : (boxHeight >= 2 * kLineHeight + 2 ? 2 : 1);
    for (int i = 0; i < count; ++i) {
        const int column = i / g.rows, row = i % g.rows;
        const int x = gridX + column * g.cellWidth + feederGap(g.cellWidth);
        const int y = gridY + row * g.cellHeight + kRowGap / 2;
        l.slaves.emplace_back(x, y, boxWidth, boxHeight);
    }
    for (int c = 0; c < l.columns; ++c) {
        l.feederX.push_back(gridX + c * g.cellWidth + 4);
        const int last = std::min(count, (c + 1) * g.rows) - 1;
        l.feederBottom.push_back(l.slaves[size_t(last)].center().y());
    }
    l.trunkEndX = l.feederX.empty() ? l.master.right() : l.feederX.back();
    // Runs of one host within a column share a frame.
    for (int i = 0; i < count;) {
        int j = i + 1;
        while (j < count && j / g.rows == i / g.rows &&
               slaves[size_t(j)].host == slaves[size_t(i)].host)
            ++j;
        if (j - i >= 2)
            l.hostFrames.push_back(
                l.slaves[size_t(i)].united(l.slaves[size_t(j - 1)]).adjusted(-3, -2, 3, 2));
        i = j;
    }
    return l;
}

void TopologyView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor background = SeriesPalette::chartBackground(palette());
    const QColor text = SeriesPalette::chartText(palette());
    Ink ink{background,
            text,
            SeriesPalette::blend(text, background, 0.4),
            SeriesPalette::blend(text, background, 0.55),
            font(),
            font()};
    ink.normal.setPixelSize(kFontPixels);
    ink.bold = ink.normal;
    ink.bold.setBold(true);
    p.fillRect(rect(), background);
    const Layout layout = layoutFor(size(), m_slaves);
    drawTitle(p, layout, ink);
    drawHostFrames(p, layout, ink);
    drawLinks(p, layout, ink);
    drawBox(p, layout.master, m_master, 3, ink);
    drawBox(p, layout.monitor, m_monitor, 3, ink);
    for (size_t i = 0; i < m_slaves.size(); ++i)
        drawBox(p, layout.slaves[i], m_slaves[i], layout.textLines, ink);
    if (m_slaves.empty()) {
        p.setPen(ink.faint);
        p.drawText(rect().adjusted(layout.master.right() + 24, 0, 0, 0), Qt::AlignCenter,
                   tr("no slaves yet"));
    }
}

// The title, and the key: the state colours and what a branch's width means.
void TopologyView::drawTitle(QPainter &p, const Layout &layout, const Ink &ink) const
{
    const QRect top(layout.title.left(), layout.title.top(), layout.title.width(), 18);
    p.setPen(ink.text);
    p.setFont(ink.bold);
    p.drawText(top, Qt::AlignLeft | Qt::AlignVCenter,
               tr("topology: %n slave(s)", nullptr, int(m_slaves.size())) +
                   tr(" on %n host(s)", nullptr, hostCount()));
    p.setFont(ink.normal);
    const QFontMetrics metrics(ink.normal);
    int x = layout.title.left();
    const int y = top.bottom() + 3;
    for (const NodeState s : {NodeState::Active, NodeState::Draining, NodeState::Drained,
                              NodeState::Suspect, NodeState::Down}) {
        const QString name = cluster::toString(s);
        p.fillRect(QRect(x, y + 2, 12, 11), stateFill(s, ink.background));
        p.setPen(ink.text);
        p.drawText(QRect(x + 16, y, metrics.horizontalAdvance(name) + 2, 15),
                   Qt::AlignLeft | Qt::AlignVCenter, name);
        x += 16 + metrics.horizontalAdvance(name) + 12;
    }
    p.setPen(ink.faint);
    p.drawText(QRect(x, y, layout.title.right() - x, 15), Qt::AlignLeft | Qt::AlignVCenter,
               metrics.elidedText(tr("branch width: link capacity (dashed: not known); "
                                     "MB/s: the busier direction now"),
                                  Qt::ElideRight, std::max(0, layout.title.right() - x)));
}

void TopologyView::drawHostFrames(QPainter &p, const Layout &layout, const Ink &ink) const
{
    p.setPen(QPen(ink.faint, 1, Qt::DotLine));
    p.setBrush(Qt::NoBrush);
    for (const QRect &frame : layout.hostFrames)
        p.drawRoundedRect(frame, 4, 4);
}

// The master's port: one trunk, a feeder down each column and a branch to each slave, as wide
// as its link, filled in the slave's colour as far as the link is in use; master and monitor
// joined by a dotted line (stats and heartbeats over MPI).
void TopologyView::drawLinks(QPainter &p, const Layout &layout, const Ink &ink) const
{
    p.setPen(QPen(ink.line, 1, Qt::DotLine));
    p.drawLine(layout.master.center().x(), layout.master.bottom(), layout.monitor.center().x(),
               layout.monitor.top());
    if (m_slaves.empty())
        return;
    p.setPen(QPen(ink.line, 3, Qt::SolidLine, Qt::FlatCap));
    p.drawLine(layout.master.right(), layout.trunkY, layout.trunkEndX, layout.trunkY);
    for (size_t c = 0; c < layout.feederX.size(); ++c)
        p.drawLine(layout.feederX[c], layout.trunkY, layout.feederX[c], layout.feederBottom[c]);
    double largest = 0;
    for (const Box &b : m_slaves)
        largest = std::max(largest, b.capacityBps);
    const int rows = std::max(1, layout.rows);
    for (size_t i = 0; i < m_slaves.size(); ++i) {
        const QRect &box = layout.slaves[i];
        const double w = branchWidth(m_slaves[i].capacityBps, largest);
        QPen pen(m_slaves[i].state == NodeState::Down ? stateFill(NodeState::Down, ink.text)
                                                      : ink.line,
                 w, m_slaves[i].capacityBps > 0 ? Qt::SolidLine : Qt::DashLine, Qt::FlatCap);
        p.setPen(pen);
        const int feeder = layout.feederX[i / size_t(rows)];
        p.drawLine(feeder, box.center().y(), box.left(), box.center().y());
        // Inside a known link, its use now: as wide as the busier direction's share of it.
        const Box &b = m_slaves[i];
        const double used =
            b.capacityBps > 0 ? std::max(b.sentBps, b.receivedBps) / b.capacityBps : 0;
        if (used > 0 && w > 2) {
            p.setPen(QPen(SeriesPalette::colour(b.rank - cluster::kFirstSlaveRank),
                          std::max(1.0, (w - 1) * std::min(1.0, used)), Qt::SolidLine,
                          Qt::FlatCap));
            p.drawLine(feeder + 2, box.center().y(), box.left(), box.center().y());
        }
    }
}

// A node: its state's tint, a strip in its series colour, then name and state, host, link.
void TopologyView::drawBox(QPainter &p, const QRect &rect, const Box &box, int lines,
                           const Ink &ink) const
{
    const bool known = box.rank >= 0;
    p.setPen(QPen(ink.faint, 1));
    p.setBrush(known ? stateFill(box.state, ink.background) : ink.background);
    p.drawRoundedRect(rect, 3, 3);
    if (box.role == NodeRole::Slave)
        p.fillRect(QRect(rect.left() + 1, rect.top() + 1, 4, rect.height() - 1),
                   SeriesPalette::colour(box.rank - cluster::kFirstSlaveRank));
    const QRect inner = rect.adjusted(8, 2, -4, -2);
    const QFontMetrics metrics(ink.normal);
    p.setPen(ink.text);
    const int lineTop = inner.top() + std::max(0, (inner.height() - lines * kLineHeight) / 2);
    const auto line = [&](int i) {
        return QRect(inner.left(), lineTop + i * kLineHeight, inner.width(), kLineHeight);
    };
    // The name first; the state's word, then its letter, only where the name keeps its room
    // (the tint says the state too).
    const int nameWidth = QFontMetrics(ink.bold).horizontalAdvance(box.name);
    QString state = known ? cluster::toString(box.state) : tr("not reported");
    if (nameWidth + metrics.horizontalAdvance(state) + 6 > inner.width())
        state = known ? shortState(box.state) : QStringLiteral("?");
    if (nameWidth + metrics.horizontalAdvance(state) + 6 > inner.width())
        state.clear();
    const int stateWidth = state.isEmpty() ? 0 : metrics.horizontalAdvance(state) + 4;
    p.setFont(ink.bold);
    p.drawText(
        line(0).adjusted(0, 0, -stateWidth, 0), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(ink.bold).elidedText(box.name, Qt::ElideRight, inner.width() - stateWidth));
    p.setFont(ink.normal);
    p.drawText(line(0), Qt::AlignRight | Qt::AlignVCenter, state);
    QStringList rest;
    if (lines >= 3)
        rest << (box.host.isEmpty() ? tr("host ?") : box.host);
    if (lines >= 2) {
        if (box.role == NodeRole::Slave)
            rest << (metrics.horizontalAdvance(linkLabel(box)) <= inner.width()
                         ? linkLabel(box)
                         : shortLinkLabel(box));
        else if (box.role == NodeRole::Master) {
            double port = 0;
            for (const Box &s : m_slaves)
                port += std::max(s.sentBps, s.receivedBps);
            rest << tr("port: %1 MB/s to slaves").arg(megabytes(port));
        } else
            rest << tr("stats of %n slave(s)", nullptr, int(m_slaves.size()));
    }
    for (int i = 0; i < int(rest.size()); ++i)
        p.drawText(line(i + 1), Qt::AlignLeft | Qt::AlignVCenter,
                   metrics.elidedText(rest[i], Qt::ElideRight, inner.width()));
}

QString TopologyView::toolTipAt(QPoint at) const
{
    const Layout layout = layoutFor(size(), m_slaves);
    const auto describe = [](const Box &b) {
        return tr("%1 (rank %2) on %3\n%4\nlink: %5")
            .arg(b.name)
            .arg(b.rank)
            .arg(b.host.isEmpty() ? tr("an unknown host") : b.host, cluster::toString(b.state),
                 linkLabel(b));
    };
    for (size_t i = 0; i < m_slaves.size(); ++i) {
        if (layout.slaves[i].contains(at))
            return describe(m_slaves[i]);
    }
    if (layout.master.contains(at) && m_master.rank >= 0)
        return tr("master on %1: every strip passes through its one port").arg(m_master.host);
    if (layout.monitor.contains(at) && m_monitor.rank >= 0)
        return tr("monitor on %1: collects every slave's heartbeats").arg(m_monitor.host);
    return {};
}

bool TopologyView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString tip = toolTipAt(help->pos());
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace starling::ui
