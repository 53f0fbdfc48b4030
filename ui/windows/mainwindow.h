#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/alerttracker.h"
#include "consolemodel/clustersource.h"
#include "consolemodel/nodehistory.h"
#include "consolemodel/taskactivity.h"
#include "models/eventlogmodel.h"
#include "models/jobaccuracymodel.h"
#include "models/nodetablemodel.h"
#include "windows/operatorcontrols.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <memory>

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QScrollBar;
class QSplitter;
class QTabWidget;
class QTableView;
QT_END_NAMESPACE

namespace starling::ui {

class BlockMapWidget;
class DesktopNotifier;
class ClusterStatusBar;
class EventLogView;
class LoadRankBoard;
class MetricHistoryChart;
class NodePanelSet;
class NodeTableFit;
class StrategyComparisonChart;
class TaskStreamChart;
class TopologyView;

// The operator console: the node table (every node's state, load, rank and measurements), the
// load-rank board, per-slave charts over time, the live task stream and block map, the
// strategy comparison and the event log, all fed by one ClusterSource; and the operator's
// actions on the selected slaves (drain, resume, weight, strategy), whose answers, refusals
// included, are shown in the status bar. Data that stops arriving is greyed, never shown as
// live; nothing here waits on the network.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Not owned; started here. Replaces (and stops) any earlier source.
    void setSource(consolemodel::ClusterSource *source);
    // Owned from then on (the connect dialog's bridge, the app's first one).
    void adoptSource(std::unique_ptr<consolemodel::ClusterSource> source);
    consolemodel::ClusterSource *source() const { return m_source; }

    // Where CPU and memory cells turn amber and red.
    void setThresholds(const NodeTableModel::Thresholds &thresholds);
    // The charts' time window (one of MetricHistoryChart::kWindows).
    void setTimeWindow(qint64 ms);
    qint64 timeWindow() const;
    // True once the operator moved the splitters around the node table (or their saved
    // layout was restored): then rows coming and going no longer refit them.
    bool splittersByOperator() const { return m_splitterMoved; }
    void setSplittersByOperator(bool byOperator) { m_splitterMoved = byOperator; }
    // Shows the view tab whose title starts with `title` ("Task", "Events"); false if none.
    bool showTab(const QString &title);

    // Snapshots older than this are stale (default 3 s, or 3 snapshot intervals if longer).
    void setStaleAfterMs(int ms) { m_staleAfterMs = ms; }

