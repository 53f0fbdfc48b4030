#pragma once

#include "models/eventfiltermodel.h"
#include "models/eventlogmodel.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLineEdit;
class QTableView;
QT_END_NAMESPACE

namespace starling::ui {

// The event and audit log: every state change, failure, task event and operator action with
// who, why and when, newest at the bottom (followed while the view is scrolled to the end),
// narrowed by category, node and text.
class EventLogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogView)

public:
    EventLogView(EventLogModel *model, QWidget *parent = nullptr);

    // The node filter's choices (the cluster's node names).
    void setNodes(const QStringList &names);
    EventFilterModel *filter() { return &m_filter; }
    QTableView *table() const { return m_table; }
    // Find: the text filter takes the keyboard, its text selected to be typed over.
    void focusTextFilter();

private:
    EventLogModel *m_model;
    EventFilterModel m_filter;
    QTableView *m_table;
    QComboBox *m_node;
    QLineEdit *m_text;
    QStringList m_nodes;
};

} // namespace starling::ui
