#include "nodepanel.h"

#include "charts/nodesparkline.h"
#include "charts/seriespalette.h"
#include "models/eventlogmodel.h"
#include "models/nodecelltips.h"
#include "models/nodetablemodel.h"
#include "util/valueformat.h"

#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace starling::ui {

using cluster::NodeRole;
using cluster::NodeView;
using consolemodel::Metric;

namespace {

constexpr int kSparkPoints = 300;
constexpr int kMaxTaskRows = 200;
constexpr std::int64_t kOldEstimateMs = 10 * 60'000;
constexpr double kLowConfidence = 0.5;

const char *const kNumberNames[NodePanel::NumberCount] = {
    "CPU",          "Memory",   "Sent", "Received", "Load",     "Load rank",
    "Weight (W_i)", "Assigned", "Work", "Measured", "Heartbeat"};

QString seconds(double s)
{
    return s < 0 ? QStringLiteral("-") : util::formatSeconds(s);
}

QString channelsName(int channels)
{
    return channels == 1 ? NodePanel::tr("grey") : NodePanel::tr("%1 ch").arg(channels);
}

QTableWidget *makeTable(const QStringList &headers, QWidget *parent)
{
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    return table;
}

void setRow(QTableWidget *table, int row, const QStringList &cells, const QColor &foreground = {})
{
    for (int c = 0; c < int(cells.size()); ++c) {
        auto *item = new QTableWidgetItem(cells[c]);
        if (foreground.isValid())
            item->setForeground(foreground);
        table->setItem(row, c, item);
    }
}

QString spanText(qint64 ms)
{
    return ms >= 60'000 ? NodePanel::tr("%1 min").arg(double(ms) / 60'000, 0, 'g', 3)
                        : NodePanel::tr("%1 s").arg(ms / 1000);
}

} // namespace

NodePanel::NodePanel(const QString &node, EventLogModel *events, QWidget *parent)
    : QDialog(parent), m_node(node)
{
    setObjectName(QStringLiteral("nodePanel"));
    setWindowTitle(tr("%1 - Starling node").arg(node));
    setModal(false);
    auto *grid = new QGridLayout(this);
    grid->addWidget(buildHeader(), 0, 0, 1, 2);
    grid->addWidget(buildNumbers(), 1, 0);
    grid->addWidget(buildHistory(), 2, 0, 2, 1);
    grid->addWidget(buildEstimates(), 1, 1);
    grid->addWidget(buildAudit(events), 2, 1);
    grid->addWidget(buildTasks(), 3, 1);
    grid->setColumnStretch(0, 2);
    grid->setColumnStretch(1, 3);
    grid->setRowStretch(2, 1);
    grid->setRowStretch(3, 1);
    resize(1120, 780);
}

QWidget *NodePanel::buildHeader()
{
    auto *header = new QWidget(this);
    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(m_node, header);
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.3);
    m_title->setFont(big);
    m_where = new QLabel(header);
    m_link = new QLabel(header);
    m_state = new QLabel(header);
    m_state->setAutoFillBackground(true);
    m_state->setMargin(3);
    for (QLabel *label : {m_title, m_where, m_link, m_state}) {
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(label);
    }
    return header;
}

QGroupBox *NodePanel::buildNumbers()
{
    m_numbersBox = new QGroupBox(tr("Now"), this);
    auto *form = new QFormLayout(m_numbersBox);
    for (int i = 0; i < NumberCount; ++i) {
        m_numbers[size_t(i)] = new QLabel(QStringLiteral("-"), m_numbersBox);
        m_numbers[size_t(i)]->setWordWrap(true);
        form->addRow(tr(kNumberNames[i]), m_numbers[size_t(i)]);
    }
    return m_numbersBox;
}

QGroupBox *NodePanel::buildHistory()
{
    auto *box = new QGroupBox(tr("History"), this);
    m_historyBox = box;
    auto *layout = new QVBoxLayout(box);
    const auto add = [&](Metric metric, const QString &title, NodeSparkline::Formatter format) {
        auto *line = new NodeSparkline(title, std::move(format), box);
        m_sparklines[metric] = line;
        layout->addWidget(line);
    };
    add(Metric::Cpu, tr("CPU (of one core)"), [](double v) { return util::formatPercent(v); });
    add(Metric::Memory, tr("memory (resident)"), [](double v) { return util::formatBytes(v); });
    add(Metric::TxRate, tr("own traffic"), [](double v) { return util::formatRate(v); });
    add(Metric::Load, tr("load (s / W)"), [](double v) { return QString::number(v, 'g', 3); });
    return box;
}

