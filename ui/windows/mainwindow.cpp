#include "mainwindow.h"

#include "charts/blockmapwidget.h"
#include "charts/loadrankboard.h"
#include "charts/metrichistorychart.h"
#include "charts/strategycomparisonchart.h"
#include "charts/taskstreamchart.h"
#include "charts/topologyview.h"
#include "protocol/eventkind.h"
#include "util/valueformat.h"
#include "windows/alertbanner.h"
#include "windows/clusterstatusbar.h"
#include "windows/desktopnotifier.h"
#include "windows/eventlogview.h"
#include "windows/nodepanelset.h"
#include "windows/nodetablefit.h"
#include "windows/operatorcontrols.h"
#include "windows/unreadalertsbadge.h"

#include <QAction>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QVBoxLayout>

namespace starling::ui {

namespace {

constexpr int kTickMs = 250;         // ages and staleness; the live task stream
constexpr int kChartRefreshMs = 250; // charts redraw at most this often

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Starling Console"));
    setObjectName(QStringLiteral("starlingMainWindow"));
    m_sortedNodes.setSourceModel(&m_nodes);
    m_sortedNodes.setSortRole(NodeTableModel::SortRole);
    buildActions();
    buildLayout();
    m_controls->addViewTabs(m_tabs);
    m_ticker.setInterval(kTickMs);
    connect(&m_ticker, &QTimer::timeout, this, &MainWindow::tick);
    m_ticker.start();
    m_sinceChartRefresh.start();
    updateActions();
    resize(1400, 900);
}

MainWindow::~MainWindow()
{
    if (m_source) {
        m_source->disconnect(this);
        m_source->disconnect(&m_alerts); // stopping it is not a dropped link
    }
}

void MainWindow::buildActions()
{
    m_controls = new OperatorControls(this);
    connect(m_controls, &OperatorControls::timeWindowChanged, this, [this](qint64 ms) {
        for (MetricHistoryChart *c : m_charts)
            c->setWindow(ms);
        refreshCharts(true);
    });
    connect(m_controls, &OperatorControls::pausedChanged, this, &MainWindow::setPaused);
    connect(m_controls, &OperatorControls::findRequested, this, [this] {
        m_tabs->setCurrentWidget(m_log);
        m_log->focusTextFilter();
    });
    m_status = new ClusterStatusBar(this);
    setStatusBar(m_status);
}

// The focus chain follows the order widgets are created in, so they are created in reading
// order: the table, the board, the tabs, the scroll bar.
void MainWindow::buildLayout()
{
    QTableView *table = buildNodeTable();
    m_board = new LoadRankBoard(this);
    m_board->setObjectName(QStringLiteral("loadRankBoard"));
    auto *top = new QSplitter(Qt::Horizontal, this);
    top->setObjectName(QStringLiteral("nodeSplitter"));
    top->addWidget(table);
    top->addWidget(m_board->inScrollArea()); // as tall as its rows; scrolls when shorter
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setSizes({780, 620});
    connect(top, &QSplitter::splitterMoved, this, [this] { m_splitterMoved = true; });
    top->installEventFilter(this); // a resized window shares the top row again

    QTabWidget *tabs = buildViewTabs();
    QScrollBar *scrollBack = buildScrollBack();
    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(tabs);
    bottomLayout->addWidget(scrollBack);

    auto *main = new QSplitter(Qt::Vertical, this);
    m_mainSplitter = main;
    main->setObjectName(QStringLiteral("mainSplitter"));
    connect(main, &QSplitter::splitterMoved, this, [this] { m_splitterMoved = true; });
    main->addWidget(top);
    main->addWidget(bottom);
    // A taller window gives its height to the charts: the table is sized to its rows below.
    main->setStretchFactor(0, 0);
    main->setStretchFactor(1, 1);
    main->setSizes({420, 480}); // the table shows ~18 nodes without scrolling
    // Alerts above everything, until acknowledged (hidden, and taking no room, when none).
    auto *central = new QWidget(this);
    auto *column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    auto *banner = new AlertBanner(&m_alerts, central);
    column->addWidget(banner);
    column->addWidget(main, 1);
    setCentralWidget(central);
    m_controls->addAlertActions(banner->acknowledgeAllAction());
    m_notifier = new DesktopNotifier(&m_alerts, this);
}

QTableView *MainWindow::buildNodeTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("nodeTable"));
    m_table->setModel(&m_sortedNodes);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(NodeTableModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_tableFit = new NodeTableFit(m_table);
    // Values grew wider than when the splitter was fitted to them: fit it again (queued: the
    // fit in progress finishes first).
    connect(m_tableFit, &NodeTableFit::columnsWidened, this, &MainWindow::refitUnlessMoved,
            Qt::QueuedConnection);
    m_table->setAlternatingRowColors(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    m_table->viewport()->installEventFilter(this);
    m_panels = new NodePanelSet(m_history, m_activity, &m_events, this);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        m_panels->open(m_nodes.nameAt(m_sortedNodes.mapToSource(index).row()), m_snapshot,
                       m_controls->timeWindowMs());
    });
    return m_table;
}

