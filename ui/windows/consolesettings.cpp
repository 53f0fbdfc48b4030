#include "consolesettings.h"

#include "charts/metrichistorychart.h"
#include "windows/mainwindow.h"
#include "windows/nodetablefit.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QRegularExpression>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace starling::ui {

namespace {

// Bumped when a value changes meaning; a file with another format is not read at all.
constexpr int kFormat = 1;
constexpr qsizetype kMaxBlob = 64 * 1024; // a window's state is a few hundred bytes
constexpr double kMiB = 1048576;
// The command line's bounds (--cpu-warn etc.), in the same units: % of one core and MiB.
constexpr double kMaxCpuPct = 10000;
constexpr double kMaxMemMiB = 1e9;

const QString kFormatKey = QStringLiteral("format");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kSplittersByOperator = QStringLiteral("layout/splittersByOperator");
const QString kHeader = QStringLiteral("nodeTable/header");
const QString kColumnCount = QStringLiteral("nodeTable/columns");
const QString kColumnsByOperator = QStringLiteral("nodeTable/widthsByOperator");
const QString kTimeWindow = QStringLiteral("views/timeWindowMs");
const QString kTab = QStringLiteral("views/tab");
const QString kFixedScale = QStringLiteral("views/fixedScale");
const QString kCpuWarn = QStringLiteral("thresholds/cpuWarnPct");
const QString kCpuCritical = QStringLiteral("thresholds/cpuCriticalPct");
const QString kMemWarn = QStringLiteral("thresholds/memWarnMiB");
const QString kMemCritical = QStringLiteral("thresholds/memCriticalMiB");

// The splitters by their object names in MainWindow; the first two frame the node table and
// are fitted to it unless the operator moved them.
struct SplitterKey
{
    const char *objectName;
    const char *key;
    bool fittedToTable;
};
constexpr std::array<SplitterKey, 4> kSplitters = {{
    {"mainSplitter", "layout/main", true},
    {"nodeSplitter", "layout/beside", true},
    {"taskSplitter", "layout/tasks", false},
    {"strategySplitter", "layout/strategies", false},
}};

QSplitter *splitterOf(const MainWindow &window, const SplitterKey &s)
{
    return window.findChild<QSplitter *>(QLatin1String(s.objectName));
}

NodeTableFit *tableFitOf(const MainWindow &window)
{
    return window.nodeView()->findChild<NodeTableFit *>();
}

// "true" or "false" as QSettings writes a bool; anything else is nullopt.
std::optional<bool> strictBool(const QVariant &v)
{
    if (v.typeId() == QMetaType::Bool)
        return v.toBool();
    const QString text = v.toString();
    if (text == QLatin1String("true") || text == QLatin1String("false"))
        return text == QLatin1String("true");
    return std::nullopt;
}

std::optional<double> numberIn(const QVariant &v, double lo, double hi)
{
    bool ok = false;
    const double x = v.toString().toDouble(&ok);
    if (!ok || !std::isfinite(x) || x < lo || x > hi)
        return std::nullopt;
    return x;
}

// A tab's name without what is counted on it now ("Events (3)" is the Events tab), so the
// tab on show is found again whatever the alerts were when the console closed.
QString tabName(const QTabWidget *tabs, int index)
{
    static const QRegularExpression count(QStringLiteral(" \\(\\d+\\)$"));
    return tabs->tabText(index).remove(count);
}

} // namespace

QStringList ConsoleSettings::restore(MainWindow &window) const
{
    if (m_store.allKeys().isEmpty()) {
        // A first start, or a file with nothing QSettings could read in it.
        const QFileInfo file(m_store.fileName());
        return file.exists() && file.size() > 0 ? QStringList{kFormatKey} : QStringList{};
    }
    if (m_store.status() != QSettings::NoError ||
        m_store.value(kFormatKey).toString() != QString::number(kFormat))
        return {kFormatKey}; // not a file we wrote: nothing in it is trusted
    QStringList ignored;
    restoreWindow(window, ignored);
    restoreSplitters(window, ignored);
    restoreColumns(window, ignored);
    restoreViews(window, ignored);
    restoreThresholds(window, ignored);
    return ignored;
}