QGroupBox *NodePanel::buildEstimates()
{
    auto *box = new QGroupBox(tr("The master's estimates"), this);
    auto *layout = new QVBoxLayout(box);
    m_estimates = makeTable(
        {tr("Op class"), tr("Cost"), tr("Confidence"), tr("Age"), tr("Samples"), tr("Source")},
        box);
    m_estimates->setObjectName(QStringLiteral("estimates"));
    // As tall as its rows: the audit trail and the tasks below take the rest.
    m_estimates->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_estimates->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    layout->addWidget(m_estimates);
    layout->addStretch();
    return box;
}

QGroupBox *NodePanel::buildAudit(EventLogModel *events)
{
    auto *box = new QGroupBox(tr("Audit trail (operator actions, state changes, failures)"), this);
    auto *layout = new QVBoxLayout(box);
    using Category = consolemodel::EventLine::Category;
    m_auditFilter.setCategories({Category::State, Category::Operator, Category::Failure});
    m_auditFilter.setNodeFilter(m_node);
    if (events)
        m_auditFilter.setSourceModel(events);
    m_audit = new QTableView(box);
    m_audit->setObjectName(QStringLiteral("audit"));
    m_audit->setModel(&m_auditFilter);
    m_audit->verticalHeader()->hide();
    m_audit->setColumnHidden(EventLogModel::Node, true);
    m_audit->horizontalHeader()->setStretchLastSection(true);
    m_audit->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_audit);
    return box;
}

QGroupBox *NodePanel::buildTasks()
{
    auto *box = new QGroupBox(tr("Tasks and blocks"), this);
    auto *layout = new QVBoxLayout(box);
    m_tasks = makeTable(
        {tr("Job"), tr("Chunk"), tr("Units"), tr("State"), tr("Send"), tr("Compute"), tr("Return")},
        box);
    m_tasks->setObjectName(QStringLiteral("tasks"));
    m_blocks = new QLabel(tr("no transfer yet"), box);
    m_blocks->setWordWrap(true);
    layout->addWidget(m_tasks);
    layout->addWidget(m_blocks);
    return box;
}

void NodePanel::refresh(const cluster::ClusterSnapshot &snapshot,
                        const consolemodel::NodeHistory &history,
                        const consolemodel::TaskActivity &activity, qint64 windowMs)
{
    const NodeView *node = snapshot.nodeByName(m_node);
    showGone(node == nullptr);
    if (node) {
        m_lastSeenMs = snapshot.timeMs;
        showHeader(*node);
        showNumbers(*node, history);
        showEstimates(*node, snapshot.timeMs);
        showHistory(history, node->rank, windowMs);
    }
    // Live phases run to the snapshot's time: the monitor's clock, which the events carry too.
    showTasks(activity,
              snapshot.timeMs > 0 ? snapshot.timeMs : QDateTime::currentMSecsSinceEpoch());
}

void NodePanel::setStale(bool stale)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    showLiveness();
}

// Old numbers must not look live: greyed when the node is gone or the data stopped arriving.
void NodePanel::showLiveness()
{
    const bool live = !m_gone && !m_stale;
    for (QWidget *w : {static_cast<QWidget *>(m_numbersBox), static_cast<QWidget *>(m_historyBox),
                       static_cast<QWidget *>(m_estimates)})
        w->setEnabled(live);
    setWindowTitle(m_gone    ? tr("%1 (gone) - Starling node").arg(m_node)
                   : m_stale ? tr("%1 (stale) - Starling node").arg(m_node)
                             : tr("%1 - Starling node").arg(m_node));
}

void NodePanel::showGone(bool gone)
{
    if (gone == m_gone && !gone)
        return;
    m_gone = gone;
    showLiveness();
    if (!gone)
        return;
    m_title->setText(tr("%1 is gone").arg(m_node));
    m_state->setText(m_lastSeenMs > 0
                         ? tr("not in the cluster's latest snapshot; last seen %1; the values "
                              "below are from then")
                               .arg(celltips::localTime(m_lastSeenMs))
                         : tr("not in the cluster's latest snapshot"));
    m_state->setPalette(palette());
}

