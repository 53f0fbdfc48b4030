#include "operatorcontrols.h"

#include "charts/metrichistorychart.h"
#include "charts/pngexport.h"
#include "consolemodel/bridgeclustersource.h"
#include "consolemodel/operatoractions.h"
#include "windows/connectdialog.h"
#include "windows/draindialog.h"
#include "windows/mainwindow.h"
#include "windows/strategydialog.h"
#include "windows/weightdialog.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QTabWidget>
#include <QToolBar>

namespace starling::ui {

namespace {

const char *const kWindowNames[] = {"1 min", "5 min", "15 min", "1 h"};
constexpr int kDefaultWindow = 1; // 5 min

// Shortcuts of our own: none is one of Qt's standard keys (tst_consolealerts checks it on the
// platform it runs on), and those that change the cluster need Shift, so no stray Ctrl+letter
// drains a slave.
const QKeySequence kDrainKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_D);
const QKeySequence kResumeKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_R);
const QKeySequence kWeightKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_W);
const QKeySequence kStrategyKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_T);
const QKeySequence kPauseKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_P);
const QKeySequence kExportKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
const QKeySequence kAcknowledgeKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_K);

} // namespace

OperatorControls::OperatorControls(MainWindow *window) : QObject(window), m_window(window)
{
    buildActions();
    buildToolBar();
    buildMenus();
}

OperatorControls::~OperatorControls() = default;

void OperatorControls::buildActions()
{
    const auto make = [this](const QString &text, const QKeySequence &keys, const QString &tip) {
        auto *action = new QAction(text, m_window);
        action->setShortcut(keys);
        action->setToolTip(
            keys.isEmpty() ? tip : tr("%1 (%2)").arg(tip, keys.toString(QKeySequence::NativeText)));
        m_window->addAction(action); // shortcuts work with the menu bar hidden too
        return action;
    };
    m_connect = make(tr("&Connect..."), QKeySequence::Open,
                     tr("Connect to a cluster by run directory or address"));
    m_drain = make(tr("&Drain..."), kDrainKeys,
                   tr("Take the selected slaves out of service "
                      "gracefully"));
    m_resume = make(tr("&Resume"), kResumeKeys, tr("Bring the selected slaves back to ACTIVE"));
    m_weight = make(tr("&Weight..."), kWeightKeys,
                    tr("Set W_i of the selected slaves, with a preview of the shares"));
    m_strategy = make(tr("&Strategy..."), kStrategyKeys,
                      tr("Set the cluster's distribution strategy and PDDS weights"));
    m_find = make(tr("&Find in events"), QKeySequence::Find,
                  tr("Show the event log and type to filter it"));
    m_pause = make(tr("&Pause"), kPauseKeys,
                   tr("Freeze the charts and scroll back through the kept history"));
    m_pause->setCheckable(true);
    m_exportCsv = make(tr("&Export CSV..."), kExportKeys, tr("Every slave's kept history as CSV"));
    m_savePng = make(tr("Save &PNG..."), QKeySequence::Save,
                     tr("The chart on show (or the whole window) as a PNG"));
    m_quit = make(tr("&Quit"), QKeySequence::Quit, tr("Close the console"));
    connect(m_connect, &QAction::triggered, this, &OperatorControls::openConnectDialog);
    connect(m_drain, &QAction::triggered, this, &OperatorControls::openDrainDialog);
    connect(m_resume, &QAction::triggered, this, &OperatorControls::resumeSelected);
    connect(m_weight, &QAction::triggered, this, &OperatorControls::openWeightDialog);
    connect(m_strategy, &QAction::triggered, this, &OperatorControls::openStrategyDialog);
    connect(m_find, &QAction::triggered, this, &OperatorControls::findRequested);
    connect(m_pause, &QAction::toggled, this, &OperatorControls::pausedChanged);
    connect(m_exportCsv, &QAction::triggered, this, &OperatorControls::exportHistory);
    connect(m_savePng, &QAction::triggered, this, &OperatorControls::saveViewPng);
    connect(m_quit, &QAction::triggered, m_window, &QWidget::close);
}