QTabWidget *MainWindow::buildViewTabs()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("views"));
    const auto addChart = [this](consolemodel::Metric metric) {
        auto *chart = new MetricHistoryChart(metric, this);
        chart->setWindow(m_controls->timeWindowMs());
        // One choice of scale for the CPU and memory charts, made on either.
        connect(chart, &MetricHistoryChart::fixedScaleToggled, this, [this](bool fixed) {
            for (MetricHistoryChart *c : m_charts)
                c->setFixedScale(fixed);
        });
        m_charts.push_back(chart);
        return chart;
    };
    m_tabs->addTab(addChart(consolemodel::Metric::Cpu), tr("CPU"));
    m_tabs->addTab(addChart(consolemodel::Metric::Memory), tr("Memory"));
    auto *bandwidth = new QWidget(this);
    auto *bw = new QVBoxLayout(bandwidth);
    bw->setContentsMargins(0, 0, 0, 0);
    bw->addWidget(addChart(consolemodel::Metric::TxRate));
    bw->addWidget(addChart(consolemodel::Metric::RxRate));
    m_tabs->addTab(bandwidth, tr("Bandwidth"));
    m_tabs->addTab(addChart(consolemodel::Metric::Load), tr("Load"));
    m_tabs->addTab(buildTaskViews(), tr("Task assignment"));
    m_tabs->addTab(buildStrategyViews(), tr("Strategies"));
    m_log = new EventLogView(&m_events, this);
    m_tabs->addTab(m_log, tr("Events"));
    m_topology = new TopologyView(this);
    m_tabs->addTab(m_topology, tr("Topology"));
    new UnreadAlertsBadge(&m_alerts, m_tabs, m_log); // "Events (3)"
    // Only the visible tab is kept up to date: a tab shown late catches up at once.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        refreshCharts(false);
        refreshTasks();
    });
    return m_tabs;
}

// The job's task stream above the transfer's block map.
QSplitter *MainWindow::buildTaskViews()
{
    auto *tasks = new QSplitter(Qt::Vertical, this);
    tasks->setObjectName(QStringLiteral("taskSplitter"));
    m_stream = new TaskStreamChart(this);
    m_stream->setObjectName(QStringLiteral("taskStream"));
    m_blockMap = new BlockMapWidget(this);
    m_blockMap->setObjectName(QStringLiteral("blockMap"));
    tasks->addWidget(m_stream);
    tasks->addWidget(m_blockMap);
    tasks->setStretchFactor(0, 3);
    tasks->setStretchFactor(1, 2);
    return tasks;
}

// Medians per strategy above predicted against measured per job.
QSplitter *MainWindow::buildStrategyViews()
{
    auto *views = new QSplitter(Qt::Vertical, this);
    views->setObjectName(QStringLiteral("strategySplitter"));
    m_strategies = new StrategyComparisonChart(this);
    m_accuracyView = new QTableView(this);
    m_accuracyView->setObjectName(QStringLiteral("jobAccuracy"));
    m_accuracyView->setModel(&m_accuracy);
    m_accuracyView->verticalHeader()->hide();
    m_accuracyView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Numbers stay beside their headers; the job id column takes what is left.
    m_accuracyView->horizontalHeader()->setSectionResizeMode(JobAccuracyModel::Job,
                                                             QHeaderView::Stretch);
    m_accuracyView->setAlternatingRowColors(true);
    views->addWidget(m_strategies);
    views->addWidget(m_accuracyView);
    views->setStretchFactor(0, 3);
    views->setStretchFactor(1, 2);
    return views;
}

QScrollBar *MainWindow::buildScrollBack()
{
    m_scrollBack = new QScrollBar(Qt::Horizontal, this);
    m_scrollBack->setObjectName(QStringLiteral("scrollBack"));
    m_scrollBack->setToolTip(tr("Paused: scroll back through the kept history"));
    m_scrollBack->hide();
    connect(m_scrollBack, &QScrollBar::valueChanged, this, [this](int seconds) {
        const qint64 end = m_history.firstMs() + qint64(seconds) * 1000;
        for (MetricHistoryChart *c : m_charts)
            c->setEndTime(end);
        refreshCharts(true);
    });
    return m_scrollBack;
}

