#include "eventfiltermodel.h"

#include "models/eventlogmodel.h"

namespace starling::ui {

EventFilterModel::EventFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent), m_categories((1u << consolemodel::EventLine::kCategoryCount) - 1)
{}

void EventFilterModel::setCategories(const QList<Category> &categories)
{
    quint32 mask = 0;
    for (const Category category : categories)
        mask |= bit(category);
    if (mask == m_categories)
        return;
    m_categories = mask;
    invalidateFilter();
}

void EventFilterModel::setCategoryVisible(Category category, bool visible)
{
    const quint32 mask = visible ? (m_categories | bit(category)) : (m_categories & ~bit(category));
    if (mask == m_categories)
        return;
    m_categories = mask;
    invalidateFilter();
}

bool EventFilterModel::isCategoryVisible(Category category) const
{
    return (m_categories & bit(category)) != 0;
}

QList<EventFilterModel::Category> EventFilterModel::categories() const
{
    QList<Category> list;
    for (int i = 0; i < consolemodel::EventLine::kCategoryCount; ++i) {
        if (isCategoryVisible(Category(i)))
            list << Category(i);
    }
    return list;
}

void EventFilterModel::setNodeFilter(const QString &node)
{
    const QString trimmed = node.trimmed();
    if (trimmed == m_node)
        return;
    m_node = trimmed;
    invalidateFilter();
}

void EventFilterModel::setTextFilter(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const auto cell = [&](int column, int role = Qt::DisplayRole) {
        return source->index(sourceRow, column, sourceParent).data(role);
    };
    const QVariant category = cell(EventLogModel::Time, EventLogModel::CategoryRole);
    const int value = category.isValid() ? category.toInt() : int(Category::Other);
    if (value < 0 || value >= consolemodel::EventLine::kCategoryCount ||
        !isCategoryVisible(Category(value))) {
        return false;
    }
    if (!m_node.isEmpty() &&
        cell(EventLogModel::Node).toString().compare(m_node, Qt::CaseInsensitive) != 0) {
        return false;
    }
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < EventLogModel::ColumnCount; ++column) {
        if (cell(column).toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace starling::ui