void OperatorControls::buildToolBar()
{
    QToolBar *bar = m_window->addToolBar(tr("Cluster"));
    bar->setObjectName(QStringLiteral("clusterToolBar"));
    bar->setMovable(false);
    bar->addAction(m_connect);
    bar->addSeparator();
    bar->addActions({m_drain, m_resume, m_weight, m_strategy});
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" window "), m_window));
    m_timeWindow = new QComboBox(m_window);
    m_timeWindow->setObjectName(QStringLiteral("timeWindow"));
    for (size_t i = 0; i < MetricHistoryChart::kWindows.size(); ++i)
        m_timeWindow->addItem(tr(kWindowNames[i]), qlonglong(MetricHistoryChart::kWindows[i]));
    m_timeWindow->setCurrentIndex(kDefaultWindow);
    connect(m_timeWindow, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (QAction *choice = m_windowChoices->actions().value(index))
            choice->setChecked(true);
        emit timeWindowChanged(timeWindowMs());
    });
    bar->addWidget(m_timeWindow);
    bar->addAction(m_pause);
    bar->addSeparator();
    bar->addActions({m_exportCsv, m_savePng});
}

void OperatorControls::buildMenus()
{
    QMenuBar *menus = m_window->menuBar();
    QMenu *file = menus->addMenu(tr("&File"));
    file->addActions({m_exportCsv, m_savePng});
    file->addSeparator();
    file->addAction(m_quit);
    QMenu *cluster = menus->addMenu(tr("&Cluster"));
    cluster->addAction(m_connect);
    cluster->addSeparator();
    cluster->addActions({m_drain, m_resume, m_weight, m_strategy});
    m_viewMenu = menus->addMenu(tr("&View"));
    m_viewMenu->addAction(m_find);
    m_viewMenu->addSeparator();
    m_viewMenu->addMenu(buildWindowMenu());
    m_viewMenu->addAction(m_pause);
    m_viewMenu->addSeparator();
}

// The same choice as the toolbar's combo box, kept in step both ways.
QMenu *OperatorControls::buildWindowMenu()
{
    auto *menu = new QMenu(tr("Time &window"), m_window);
    m_windowChoices = new QActionGroup(this);
    for (int i = 0; i < m_timeWindow->count(); ++i) {
        QAction *choice = menu->addAction(m_timeWindow->itemText(i));
        choice->setCheckable(true);
        choice->setChecked(i == m_timeWindow->currentIndex());
        m_windowChoices->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, i] { m_timeWindow->setCurrentIndex(i); });
    }
    return menu;
}

void OperatorControls::addViewTabs(QTabWidget *tabs)
{
    m_tabs = tabs;
    for (int i = 0; i < tabs->count() && i < 9; ++i) {
        QAction *show = m_viewMenu->addAction(tabs->tabText(i));
        show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        m_window->addAction(show);
        connect(show, &QAction::triggered, this, [tabs, i] { tabs->setCurrentIndex(i); });
    }
}

void OperatorControls::addAlertActions(QAction *acknowledgeAll)
{
    acknowledgeAll->setShortcut(kAcknowledgeKeys);
    m_window->addAction(acknowledgeAll);
    m_viewMenu->insertAction(m_viewMenu->actions().value(1), acknowledgeAll);
}

qint64 OperatorControls::timeWindowMs() const
{
    return m_timeWindow->currentData().toLongLong();
}

bool OperatorControls::setTimeWindow(qint64 ms)
{
    const int at = m_timeWindow->findData(qlonglong(ms));
    if (at >= 0)
        m_timeWindow->setCurrentIndex(at);
    return at >= 0;
}

bool OperatorControls::isPaused() const
{
    return m_pause->isChecked();
}

