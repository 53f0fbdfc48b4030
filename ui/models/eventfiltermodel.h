#pragma once

#include "consolemodel/eventdescription.h"

#include <QList>
#include <QSortFilterProxyModel>

namespace starling::ui {

// The log as the operator narrows it: some categories, one node, a piece of text. Reads the
// source through EventLogModel's columns and CategoryRole, so it filters any model laid out
// the same way.
class EventFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventFilterModel)

public:
    using Category = consolemodel::EventLine::Category;

    explicit EventFilterModel(QObject *parent = nullptr);

    // Every category is shown until told otherwise; an empty list shows nothing.
    void setCategories(const QList<Category> &categories);
    void setCategoryVisible(Category category, bool visible);
    bool isCategoryVisible(Category category) const;
    QList<Category> categories() const;

    // Exact node name ("slave-3"), compared case-insensitively; empty = every node.
    void setNodeFilter(const QString &node);
    QString nodeFilter() const { return m_node; }

    // Case-insensitive substring of any column (time, category, node, who, text).
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    static quint32 bit(Category category) { return 1u << int(category); }

    quint32 m_categories;
    QString m_node;
    QString m_text;
};

} // namespace starling::ui