void NodePanel::showHeader(const NodeView &node)
{
    m_title->setText(
        tr("%1 - %2, rank %3").arg(node.name, cluster::toString(node.role)).arg(node.rank));
    m_where->setText(tr("host %1 · %2")
                         .arg(node.host.isEmpty() ? tr("unknown") : node.host,
                              node.dataUrl.isEmpty() ? tr("no data server")
                                                     : tr("data server %1").arg(node.dataUrl)));
    if (node.role != NodeRole::Slave)
        m_link->setText(tr("link: its host's (not in the feed)"));
    else if (node.emulation.emulated && node.emulation.linkMBps > 0)
        m_link->setText(tr("link: emulated %1 MB/s, CPU factor %2")
                            .arg(node.emulation.linkMBps, 0, 'g', 4)
                            .arg(node.emulation.cpuFactor, 0, 'g', 3));
    else
        m_link->setText(tr("link: not paced (its capacity is not in the feed)"));
    m_state->setText(celltips::stateTip(node).replace(u'\n', QStringLiteral(" · ")));
    QPalette tinted = palette();
    const QColor tint = NodeTableModel::stateColour(node.state);
    if (tint.isValid() && node.role == NodeRole::Slave)
        tinted.setColor(QPalette::Window,
                        SeriesPalette::blend(palette().color(QPalette::Window),
                                             QColor(tint.red(), tint.green(), tint.blue()),
                                             tint.alphaF()));
    m_state->setPalette(tinted);
}

void NodePanel::showNumbers(const NodeView &node, const consolemodel::NodeHistory &history)
{
    const bool stats = node.heartbeatAgeMs >= 0 || node.stats.sequence > 0;
    const auto set = [this](Number n, const QString &text) {
        m_numbers[size_t(n)]->setText(text);
    };
    const cluster::NodeStats &s = node.stats;
    const auto own = history.latest(node.rank);
    set(Cpu, !stats ? QStringLiteral("-")
                    : tr("%1 of one core (machine %2 of all cores)")
                          .arg(util::formatPercent(s.processCpu), util::formatPercent(s.nodeCpu)));
    set(Memory, !stats ? QStringLiteral("-")
                       : tr("%1 resident (machine %2 of %3 used)")
                             .arg(util::formatBytes(double(s.processRssBytes)),
                                  util::formatBytes(double(s.nodeMemUsedBytes)),
                                  util::formatBytes(double(s.nodeMemTotalBytes))));
    set(Sent,
        !own ? QStringLiteral("-")
             : tr("%1 (its own); %2 in all")
                   .arg(util::formatRate(own->txRate), util::formatBytes(double(s.txBytesTotal))));
    set(Received,
        !own ? QStringLiteral("-")
             : tr("%1 (its own); %2 in all")
                   .arg(util::formatRate(own->rxRate), util::formatBytes(double(s.rxBytesTotal))));
    set(Load, tr("%1 s of work per unit weight").arg(node.load, 0, 'g', 3));
    set(LoadRank, node.loadRank == 0  ? tr("#0 (lightest: gets the next task)")
                  : node.loadRank > 0 ? QStringLiteral("#%1").arg(node.loadRank)
                                      : tr("not ranked (%1)").arg(cluster::toString(node.state)));
    set(Weight, QString::number(node.weight, 'g', 4));
    set(Assigned, tr("%n task(s) given by the master, not yet finished", nullptr, node.assigned));
    set(Work, stats ? celltips::workTip(node) : QStringLiteral("-"));
    set(Measured, tr("T_i %1 per unit task, B_i %2")
                      .arg(s.unitComputeS > 0 ? seconds(s.unitComputeS) : tr("not measured"),
                           s.bandwidthMBps > 0 ? tr("%1 MB/s").arg(s.bandwidthMBps, 0, 'g', 3)
                                               : tr("not measured")));
    set(Heartbeat, node.heartbeatAgeMs < 0
                       ? tr("never heard from")
                       : tr("%1 ago").arg(util::formatAge(node.heartbeatAgeMs)));
}

void NodePanel::showHistory(const consolemodel::NodeHistory &history, int rank, qint64 windowMs)
{
    const qint64 to = history.lastMs();
    const qint64 from = to - std::max<qint64>(1000, windowMs);
    const QColor colour = SeriesPalette::colour(rank - cluster::kFirstSlaveRank);
    for (auto &[metric, line] : m_sparklines) {
        line->setColour(colour);
        const QList<QPointF> first = history.series(rank, metric, from, to, kSparkPoints);
        const QList<QPointF> second =
            metric == Metric::TxRate ? history.series(rank, Metric::RxRate, from, to, kSparkPoints)
                                     : QList<QPointF>();
        line->setSeries(first, second, from, to, {tr("sent"), tr("received")});
        line->setToolTip(tr("%1 over the last %2").arg(line->title(), spanText(to - from)));
    }
}

