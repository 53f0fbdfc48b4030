#pragma once

#include "consolemodel/alerttracker.h"

#include <QFrame>

QT_BEGIN_NAMESPACE
class QAction;
class QVBoxLayout;
QT_END_NAMESPACE

namespace starling::ui {

// A strip above the console's views with every alert nobody has acknowledged yet, newest
// first: its time, what and why, coloured by severity, and an Acknowledge button. Two or more
// get a summary line ("3 alerts") with Acknowledge all; past kMaxRows only the newest are
// listed. Hidden when there is nothing to see, so it costs no room on a quiet cluster.
class AlertBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertBanner)

public:
    static constexpr int kMaxRows = 3;

    explicit AlertBanner(consolemodel::AlertTracker *tracker, QWidget *parent = nullptr);

    // The same as the summary's button, for a menu.
    QAction *acknowledgeAllAction() const { return m_acknowledgeAll; }
    int rowsShown() const { return m_rowsShown; }

protected:
    void changeEvent(QEvent *event) override; // the palette's colours are in the rows' styles

private:
    void rebuild();
    QWidget *summaryRow(int open, QWidget *parent);
    QWidget *alertRow(const consolemodel::Alert &alert, QWidget *parent);

    consolemodel::AlertTracker *m_tracker;
    QAction *m_acknowledgeAll;
    QVBoxLayout *m_layout;
    QWidget *m_rows = nullptr;
    int m_rowsShown = 0;
};

} // namespace starling::ui
