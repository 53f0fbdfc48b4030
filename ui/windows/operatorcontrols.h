#pragma once

#include "consolemodel/clustersource.h"

#include <QObject>

QT_BEGIN_NAMESPACE
class QAction;
class QActionGroup;
class QComboBox;
class QMenu;
class QTabWidget;
class QToolBar;
QT_END_NAMESPACE

namespace starling::consolemodel {
class OperatorActions;
}

namespace starling::ui {

class MainWindow;

// The console's menus (File, Cluster, View), its toolbar and keyboard shortcuts, and the
// operator's actions behind them: connect, drain, resume, weight and strategy (each dialog
// opened non-modally, so the window keeps updating), export CSV and save PNG. updateActions()
// is the one place that decides what is enabled: cluster actions need a connected source that
// accepts commands (a replay does not) and a selection they apply to.
class OperatorControls final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperatorControls)

public:
    explicit OperatorControls(MainWindow *window);
    ~OperatorControls() override;

    // The actions' commands go to `source` (may be null: every cluster action is disabled).
    void setSource(consolemodel::ClusterSource *source);
    // One View action per tab, Ctrl+1 for the first; call once the tabs exist.
    void addViewTabs(QTabWidget *tabs);
    // The alert banner's Acknowledge all, in the View menu with its shortcut.
    void addAlertActions(QAction *acknowledgeAll);
    void updateActions();

    qint64 timeWindowMs() const; // the charts' window, one of MetricHistoryChart::kWindows
    bool setTimeWindow(qint64 ms);
    bool isPaused() const;

    QAction *connectAction() const { return m_connect; }
    QAction *drainAction() const { return m_drain; }
    QAction *resumeAction() const { return m_resume; }
    QAction *weightAction() const { return m_weight; }
    QAction *strategyAction() const { return m_strategy; }
    QAction *findAction() const { return m_find; }
    QAction *pauseAction() const { return m_pause; }
    QAction *exportCsvAction() const { return m_exportCsv; }
    QAction *savePngAction() const { return m_savePng; }
    QMenu *viewMenu() const { return m_viewMenu; }

signals:
    void timeWindowChanged(qint64 ms);
    void pausedChanged(bool paused);
    void findRequested();

private:
    void buildActions();
    void buildToolBar();
    void buildMenus();
    QMenu *buildWindowMenu();
    QStringList selectedIn(bool active) const; // selected slaves that are (not) ACTIVE
    void openConnectDialog();
    void openDrainDialog();
    void openWeightDialog();
    void openStrategyDialog();
    void resumeSelected();
    void exportHistory();
    void saveViewPng();

    MainWindow *m_window;
    consolemodel::ClusterSource *m_source = nullptr;
    consolemodel::OperatorActions *m_actions = nullptr;
    QTabWidget *m_tabs = nullptr;

    QAction *m_connect = nullptr;
    QAction *m_drain = nullptr;
    QAction *m_resume = nullptr;
    QAction *m_weight = nullptr;
    QAction *m_strategy = nullptr;
    QAction *m_find = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_exportCsv = nullptr;
    QAction *m_savePng = nullptr;
    QAction *m_quit = nullptr;
    QComboBox *m_timeWindow = nullptr;
    QActionGroup *m_windowChoices = nullptr;
    QMenu *m_viewMenu = nullptr;
};

} // namespace starling::ui
