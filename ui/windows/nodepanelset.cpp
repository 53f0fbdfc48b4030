#include "nodepanelset.h"

#include "windows/nodepanel.h"

#include <algorithm>

namespace starling::ui {

NodePanelSet::NodePanelSet(const consolemodel::NodeHistory &history,
                           const consolemodel::TaskActivity &activity, EventLogModel *events,
                           QWidget *window)
    : QObject(window), m_history(history), m_activity(activity), m_events(events), m_window(window)
{}

NodePanelSet::~NodePanelSet() = default;

NodePanel *NodePanelSet::open(const QString &node, const cluster::ClusterSnapshot &snapshot,
                              qint64 windowMs)
{
    if (node.isEmpty())
        return nullptr;
    std::erase_if(m_panels, [](const QPointer<NodePanel> &p) { return p.isNull(); });
    for (NodePanel *panel : panels()) {
        if (panel->nodeName() == node) {
            panel->show();
            panel->raise();
            panel->activateWindow();
            return panel;
        }
    }
    auto *panel = new NodePanel(node, m_events, m_window);
    panel->setAttribute(Qt::WA_DeleteOnClose);
    panel->setStale(m_stale);
    panel->refresh(snapshot, m_history, m_activity, windowMs);
    m_panels.emplace_back(panel);
    panel->show();
    return panel;
}

void NodePanelSet::refresh(const cluster::ClusterSnapshot &snapshot, qint64 windowMs)
{
    for (NodePanel *panel : panels()) {
        if (panel->isVisible())
            panel->refresh(snapshot, m_history, m_activity, windowMs);
    }
}

void NodePanelSet::setStale(bool stale)
{
    m_stale = stale;
    for (NodePanel *panel : panels())
        panel->setStale(stale);
}

std::vector<NodePanel *> NodePanelSet::panels() const
{
    std::vector<NodePanel *> open;
    for (const QPointer<NodePanel> &p : m_panels) {
        if (p)
            open.push_back(p.data());
    }
    return open;
}

} // namespace starling::ui