QByteArray ConsoleSettings::blob(const QString &key, QStringList &ignored) const
{
    const QVariant v = m_store.value(key);
    if (!v.isValid())
        return {};
    if (v.typeId() != QMetaType::QByteArray || v.toByteArray().isEmpty() ||
        v.toByteArray().size() > kMaxBlob) {
        ignored.append(key);
        return {};
    }
    return v.toByteArray();
}

void ConsoleSettings::restoreWindow(MainWindow &window, QStringList &ignored) const
{
    if (const QByteArray geometry = blob(kGeometry, ignored);
        !geometry.isEmpty() && !window.restoreGeometry(geometry))
        ignored.append(kGeometry);
    if (const QByteArray state = blob(kState, ignored);
        !state.isEmpty() && !window.restoreState(state))
        ignored.append(kState);
}

void ConsoleSettings::restoreSplitters(MainWindow &window, QStringList &ignored) const
{
    bool byOperator = false;
    if (m_store.contains(kSplittersByOperator)) {
        const std::optional<bool> flag = strictBool(m_store.value(kSplittersByOperator));
        if (!flag)
            ignored.append(kSplittersByOperator);
        byOperator = flag.value_or(false);
    }
    bool restored = false;
    for (const SplitterKey &s : kSplitters) {
        const QString key = QLatin1String(s.key);
        QSplitter *splitter = splitterOf(window, s);
        const QByteArray state = blob(key, ignored);
        if (!splitter || state.isEmpty() || (s.fittedToTable && !byOperator))
            continue;
        const QList<int> before = splitter->sizes();
        const Qt::Orientation orientation = splitter->orientation();
        // The state carries the orientation too: a foreign one must not turn the layout.
        if (!splitter->restoreState(state) || splitter->sizes().size() != before.size() ||
            splitter->orientation() != orientation) {
            splitter->setOrientation(orientation);
            splitter->setSizes(before);
            ignored.append(key);
        } else {
            restored |= s.fittedToTable;
        }
    }
    // Rows coming and going must not undo what the operator arranged.
    if (restored)
        window.setSplittersByOperator(true);
}

void ConsoleSettings::restoreColumns(MainWindow &window, QStringList &ignored) const
{
    QHeaderView *header = window.nodeView()->horizontalHeader();
    const QByteArray state = blob(kHeader, ignored);
    if (state.isEmpty())
        return;
    const std::optional<bool> byOperator = strictBool(m_store.value(kColumnsByOperator));
    // Another build's columns: their order and widths would land on the wrong ones.
    if (m_store.value(kColumnCount).toString() != QString::number(header->count()) || !byOperator) {
        ignored.append(kHeader);
        return;
    }
    const QByteArray before = header->saveState();
    if (!header->restoreState(state) || header->count() != m_store.value(kColumnCount).toInt()) {
        header->restoreState(before);
        ignored.append(kHeader);
        return;
    }
    // The sort the header shows is the one the rows get.
    window.nodeView()->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
    if (NodeTableFit *fit = tableFitOf(window))
        fit->setOperatorSized(*byOperator); // else the widths are refitted to what is shown
}