void OperatorControls::setSource(consolemodel::ClusterSource *source)
{
    delete m_actions;
    m_actions = nullptr;
    m_source = source;
    if (source) {
        m_actions = new consolemodel::OperatorActions(source, this);
        connect(m_actions, &consolemodel::OperatorActions::answered, m_window,
                &MainWindow::showNotice);
    }
    updateActions();
}

void OperatorControls::updateActions()
{
    const bool commands = m_source && m_source->acceptsCommands() &&
                          m_window->linkState() == consolemodel::LinkState::Connected;
    m_drain->setEnabled(commands && !selectedIn(true).isEmpty());
    m_resume->setEnabled(commands && !selectedIn(false).isEmpty());
    m_weight->setEnabled(commands && !m_window->selectedSlaves().isEmpty());
    m_strategy->setEnabled(commands);
    m_exportCsv->setEnabled(!m_window->history().ranks().empty());
}

QStringList OperatorControls::selectedIn(bool active) const
{
    QStringList nodes;
    for (const QString &name : m_window->selectedSlaves()) {
        const cluster::NodeView *n = m_window->snapshot().nodeByName(name);
        if (n && (n->state == cluster::NodeState::Active) == active)
            nodes.append(name);
    }
    return nodes;
}

void OperatorControls::openConnectDialog()
{
    auto *dialog = new ConnectDialog(QString(), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, m_window, [this, dialog] {
        m_window->adoptSource(std::make_unique<consolemodel::BridgeClusterSource>(
            dialog->resolver(), QStringLiteral("starling-console")));
    });
    dialog->open();
}

void OperatorControls::openDrainDialog()
{
    const QStringList nodes = selectedIn(true);
    if (nodes.isEmpty() || !m_actions || !m_drain->isEnabled())
        return;
    auto *dialog = new DrainDialog(nodes, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (m_actions)
            m_actions->drain(dialog->nodes(), dialog->reason());
    });
    dialog->open();
}

void OperatorControls::resumeSelected()
{
    const QStringList nodes = selectedIn(false);
    if (!nodes.isEmpty() && m_actions && m_resume->isEnabled())
        m_actions->resume(nodes, QString());
}

void OperatorControls::openWeightDialog()
{
    const QStringList nodes = m_window->selectedSlaves();
    if (nodes.isEmpty() || !m_actions || !m_weight->isEnabled())
        return;
    auto *dialog = new WeightDialog(m_window->snapshot(), nodes, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (m_actions)
            m_actions->setWeight(dialog->nodes(), dialog->weight(), dialog->reason());
    });
    dialog->open();
}

void OperatorControls::openStrategyDialog()
{
    if (!m_actions || !m_strategy->isEnabled())
        return;
    const cluster::ClusterSnapshot &s = m_window->snapshot();
    auto *dialog = new StrategyDialog(s.strategy, s.w1, s.w2, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (m_actions)
            m_actions->setStrategy(dialog->strategy(), dialog->w1(), dialog->w2(),
                                   dialog->reason());
    });
    dialog->open();
}

void OperatorControls::exportHistory()
{
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export history"),
                                                      QStringLiteral("starling-history.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !m_window->history().writeCsv(file)) {
        m_window->showNotice(tr("cannot write %1: %2").arg(path, file.errorString()), false);
        return;
    }
    m_window->showNotice(tr("history written to %1").arg(path), true);
}

void OperatorControls::saveViewPng()
{
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Save as PNG"), QStringLiteral("starling-view.png"), tr("PNG images (*.png)"));
    if (path.isEmpty() || !m_tabs)
        return;
    QWidget *view = m_tabs->currentWidget();
    const QString error = saveWidgetPng(view, view->size(), path);
    m_window->showNotice(error.isEmpty() ? tr("saved %1").arg(path) : error, error.isEmpty());
}

} // namespace starling::ui