void NodePanel::showEstimates(const NodeView &node, qint64 nowMs)
{
    if (!node.estimates) {
        m_estimates->setRowCount(1);
        setRow(m_estimates, 0,
               {node.role == NodeRole::Slave ? tr("none yet") : tr("(only slaves are estimated)")});
        return;
    }
    const sched::SlaveCostEstimate &e = *node.estimates;
    m_estimates->setRowCount(int(e.ops.size()) + 1);
    const auto row = [&](int at, const QString &name, const sched::AffineEstimate &a,
                         const QString &cost) {
        const bool old = a.lastSampleMs <= 0 || nowMs - a.lastSampleMs > kOldEstimateMs;
        const bool doubtful = a.confidence < kLowConfidence || old;
        setRow(m_estimates, at,
               {name, cost, util::formatPercent(a.confidence),
                a.lastSampleMs > 0 ? util::formatAge(std::max<qint64>(0, nowMs - a.lastSampleMs))
                                   : tr("never"),
                QString::number(a.samples, 'g', 3), sched::toString(a.source)},
               doubtful ? NodeTableModel::doubtfulTextColour() : QColor());
    };
    for (int i = 0; i < int(e.ops.size()); ++i) {
        const sched::OpCostEstimate &op = e.ops[size_t(i)];
        row(i, QStringLiteral("%1 (%2)").arg(op.op, channelsName(op.channels)), op.compute,
            tr("%1 + %2/MB").arg(seconds(op.compute.fixedS), seconds(op.compute.perMBS)));
    }
    const double rate = e.link.perMBS > 0 ? 1 / e.link.perMBS : 0;
    row(int(e.ops.size()), tr("link"), e.link,
        tr("%1 + %2/MB (%3 MB/s)")
            .arg(seconds(e.link.fixedS), seconds(e.link.perMBS),
                 rate > 0 ? QString::number(rate, 'g', 3) : QStringLiteral("?")));
    m_estimates->resizeColumnsToContents();
}

void NodePanel::showTasks(const consolemodel::TaskActivity &activity, qint64 nowMs)
{
    const consolemodel::LiveJob *job = activity.currentJob();
    if (job && job->id != m_jobId) {
        if (!m_currentStrips.empty())
            m_previousStrips = std::move(m_currentStrips);
        m_jobId = job->id;
    }
    m_currentStrips = job ? NodeWork::strips(*job, m_node, nowMs) : std::vector<NodeStrip>{};
    std::vector<const NodeStrip *> rows;
    for (const auto *list : {&m_currentStrips, &m_previousStrips}) {
        for (const NodeStrip &s : *list)
            rows.push_back(&s);
    }
    m_tasks->setRowCount(std::min(int(rows.size()), kMaxTaskRows));
    for (int i = 0; i < m_tasks->rowCount(); ++i) {
        const NodeStrip &s = *rows[size_t(i)];
        setRow(m_tasks, i,
               {QStringLiteral("%1 %2").arg(s.job.left(8), s.op), QString::number(s.chunk),
                QStringLiteral("%1 (from %2)").arg(s.units).arg(s.firstUnit), s.state,
                seconds(s.sendS), seconds(s.computeS), seconds(s.returnS)});
    }
    m_tasks->resizeColumnsToContents();
    const consolemodel::LiveTransfer *transfer = activity.currentTransfer();
    if (!transfer) {
        m_blocks->setText(tr("blocks: no transfer yet"));
        return;
    }
    const NodeBlocks b = NodeWork::blocks(*transfer, m_node);
    m_blocks->setText(
        tr("blocks of %1 (%2): served %3 of the %4 planned for it, of %5 in the file%6")
            .arg(b.path, b.transfer)
            .arg(b.served)
            .arg(b.planned)
            .arg(b.total)
            .arg(b.servedRanges.isEmpty() ? QString() : tr("; served: %1").arg(b.servedRanges)));
}

QString NodePanel::headerText() const
{
    return QStringList{m_title->text(), m_where->text(), m_link->text(), m_state->text()}.join(
        u'\n');
}

QString NodePanel::numberText(Number number) const
{
    return m_numbers[size_t(number)]->text();
}

NodeSparkline *NodePanel::sparkline(Metric metric) const
{
    const auto it = m_sparklines.find(metric);
    return it == m_sparklines.end() ? nullptr : it->second;
}

QString NodePanel::blocksText() const
{
    return m_blocks->text();
}

} // namespace starling::ui