    // What the views hold, for tests and the screenshot mode.
    const NodeTableModel &nodeModel() const { return m_nodes; }
    const EventLogModel &eventModel() const { return m_events; }
    const consolemodel::NodeHistory &history() const { return m_history; }
    const consolemodel::TaskActivity &activity() const { return m_activity; }
    qint64 snapshotsReceived() const { return m_snapshotCount; }
    QTableView *nodeView() const { return m_table; }
    MetricHistoryChart *chart(consolemodel::Metric metric) const;
    LoadRankBoard *loadRankBoard() const { return m_board; }
    TaskStreamChart *taskStream() const { return m_stream; }
    BlockMapWidget *blockMap() const { return m_blockMap; }
    StrategyComparisonChart *strategies() const { return m_strategies; }
    QTableView *jobAccuracyView() const { return m_accuracyView; }
    QTabWidget *tabs() const { return m_tabs; }
    NodePanelSet *nodePanels() const { return m_panels; } // opened by double-clicking a row
    TopologyView *topology() const { return m_topology; }
    OperatorControls *controls() const { return m_controls; }
    // What needs the operator's eyes (the banner above the views); its drain limit is settable.
    consolemodel::AlertTracker &alerts() { return m_alerts; }
    QAction *drainAction() const { return m_controls->drainAction(); }
    QAction *resumeAction() const { return m_controls->resumeAction(); }
    QAction *weightAction() const { return m_controls->weightAction(); }
    QAction *strategyAction() const { return m_controls->strategyAction(); }
    const cluster::ClusterSnapshot &snapshot() const { return m_snapshot; }
    consolemodel::LinkState linkState() const { return m_link; }
    QString statusText() const; // connection, age, round trip
    QString lastAnswer() const; // the cluster's answer to the last operator action
    QStringList selectedSlaves() const;
    void selectNodes(const QStringList &names);
    // A line in the status bar: an operator action's answer, or the app's own news (red if
    // !ok), kept until the next one.
    void showNotice(const QString &text, bool ok);
    // Redraws every view now (the screenshot mode, tests); normally views refresh on a timer.
    void refreshNow();

signals:
    void sourceChanged();
    // The node table has been painted with snapshot `sequence` (published at `publishedMs`,
    // the monitor's clock): what "on screen" means for the latency benchmark.
    void snapshotDisplayed(qint64 sequence, qint64 publishedMs);
    // The monitor's history was merged and the charts repainted with it: they now span
    // firstMs..lastMs (the monitor's clock). What "an hour on screen" means for the benchmark.
    void historyDisplayed(qint64 firstMs, qint64 lastMs);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    QTableView *buildNodeTable();
    QTabWidget *buildViewTabs();
    QSplitter *buildTaskViews();
    QSplitter *buildStrategyViews();
    QScrollBar *buildScrollBack();
    void onSnapshot(const cluster::ClusterSnapshot &snapshot);
    void onHistory(const std::vector<cluster::NodeHistorySamples> &history);
    void fitSplittersToTable();
    void refitUnlessMoved(); // the top row again, unless the operator arranged the splitters
    void onEvent(const QJsonObject &event);
    void onLink(consolemodel::LinkState state, const QString &detail);
    void tick(); // 4 Hz: ages, staleness, live task views
    void refreshCharts(bool all);
    void refreshTasks();
    void updateActions();
    void setPaused(bool paused);
    bool isStale() const;

    consolemodel::ClusterSource *m_source = nullptr;
    std::unique_ptr<consolemodel::ClusterSource> m_ownedSource;
    consolemodel::LinkState m_link = consolemodel::LinkState::Disconnected;
    QString m_linkDetail;
    qint64 m_rttMs = -1;

    cluster::ClusterSnapshot m_snapshot;
    qint64 m_snapshotCount = 0;
    QElapsedTimer m_sinceSnapshot;
    double m_intervalMs = 500;
    int m_staleAfterMs = 3000;
    bool m_chartsDirty = false;
    bool m_snapshotUnpainted = false;
    QElapsedTimer m_sinceChartRefresh;

    consolemodel::AlertTracker m_alerts;
    NodeTableModel m_nodes;
    QSortFilterProxyModel m_sortedNodes;
    EventLogModel m_events;
    consolemodel::NodeHistory m_history;
    consolemodel::TaskActivity m_activity;
    JobAccuracyModel m_accuracy; // predicted against measured per job (issue 16)
    bool m_tasksDirty = false;

    QTableView *m_table = nullptr;
    NodeTableFit *m_tableFit = nullptr; // columns within the table's width
    LoadRankBoard *m_board = nullptr;
    QTabWidget *m_tabs = nullptr;
    std::vector<MetricHistoryChart *> m_charts;
    TaskStreamChart *m_stream = nullptr;
    BlockMapWidget *m_blockMap = nullptr;
    StrategyComparisonChart *m_strategies = nullptr;
    QTableView *m_accuracyView = nullptr;
    EventLogView *m_log = nullptr;
    TopologyView *m_topology = nullptr;
    DesktopNotifier *m_notifier = nullptr;
    NodePanelSet *m_panels = nullptr;
    QScrollBar *m_scrollBack = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    bool m_splitterMoved = false; // by the operator: then the layout is theirs
    size_t m_nodeRows = 0;

    OperatorControls *m_controls = nullptr; // menus, toolbar, shortcuts, operator actions
    ClusterStatusBar *m_status = nullptr;
    QTimer m_ticker;
};

} // namespace starling::ui