void MainWindow::adoptSource(std::unique_ptr<consolemodel::ClusterSource> source)
{
    consolemodel::ClusterSource *raw = source.get();
    setSource(raw);
    m_ownedSource = std::move(source);
}

void MainWindow::setSource(consolemodel::ClusterSource *source)
{
    if (m_source) {
        m_source->disconnect(this);
        m_source->disconnect(&m_alerts); // stopping it is not a dropped link
        m_source->stop();
    }
    m_controls->setSource(nullptr); // before the source it sends to may go
    m_ownedSource.reset(); // the previous owned one, if any (a new one may be adopted next)
    m_source = source;
    m_link = consolemodel::LinkState::Disconnected;
    // Another cluster, perhaps: nothing of the previous one's picture may pass for its data.
    m_snapshot = {};
    m_snapshotCount = 0;
    m_nodes.setSnapshot(m_snapshot);
    m_history.clear();
    m_activity.clear();
    m_events.clear();
    m_alerts.clear();
    // A replay's alerts are stamped with its moment and are not told to the desktop.
    const bool live = !source || source->isLive();
    m_notifier->setQuiet(!live);
    m_alerts.setClock(
        live ? consolemodel::AlertTracker::Clock()
             : consolemodel::AlertTracker::Clock([source] { return source->nowMs(); }));
    refreshNow();
    m_controls->setSource(source);
    if (!source)
        return;
    connect(source, &consolemodel::ClusterSource::snapshotReceived, this, &MainWindow::onSnapshot);
    connect(source, &consolemodel::ClusterSource::eventReceived, this, &MainWindow::onEvent);
    connect(source, &consolemodel::ClusterSource::historyReceived, this, &MainWindow::onHistory);
    connect(source, &consolemodel::ClusterSource::historyFailed, this,
            [this](const QString &message) { showNotice(message, false); });
    connect(source, &consolemodel::ClusterSource::linkStateChanged, this, &MainWindow::onLink);
    connect(source, &consolemodel::ClusterSource::snapshotReceived, &m_alerts,
            &consolemodel::AlertTracker::addSnapshot);
    connect(source, &consolemodel::ClusterSource::eventReceived, &m_alerts,
            &consolemodel::AlertTracker::addEvent);
    connect(source, &consolemodel::ClusterSource::linkStateChanged, &m_alerts,
            &consolemodel::AlertTracker::setLink);
    connect(source, &consolemodel::ClusterSource::roundTripMeasured, this,
            [this](qint64 ms) { m_rttMs = ms; });
    source->start();
    emit sourceChanged();
    updateActions();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Paint && watched == m_table->viewport() && m_snapshotUnpainted) {
        m_snapshotUnpainted = false;
        // After this paint returns the frame holds the new rows; report it then.
        const qint64 sequence = m_snapshot.sequence, published = m_snapshot.timeMs;
        QMetaObject::invokeMethod(
            this, [this, sequence, published] { emit snapshotDisplayed(sequence, published); },
            Qt::QueuedConnection);
    }
    // Queued: the resize finishes first, and a splitter drag that caused it counts by then.
    if (event->type() == QEvent::Resize && watched == m_mainSplitter->widget(0) &&
        !m_splitterMoved && m_nodeRows > 0)
        QMetaObject::invokeMethod(this, &MainWindow::refitUnlessMoved, Qt::QueuedConnection);
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::setThresholds(const NodeTableModel::Thresholds &thresholds)
{
    m_nodes.setThresholds(thresholds);
}

void MainWindow::setTimeWindow(qint64 ms)
{
    m_controls->setTimeWindow(ms);
}

qint64 MainWindow::timeWindow() const
{
    return m_controls->timeWindowMs();
}

bool MainWindow::showTab(const QString &title)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabText(i).startsWith(title, Qt::CaseInsensitive)) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

MetricHistoryChart *MainWindow::chart(consolemodel::Metric metric) const
{
    for (MetricHistoryChart *c : m_charts) {
        if (c->metric() == metric)
            return c;
    }
    return nullptr;
}

