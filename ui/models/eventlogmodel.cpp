#include "eventlogmodel.h"

#include <QDateTime>

#include <algorithm>

namespace starling::ui {

EventLogModel::EventLogModel(int capacity, int auditCapacity, QObject *parent)
    : QAbstractTableModel(parent)
{
    m_activity.capacity = std::max(1, capacity);
    m_audit.capacity = std::max(1, auditCapacity);
}

bool EventLogModel::isAudit(consolemodel::EventLine::Category category)
{
    using Category = consolemodel::EventLine::Category;
    return category == Category::State || category == Category::Operator ||
           category == Category::Failure;
}

void EventLogModel::append(const QJsonObject &event)
{
    consolemodel::EventLine line = consolemodel::describeEvent(event);
    Store &store = isAudit(line.category) ? m_audit : m_activity;
    if (int(store.entries.size()) >= store.capacity) {
        const int oldest = rowOf(store, 0);
        beginRemoveRows({}, oldest, oldest);
        store.entries.pop_front();
        endRemoveRows();
    }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    store.entries.push_back(Entry{m_nextSeq++, std::move(line)});
    endInsertRows();
}

void EventLogModel::clear()
{
    if (rowCount() == 0)
        return;
    beginResetModel();
    m_audit.entries.clear();
    m_activity.entries.clear();
    endResetModel();
}

consolemodel::EventLine EventLogModel::line(int row) const
{
    const Entry *entry = entryAt(row);
    return entry ? entry->line : consolemodel::EventLine{};
}

int EventLogModel::rowOf(const Store &store, size_t index) const
{
    const Store &other = &store == &m_audit ? m_activity : m_audit;
    const quint64 seq = store.entries[index].seq;
    const auto older = std::lower_bound(other.entries.begin(), other.entries.end(), seq,
                                        [](const Entry &e, quint64 s) { return e.seq < s; });
    return int(index) + int(older - other.entries.begin());
}

// The row-th entry of the two stores merged by seq: a binary search for how many of the rows
// before it are audit rows, so a table of many thousand rows is read in O(log n) per cell.
const EventLogModel::Entry *EventLogModel::entryAt(int row) const
{
    const std::deque<Entry> &a = m_audit.entries;
    const std::deque<Entry> &b = m_activity.entries;
    if (row < 0 || size_t(row) >= a.size() + b.size())
        return nullptr;
    const size_t k = size_t(row);
    size_t low = k > b.size() ? k - b.size() : 0;
    size_t high = std::min(k, a.size());
    while (low < high) { // the smallest i with no later audit row among the first k
        const size_t i = (low + high) / 2;
        if (k - i > 0 && i < a.size() && b[k - i - 1].seq > a[i].seq)
            low = i + 1;
        else
            high = i;
    }
    const size_t i = low;
    const size_t j = k - i;
    if (j >= b.size() || (i < a.size() && a[i].seq < b[j].seq))
        return &a[i];
    return &b[j];
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_audit.entries.size() + m_activity.entries.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const consolemodel::EventLine &line = entryAt(index.row())->line;
    const QDateTime time =
        line.timeMs > 0 ? QDateTime::fromMSecsSinceEpoch(line.timeMs) : QDateTime();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return time.isValid() ? time.toString(QStringLiteral("hh:mm:ss.zzz"))
                                  : QStringLiteral("-");
        case Category:
            return consolemodel::toString(line.category);
        case Node:
            return line.node;
        case Who:
            return line.by;
        case Text:
            return line.text;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Time:
            return time.isValid() ? time.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz t"))
                                  : QStringLiteral("the event carried no time");
        case Category:
            return line.kind.isEmpty() ? QStringLiteral("(no kind)") : line.kind;
        case Who:
            return line.reason.isEmpty() ? QVariant() : QVariant(line.reason);
        case Text:
            return line.text; // the view may elide it
        default:
            return {};
        }
    case TimeMsRole:
        return line.timeMs;
    case CategoryRole:
        return int(line.category);
    case KindRole:
        return line.kind;
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return QStringLiteral("Time");
    case Category:
        return QStringLiteral("Category");
    case Node:
        return QStringLiteral("Node");
    case Who:
        return QStringLiteral("Who");
    case Text:
        return QStringLiteral("Event");
    default:
        return {};
    }
}

} // namespace starling::ui
