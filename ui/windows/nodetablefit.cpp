#include "nodetablefit.h"

#include <QEvent>
#include <QHeaderView>
#include <QHelpEvent>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOptionHeader>
#include <QTableView>
#include <QToolTip>

#include <algorithm>
#include <numeric>

namespace starling::ui {

namespace {

constexpr int kValueRefitMs = 1000; // values change 2-4 times a second; widths need not
constexpr int kCellPadding = 12;    // the style's margins around a cell's text
constexpr int kWidthSlack = 16;     // a little short of the edge: no scroll bar for a pixel

} // namespace

NodeTableFit::NodeTableFit(QTableView *view) : QObject(view), m_view(view)
{
    m_due.setSingleShot(true);
    connect(&m_due, &QTimer::timeout, this, &NodeTableFit::fitNow);
    QHeaderView *header = view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    view->setTextElideMode(Qt::ElideRight);
    // The stretched last section follows the table's width by itself; any other resize that
    // is not ours is the operator's (a drag, or widths they saved).
    connect(header, &QHeaderView::sectionResized, this, [this, header](int logical) {
        if (!m_fitting && logical != header->count() - 1)
            m_operatorSized = true;
    });
    // Another sorted column: the arrow's room moves to it.
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this] { schedule(0, true); });
    QAbstractItemModel *model = view->model();
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this] { schedule(kValueRefitMs, false); });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] { schedule(0, true); });
    connect(model, &QAbstractItemModel::rowsRemoved, this, [this] { schedule(0, true); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] { schedule(0, true); });
    connect(model, &QAbstractItemModel::layoutChanged, this, [this] { schedule(0, false); });
    view->viewport()->installEventFilter(this);
}

void NodeTableFit::schedule(int delayMs, bool fresh)
{
    m_fresh = m_fresh || fresh;
    if (!m_due.isActive() || delayMs < m_due.remainingTime())
        m_due.start(delayMs);
}

bool NodeTableFit::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport()) {
        if (event->type() == QEvent::Resize)
            schedule(0, false);
        else if (event->type() == QEvent::ToolTip && showFullText(event))
            return true;
    }
    return QObject::eventFilter(watched, event);
}

// Each column's header and its widest cell; sizeHintForColumn is public in the base class.
std::vector<int> NodeTableFit::measure() const
{
    const QHeaderView *header = m_view->horizontalHeader();
    const QAbstractItemView *view = m_view;
    std::vector<int> widths(size_t(header->count()));
    for (int c = 0; c < header->count(); ++c)
        widths[size_t(c)] = std::max(headerWidth(c), view->sizeHintForColumn(c));
    return widths;
}

int NodeTableFit::headerWidth(int column) const
{
    const QHeaderView *header = m_view->horizontalHeader();
    if (!header->isSortIndicatorShown() || header->sortIndicatorSection() == column ||
        !m_view->model())
        return header->sectionSizeHint(column);
    QStyleOptionHeader option;
    option.initFrom(header);
    option.orientation = Qt::Horizontal;
    option.section = column;
    option.text = m_view->model()->headerData(column, Qt::Horizontal).toString();
    return header->style()
        ->sizeFromContents(QStyle::CT_HeaderSection, &option, QSize(), header)
        .width();
}

// Water-filling: the widest columns are capped at one level, found so that everything fits;
// none goes below its least width. Columns narrower than the level keep what they want.
std::vector<int> NodeTableFit::squeeze(const std::vector<int> &wanted,
                                       const std::vector<int> &least, int available)
{
    std::vector<int> widths = wanted;
    if (std::accumulate(wanted.begin(), wanted.end(), 0) <= available)
        return widths;
    std::vector<int> levels = wanted;
    std::sort(levels.begin(), levels.end());
    int low = 0, high = levels.empty() ? 0 : levels.back();
    const auto total = [&](int level) {
        int sum = 0;
        for (size_t i = 0; i < wanted.size(); ++i)
            sum += std::max(least[i], std::min(wanted[i], level));
        return sum;
    };
    while (low < high) { // the highest level that fits
        const int mid = (low + high + 1) / 2;
        if (total(mid) <= available)
            low = mid;
        else
            high = mid - 1;
    }
    for (size_t i = 0; i < wanted.size(); ++i)
        widths[i] = std::max(least[i], std::min(wanted[i], low));
    return widths;
}

void NodeTableFit::fitNow()
{
    m_due.stop();
    if (m_operatorSized || !m_view->model())
        return;
    const std::vector<int> now = measure();
    const int before = std::accumulate(m_wanted.begin(), m_wanted.end(), 0);
    if (m_fresh || m_wanted.size() != now.size()) {
        m_wanted = now;
    } else {
        for (size_t i = 0; i < now.size(); ++i)
            m_wanted[i] = std::max(m_wanted[i], now[i]);
    }
    m_fresh = false;
    QHeaderView *header = m_view->horizontalHeader();
    std::vector<int> least(m_wanted.size());
    for (int c = 0; c < header->count(); ++c)
        least[size_t(c)] = std::min(m_wanted[size_t(c)], headerWidth(c));
    // The slack: a table whose rows outgrow its height gets a vertical scroll bar after this.
    const int available = m_view->viewport()->width() - kWidthSlack;
    const std::vector<int> widths = squeeze(m_wanted, least, available);
    m_fitting = true;
    // The last one stretches to the edge, but never below the width it was last given (the
    // header's default 100 px, unless given its own): it is given what it needs.
    for (int c = 0; c < header->count(); ++c)
        header->resizeSection(c, widths[size_t(c)]);
    m_fitting = false;
    if (std::accumulate(m_wanted.begin(), m_wanted.end(), 0) > before)
        emit columnsWidened();
}

void NodeTableFit::setOperatorSized(bool sized)
{
    m_operatorSized = sized;
    if (!sized)
        schedule(0, true);
}

int NodeTableFit::heightForRows() const
{
    const QHeaderView *rows = m_view->verticalHeader();
    const int count = m_view->model() ? m_view->model()->rowCount() : 0;
    const int frame = 2 * m_view->frameWidth();
    const QHeaderView *header = m_view->horizontalHeader();
    const bool scrolls = header->length() > m_view->viewport()->width() + 1;
    return header->height() + frame + count * rows->defaultSectionSize() +
           (scrolls ? m_view->horizontalScrollBar()->sizeHint().height() : 0);
}

int NodeTableFit::widthForColumns() const
{
    // Rows taller than the table bring a vertical scroll bar, which takes its width from them.
    const bool tall = heightForRows() > m_view->height();
    return std::accumulate(m_wanted.begin(), m_wanted.end(), 0) + 2 * m_view->frameWidth() +
           kWidthSlack + (tall ? m_view->verticalScrollBar()->sizeHint().width() : 0);
}

// The cell's own tooltip, with its text in full first when the column is too narrow for it.
bool NodeTableFit::showFullText(QEvent *event) const
{
    const auto *help = static_cast<QHelpEvent *>(event);
    const QModelIndex index = m_view->indexAt(help->pos());
    if (!index.isValid())
        return false;
    const QString text = index.data(Qt::DisplayRole).toString();
    const int room = m_view->columnWidth(index.column()) - kCellPadding;
    if (m_view->fontMetrics().horizontalAdvance(text) <= room)
        return false;
    const QString tip = index.data(Qt::ToolTipRole).toString();
    QToolTip::showText(help->globalPos(), tip.isEmpty() ? text : text + QLatin1Char('\n') + tip,
                       m_view->viewport());
    return true;
}

} // namespace starling::ui
