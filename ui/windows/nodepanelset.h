#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/nodehistory.h"
#include "consolemodel/taskactivity.h"

#include <QObject>
#include <QPointer>

#include <vector>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace starling::ui {

class EventLogModel;
class NodePanel;

// The node panels the operator has open: one per node (opening it again raises it), each
// deleted when closed, all refreshed together from the main window's data. The history and
// the activity belong to the main window and outlive this set (it is the window's child).
class NodePanelSet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodePanelSet)

public:
    NodePanelSet(const consolemodel::NodeHistory &history,
                 const consolemodel::TaskActivity &activity, EventLogModel *events,
                 QWidget *window);
    ~NodePanelSet() override;

    // Opens (or raises) `node`'s panel, filled at once; null for an empty name.
    NodePanel *open(const QString &node, const cluster::ClusterSnapshot &snapshot, qint64 windowMs);
    void refresh(const cluster::ClusterSnapshot &snapshot, qint64 windowMs);
    void setStale(bool stale);               // every open panel, and the ones opened later
    std::vector<NodePanel *> panels() const; // the open ones, in opening order

private:
    const consolemodel::NodeHistory &m_history;
    const consolemodel::TaskActivity &m_activity;
    EventLogModel *m_events;
    QWidget *m_window;
    bool m_stale = false;
    std::vector<QPointer<NodePanel>> m_panels;
};

} // namespace starling::ui
