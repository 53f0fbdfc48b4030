#pragma once

#include "consolemodel/alerttracker.h"

#include <QObject>
#include <QTimer>

QT_BEGIN_NAMESPACE
class QSystemTrayIcon;
class QWidget;
QT_END_NAMESPACE

namespace starling::ui {

// Tells the desktop about new alerts while the console's window is not the active one, through
// QSystemTrayIcon::showMessage where the platform has a system tray (else it does nothing: the
// banner and the Events tab still show them). Alerts raised together (a rack going DOWN) make
// one notification, so a burst does not bury the desktop.
class DesktopNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopNotifier)

public:
    DesktopNotifier(consolemodel::AlertTracker *tracker, QWidget *window);

    bool available() const { return m_tray != nullptr; }
    // Quiet while the window plays a recording: what it shows happened long ago.
    void setQuiet(bool quiet) { m_quiet = quiet; }

signals:
    // What was told (or would have been, without a tray): one per burst of alerts.
    void notified(const QString &title, const QString &text);

private:
    void queue(const consolemodel::Alert &alert);
    void flush();

    QWidget *m_window;
    bool m_quiet = false;
    QSystemTrayIcon *m_tray = nullptr;
    std::vector<consolemodel::Alert> m_pending;
    QTimer m_gather; // alerts raised within it are told as one
};

} // namespace starling::ui
