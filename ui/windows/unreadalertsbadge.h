#pragma once

#include "consolemodel/alerttracker.h"

#include <QObject>
#include <QString>

QT_BEGIN_NAMESPACE
class QTabWidget;
class QWidget;
QT_END_NAMESPACE

namespace starling::ui {

// The count of unacknowledged alerts in a tab's title: "Events (3)". It follows the banner:
// acknowledging clears both, and looking at the tab does not, so the two never disagree.
class UnreadAlertsBadge final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnreadAlertsBadge)

public:
    // `page` is the tab's widget; its title at this moment is the one without a count.
    UnreadAlertsBadge(consolemodel::AlertTracker *tracker, QTabWidget *tabs, QWidget *page);

private:
    void update();

    consolemodel::AlertTracker *m_tracker;
    QTabWidget *m_tabs;
    QWidget *m_page;
    QString m_title;
};

} // namespace starling::ui