void MainWindow::onSnapshot(const cluster::ClusterSnapshot &snapshot)
{
    if (m_snapshotCount > 0 && m_sinceSnapshot.isValid())
        m_intervalMs = 0.8 * m_intervalMs + 0.2 * double(m_sinceSnapshot.elapsed());
    m_sinceSnapshot.restart();
    ++m_snapshotCount;
    m_snapshot = snapshot;
    m_snapshotUnpainted = true;
    int slaves = 0;
    for (const cluster::NodeView &n : snapshot.nodes)
        slaves += n.role == cluster::NodeRole::Slave ? 1 : 0;
    setWindowTitle(
        tr("Starling Console: %n slave(s), strategy %1", nullptr, slaves).arg(snapshot.strategy));
    // The table first: it is what an operator reads, and it is cheap.
    m_nodes.setSnapshot(snapshot);
    m_nodes.setStale(false);
    if (snapshot.nodes.size() != m_nodeRows && !m_splitterMoved) {
        m_nodeRows = snapshot.nodes.size();
        fitSplittersToTable();
    }
    m_history.append(snapshot);
    QStringList names;
    for (const cluster::NodeView &n : snapshot.nodes)
        names.append(n.name);
    m_log->setNodes(names);
    m_chartsDirty = true;
    if (m_sinceChartRefresh.elapsed() >= kChartRefreshMs)
        refreshCharts(false);
    m_status->setDrains(snapshot);
    updateActions();
    tick();
}

void MainWindow::onHistory(const std::vector<cluster::NodeHistorySamples> &history)
{
    for (const cluster::NodeHistorySamples &node : history) {
        if (const auto merged = m_history.prefill(node.rank, node.name, node.samples); !merged)
            showNotice(merged.error(), false);
    }
    refreshCharts(true);
    m_tabs->currentWidget()->repaint();
    emit historyDisplayed(m_history.firstMs(), m_history.lastMs());
}

// The table as wide as its columns, as far as the load-rank board keeps room for its bars,
// and as tall as its rows and the board's (at most half the window); the rest for the views.
// Sized against what the splitter can give: its handle and the board's scroll area's minimum
// width (with its scroll bar) are not the table's to take.
void MainWindow::fitSplittersToTable()
{
    m_tableFit->fitNow(); // measures the new rows
    auto *beside = qobject_cast<QSplitter *>(m_mainSplitter->widget(0));
    const int wide = beside->width() - beside->handleWidth();
    const int boardLeast = beside->widget(1)->minimumWidth();
    const int columns = m_tableFit->widthForColumns();
    // In a narrow window the board beside would leave the table too little of its columns:
    // the board folds away (its handle stays at the right edge to drag it back); the table's
    // Load and Rank columns say what it shows.
    const bool fold = wide - boardLeast < columns * 3 / 4;
    const int left =
        fold ? wide : std::clamp(columns, wide / 2, std::max(wide / 2, wide - boardLeast));
    beside->setSizes({left, wide - left});
    m_tableFit->fitNow(); // within the new width
    int slaves = 0;
    for (const cluster::NodeView &n : m_snapshot.nodes)
        slaves += n.role == cluster::NodeRole::Slave ? 1 : 0;
    // The board's rows are 24 px to the table's ~21: its height too, or it scrolls for 4 rows.
    const int boardRows = fold ? 0 : LoadRankBoard::layoutFor(left, slaves, 1, 1).height;
    const int total = m_mainSplitter->height();
    const int top =
        std::clamp(std::max(m_tableFit->heightForRows(), boardRows), total / 5, total / 2);
    m_mainSplitter->setSizes({top, total - top});
}

void MainWindow::refitUnlessMoved()
{
    if (!m_splitterMoved && m_nodeRows > 0)
        fitSplittersToTable();
}

void MainWindow::onEvent(const QJsonObject &event)
{
    // Per-block and per-strip progress is what the task views draw; in the log, hundreds of
    // them per job would bury (and, the log being bounded, push out) the state changes and
    // operator actions the log is for. Jobs and transfers still appear there as they start
    // and end.
    using protocol::EventKind;
    const std::optional<EventKind> kind = protocol::kindOf(event);
    if (!kind || !protocol::isProgress(*kind))
        m_events.append(event);
    if (m_activity.apply(event)) {
        m_tasksDirty = true;
        if (kind == EventKind::JobDone || kind == EventKind::JobStarted ||
            kind == EventKind::TransferPlanned)
            refreshTasks();
    }
}

void MainWindow::onLink(consolemodel::LinkState state, const QString &detail)
{
    m_link = state;
    m_linkDetail = detail;
    tick();
    updateActions();
}

void MainWindow::showNotice(const QString &summary, bool ok)
{
    m_status->showNotice(summary, ok);
}

QString MainWindow::lastAnswer() const
{
    return m_status->notice();
}

