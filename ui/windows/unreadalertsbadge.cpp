#include "unreadalertsbadge.h"

#include <QTabWidget>

namespace starling::ui {

UnreadAlertsBadge::UnreadAlertsBadge(consolemodel::AlertTracker *tracker, QTabWidget *tabs,
                                     QWidget *page)
    : QObject(tabs), m_tracker(tracker), m_tabs(tabs), m_page(page),
      m_title(tabs->tabText(tabs->indexOf(page)))
{
    connect(tracker, &consolemodel::AlertTracker::changed, this, &UnreadAlertsBadge::update);
    update();
}

void UnreadAlertsBadge::update()
{
    const int index = m_tabs->indexOf(m_page);
    if (index < 0)
        return;
    const int open = m_tracker->openCount();
    m_tabs->setTabText(index, open > 0 ? tr("%1 (%2)").arg(m_title).arg(open) : m_title);
}

} // namespace starling::ui