void ConsoleSettings::restoreViews(MainWindow &window, QStringList &ignored) const
{
    if (m_store.contains(kTimeWindow)) {
        bool ok = false;
        const qint64 ms = m_store.value(kTimeWindow).toString().toLongLong(&ok);
        const auto &choices = MetricHistoryChart::kWindows;
        if (ok && std::find(choices.begin(), choices.end(), ms) != choices.end())
            window.setTimeWindow(ms);
        else
            ignored.append(kTimeWindow);
    }
    if (m_store.contains(kTab)) {
        const QString title = m_store.value(kTab).toString();
        QTabWidget *tabs = window.tabs();
        int at = -1;
        for (int i = 0; i < tabs->count() && at < 0; ++i)
            at = tabName(tabs, i) == title ? i : -1;
        if (at >= 0)
            tabs->setCurrentIndex(at);
        else
            ignored.append(kTab);
    }
    if (m_store.contains(kFixedScale)) {
        const std::optional<bool> fixed = strictBool(m_store.value(kFixedScale));
        if (fixed) {
            for (consolemodel::Metric m : {consolemodel::Metric::Cpu, consolemodel::Metric::Memory})
                window.chart(m)->setFixedScale(*fixed);
        } else {
            ignored.append(kFixedScale);
        }
    }
}

// All four or none: a warn level from one file and a critical one from the defaults could
// cross.
void ConsoleSettings::restoreThresholds(MainWindow &window, QStringList &ignored) const
{
    const std::array<QString, 4> keys = {kCpuWarn, kCpuCritical, kMemWarn, kMemCritical};
    if (std::none_of(keys.begin(), keys.end(),
                     [this](const QString &k) { return m_store.contains(k); }))
        return;
    const auto cpuW = numberIn(m_store.value(kCpuWarn), 0, kMaxCpuPct);
    const auto cpuC = numberIn(m_store.value(kCpuCritical), 0, kMaxCpuPct);
    const auto memW = numberIn(m_store.value(kMemWarn), 0, kMaxMemMiB);
    const auto memC = numberIn(m_store.value(kMemCritical), 0, kMaxMemMiB);
    if (!cpuW || !cpuC || !memW || !memC || *cpuW > *cpuC || *memW > *memC) {
        ignored.append(QStringLiteral("thresholds"));
        return;
    }
    NodeTableModel::Thresholds t = window.nodeModel().thresholds();
    t.cpuWarn = *cpuW / 100;
    t.cpuCritical = *cpuC / 100;
    t.memWarnBytes = *memW * kMiB;
    t.memCriticalBytes = *memC * kMiB;
    window.setThresholds(t);
}

bool ConsoleSettings::save(const MainWindow &window, bool withThresholds)
{
    m_store.setValue(kFormatKey, kFormat);
    m_store.setValue(kGeometry, window.saveGeometry());
    m_store.setValue(kState, window.saveState());
    for (const SplitterKey &s : kSplitters) {
        if (const QSplitter *splitter = splitterOf(window, s))
            m_store.setValue(QLatin1String(s.key), splitter->saveState());
    }
    m_store.setValue(kSplittersByOperator, window.splittersByOperator());
    const QHeaderView *header = window.nodeView()->horizontalHeader();
    m_store.setValue(kHeader, header->saveState());
    m_store.setValue(kColumnCount, header->count());
    const NodeTableFit *fit = tableFitOf(window);
    m_store.setValue(kColumnsByOperator, fit && fit->isOperatorSized());
    m_store.setValue(kTimeWindow, window.timeWindow());
    m_store.setValue(kTab, tabName(window.tabs(), window.tabs()->currentIndex()));
    m_store.setValue(kFixedScale, window.chart(consolemodel::Metric::Cpu)->isFixedScale());
    if (withThresholds) {
        const NodeTableModel::Thresholds t = window.nodeModel().thresholds();
        m_store.setValue(kCpuWarn, t.cpuWarn * 100);
        m_store.setValue(kCpuCritical, t.cpuCritical * 100);
        m_store.setValue(kMemWarn, t.memWarnBytes / kMiB);
        m_store.setValue(kMemCritical, t.memCriticalBytes / kMiB);
    }
    m_store.sync();
    // FormatError is what reading a corrupt file left; this file has just been rewritten.
    return m_store.status() != QSettings::AccessError;
}

void ConsoleSettings::forget()
{
    m_store.clear();
    m_store.sync();
}

} // namespace starling::ui
