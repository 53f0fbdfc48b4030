#include "eventlogmodel.h"

#include <QDateTime>

#include <algorithm>

namespace starling::ui {

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), m_capacity(std::max(1, capacity))
{}

void EventLogModel::append(const QJsonObject &event)
{
    if (int(m_lines.size()) >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_lines.pop_front();
        endRemoveRows();
    }
    const int row = int(m_lines.size());
    beginInsertRows({}, row, row);
    m_lines.push_back(consolemodel::describeEvent(event));
    endInsertRows();
}

void EventLogModel::clear()
{
    if (m_lines.empty())
        return;
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

consolemodel::EventLine EventLogModel::line(int row) const
{
    if (row < 0 || size_t(row) >= m_lines.size())
        return {};
    return m_lines[size_t(row)];
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const consolemodel::EventLine &line = m_lines[size_t(index.row())];
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
