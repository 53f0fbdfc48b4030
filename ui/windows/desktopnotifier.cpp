#include "desktopnotifier.h"

#include <QApplication>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QWidget>

namespace starling::ui {

namespace {

constexpr int kGatherMs = 300;
constexpr int kShowMs = 10000;
constexpr int kLines = 4; // of a burst's reasons

} // namespace

DesktopNotifier::DesktopNotifier(consolemodel::AlertTracker *tracker, QWidget *window)
    : QObject(window), m_window(window)
{
    m_gather.setSingleShot(true);
    m_gather.setInterval(kGatherMs);
    connect(&m_gather, &QTimer::timeout, this, &DesktopNotifier::flush);
    connect(tracker, &consolemodel::AlertTracker::raised, this, &DesktopNotifier::queue);
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    QIcon icon = window->windowIcon();
    if (icon.isNull())
        icon = window->style()->standardIcon(QStyle::SP_MessageBoxWarning);
    m_tray = new QSystemTrayIcon(icon, this);
    m_tray->setToolTip(window->windowTitle());
    connect(m_tray, &QSystemTrayIcon::messageClicked, window, [window] {
        window->showNormal();
        window->raise();
        window->activateWindow();
    });
    m_tray->show();
}

void DesktopNotifier::queue(const consolemodel::Alert &alert)
{
    if (m_quiet || m_window->isActiveWindow())
        return; // a replay, or the operator is looking at the banner
    m_pending.push_back(alert);
    if (!m_gather.isActive())
        m_gather.start();
}

void DesktopNotifier::flush()
{
    if (m_pending.empty())
        return;
    bool critical = false;
    QStringList lines;
    for (const consolemodel::Alert &a : m_pending) {
        critical |= a.severity == consolemodel::Alert::Severity::Critical;
        lines << a.reason;
    }
    const QString title = m_pending.size() == 1
                              ? tr("Starling: %1").arg(consolemodel::toString(m_pending[0].kind))
                              : tr("Starling: %1 new alerts").arg(m_pending.size());
    const QString text = lines.mid(0, kLines).join(u'\n');
    if (m_tray)
        m_tray->showMessage(
            title, text, critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning, kShowMs);
    m_pending.clear();
    emit notified(title, text);
}

} // namespace starling::ui