bool MainWindow::isStale() const
{
    if (m_link != consolemodel::LinkState::Connected || m_snapshotCount == 0)
        return true;
    if (m_source && !m_source->isLive()) // a replay: paused is not stale
        return false;
    const double limit = std::max(double(m_staleAfterMs), 3 * m_intervalMs);
    return double(m_sinceSnapshot.elapsed()) > limit;
}

void MainWindow::tick()
{
    const bool stale = isStale();
    if (m_snapshotCount > 0 && stale != m_nodes.isStale())
        m_nodes.setStale(stale);
    if (m_snapshotCount > 0)
        m_panels->setStale(stale);
    m_status->setLink(m_link, m_linkDetail, m_source != nullptr);
    m_status->setSnapshotAge(
        m_snapshotCount, m_snapshot.sequence,
        double(m_sinceSnapshot.isValid() ? m_sinceSnapshot.elapsed() : 0) / 1000, m_rttMs, stale);
    if (m_chartsDirty && m_sinceChartRefresh.elapsed() >= kChartRefreshMs)
        refreshCharts(false);
    const consolemodel::LiveJob *job = m_activity.currentJob();
    if (m_tasksDirty || (job && job->state == consolemodel::LiveJob::State::Running))
        refreshTasks();
}

void MainWindow::refreshCharts(bool all)
{
    m_chartsDirty = false;
    m_sinceChartRefresh.restart();
    const qint64 now = m_history.lastMs();
    // Only what is on screen is redrawn; the rest catches up when its tab is shown.
    QWidget *current = m_tabs->currentWidget();
    for (MetricHistoryChart *c : m_charts) {
        if (all || c == current || c->parentWidget() == current)
            c->refresh(m_history, now);
    }
    m_board->update(m_snapshot, m_history, m_controls->timeWindowMs());
    m_topology->update(m_snapshot, m_history);
    m_panels->refresh(m_snapshot, m_controls->timeWindowMs());
    if (m_controls->isPaused()) {
        const qint64 span = std::max<qint64>(0, (m_history.lastMs() - m_history.firstMs()) / 1000);
        m_scrollBack->setRange(0, int(span));
    }
}

void MainWindow::refreshTasks()
{
    m_tasksDirty = false;
    const qint64 now = m_source ? m_source->nowMs() : QDateTime::currentMSecsSinceEpoch();
    if (const consolemodel::LiveJob *job = m_activity.currentJob())
        m_stream->setLiveJob(*job, now);
    else
        m_stream->setTimeline(tr("no image job yet"), {}, {});
    m_blockMap->setTransfer(m_activity.currentTransfer());
    m_strategies->setJobs(m_activity.finishedJobs());
    m_accuracy.setJobs(m_activity.finishedJobs());
}

void MainWindow::refreshNow()
{
    refreshCharts(true);
    refreshTasks();
    tick();
    // Labels and the board changed size: lay them out now, or a grab that follows at once shows
    // the status bar's new texts squeezed into their old, empty widths ("s s").
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

QString MainWindow::statusText() const
{
    return m_status->linkAndAge();
}

QStringList MainWindow::selectedSlaves() const
{
    QStringList names;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        const int row = m_sortedNodes.mapToSource(index).row();
        const cluster::NodeView *node = m_nodes.nodeAt(row);
        if (node && node->role == cluster::NodeRole::Slave)
            names.append(node->name);
    }
    std::sort(names.begin(), names.end(), [](const QString &a, const QString &b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return names;
}

void MainWindow::selectNodes(const QStringList &names)
{
    QItemSelection selection;
    for (int row = 0; row < m_nodes.rowCount(); ++row) {
        if (!names.contains(m_nodes.nameAt(row)))
            continue;
        const QModelIndex left = m_sortedNodes.mapFromSource(m_nodes.index(row, 0));
        const QModelIndex right =
            m_sortedNodes.mapFromSource(m_nodes.index(row, NodeTableModel::ColumnCount - 1));
        selection.select(left, right);
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

void MainWindow::updateActions()
{
    m_controls->updateActions();
}

void MainWindow::setPaused(bool paused)
{
    for (MetricHistoryChart *c : m_charts)
        c->setPaused(paused);
    m_scrollBack->setVisible(paused);
    if (paused) {
        const qint64 span = std::max<qint64>(0, (m_history.lastMs() - m_history.firstMs()) / 1000);
        m_scrollBack->setRange(0, int(span));
        m_scrollBack->setValue(int(span));
    }
    refreshCharts(true);
}

} // namespace starling::ui
