#include "nodetablemodel.h"

#include "nodecelltips.h"
#include "util/valueformat.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace starling::ui {

using cluster::NodeRole;
using cluster::NodeState;
using cluster::NodeView;
using namespace celltips;

namespace {

constexpr int kTintAlpha = 110;

QString dash()
{
    return QStringLiteral("-");
}

bool isSlave(const NodeView &node)
{
    return node.role == NodeRole::Slave;
}

// Master and monitor send no heartbeats; their stats are zeros, not measurements.
bool hasStats(const NodeView &node)
{
    return node.heartbeatAgeMs >= 0 || node.stats.sequence > 0;
}

QString stateText(const NodeView &node)
{
    QString text = cluster::toString(node.state);
    if (node.state == NodeState::Draining && node.drainEtaS >= 0) {
        text += node.drainEtaS < 59.5
                    ? QStringLiteral(" ~%1 s").arg(std::llround(node.drainEtaS))
                    : QStringLiteral(" ~%1").arg(util::formatSeconds(node.drainEtaS));
    }
    return text;
}

struct ColumnTitle
{
    const char *title;
    const char *toolTip;
};

constexpr std::array<ColumnTitle, NodeTableModel::ColumnCount> kTitles{{
    {"Node", "Node name: master (rank 0), monitor (rank 1), slave-N (MPI rank N)"},
    {"Role", "master, monitor or slave"},
    {"State", "ACTIVE, DRAINING (no new tasks; ~ETA to DRAINED), DRAINED (idle) from operators; "
              "SUSPECT and DOWN from the failure detector"},
    {"W", "W_i: the node's weight in the load model (load_i = pending cost / W_i)"},
    {"Load", "load_i: pending work plus CPU, network, connection and queue terms, divided by "
             "W_i, in seconds of standard-node work"},
    {"Rank", "Load rank: 0 = lightest ACTIVE slave (gets the next task); - = not ranked"},
    {"Estimate", "The master's compute estimate for the op it measured last: cost per MB of "
                 "input · confidence · age of the newest sample; dimmed when the confidence is "
                 "low or the sample old (- = not estimated yet)"},
    {"CPU", "CPU use of the slave process, in % of one core"},
    {"RSS", "Resident memory of the slave process"},
    {"Tx/s", "Bytes per second the node's host link sends; where the link is shared (one machine, "
             "loopback), what the process itself sends"},
    {"Rx/s", "Bytes per second the node's host link receives; where the link is shared (one "
             "machine, loopback), what the process itself receives"},
    {"Conn", "Established TCP connections of the process"},
    {"Queue", "Tasks waiting in the slave's queue"},
    {"Run", "Tasks running on the slave now"},
    {"T_i", "T_i: measured seconds per unit task on this slave (- = not measured yet)"},
    {"B_i", "B_i: measured bandwidth to this slave (- = not measured yet)"},
    {"Heartbeat", "Time since the slave's last heartbeat (- = never heard from)"},
}};

} // namespace

NodeTableModel::NodeTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void NodeTableModel::setSnapshot(const cluster::ClusterSnapshot &snapshot)
{
    // A snapshot off the wire may repeat a rank; the first one wins, like ClusterSnapshot::node.
    std::vector<NodeView> incoming;
    std::set<int> seen;
    for (const NodeView &node : snapshot.nodes) {
        if (seen.insert(node.rank).second)
            incoming.push_back(node);
    }
    std::sort(incoming.begin(), incoming.end(),
              [](const NodeView &a, const NodeView &b) { return a.rank < b.rank; });

    // Gone nodes: remove contiguous runs from the bottom so earlier row numbers stay valid.
    for (int row = int(m_nodes.size()) - 1; row >= 0;) {
        if (seen.count(m_nodes[size_t(row)].rank)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !seen.count(m_nodes[size_t(first - 1)].rank))
            --first;
        beginRemoveRows({}, first, row);
        m_nodes.erase(m_nodes.begin() + first, m_nodes.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }
    rebuildRowMap();

    // Nodes still here: compare what the wire says about them (every field a cell or a
    // tooltip shows is in toJson).
    std::vector<int> changed;
    std::vector<const NodeView *> added;
    for (const NodeView &node : incoming) {
        const int row = rowOfRank(node.rank);
        if (row < 0) {
            added.push_back(&node);
            continue;
        }
        NodeView &current = m_nodes[size_t(row)];
        updateOwnRates(node);
        if (current.toJson() != node.toJson()) {
            current = node;
            changed.push_back(row);
        }
    }
    emitRowsChanged(changed);
    insertNodes(added);
    refreshEstimateAges(snapshot.timeMs);
}

// New nodes, each at its place in rank order.
void NodeTableModel::insertNodes(const std::vector<const NodeView *> &added)
{
    for (const NodeView *node : added) {
        updateOwnRates(*node);
        const auto at = std::lower_bound(
            m_nodes.begin(), m_nodes.end(), node->rank,
            [](const NodeView &existing, int rank) { return existing.rank < rank; });
        const int row = int(at - m_nodes.begin());
        beginInsertRows({}, row, row);
        m_nodes.insert(at, *node);
        rebuildRowMap();
        endInsertRows();
    }
}

// An estimate's age grows with every snapshot though the estimate itself has not changed.
void NodeTableModel::refreshEstimateAges(std::int64_t snapshotMs)
{
    if (snapshotMs == m_snapshotMs)
        return;
    m_snapshotMs = snapshotMs;
    const bool any = std::any_of(m_nodes.begin(), m_nodes.end(),
                                 [](const NodeView &n) { return n.estimates.has_value(); });
    if (any)
        emit dataChanged(index(0, Estimate), index(rowCount() - 1, Estimate));
}

void NodeTableModel::updateOwnRates(const NodeView &node)
{
    OwnRates &own = m_ownRates[node.rank];
    const std::int64_t at = node.stats.sampledAtMs;
    if (at <= own.sampledAtMs)
        return; // the same sample again
    const double seconds = (at - own.sampledAtMs) / 1000.0;
    const bool continued = own.sampledAtMs > 0 && node.stats.txBytesTotal >= own.txTotal &&
                           node.stats.rxBytesTotal >= own.rxTotal;
    // A counter that went down is a restarted process: a new baseline, not a negative rate.
    own.tx = continued ? (node.stats.txBytesTotal - own.txTotal) / seconds : 0;
    own.rx = continued ? (node.stats.rxBytesTotal - own.rxTotal) / seconds : 0;
    own.sampledAtMs = at;
    own.txTotal = node.stats.txBytesTotal;
    own.rxTotal = node.stats.rxBytesTotal;
}

std::pair<double, double> NodeTableModel::shownRates(const NodeView &node) const
{
    if (!node.stats.linkShared)
        return {node.stats.txBytesPerS, node.stats.rxBytesPerS};
    const auto it = m_ownRates.find(node.rank);
    return it == m_ownRates.end() ? std::pair{0.0, 0.0} : std::pair{it->second.tx, it->second.rx};
}

void NodeTableModel::emitRowsChanged(const std::vector<int> &rows)
{
    if (rows.empty())
        return;
    // Past half the table, one signal is cheaper for every view than a signal per row.
    if (rows.size() * 2 > m_nodes.size()) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    for (const int row : rows)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void NodeTableModel::rebuildRowMap()
{
    m_rowOfRank.clear();
    for (size_t row = 0; row < m_nodes.size(); ++row)
        m_rowOfRank[m_nodes[row].rank] = int(row);
}

void NodeTableModel::setThresholds(const Thresholds &thresholds)
{
    m_thresholds = thresholds;
    if (!m_nodes.empty()) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1),
                         {Qt::BackgroundRole, Qt::ForegroundRole, Qt::ToolTipRole});
    }
}

void NodeTableModel::setStale(bool stale)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    if (!m_nodes.empty()) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1),
                         {Qt::ForegroundRole, Qt::BackgroundRole, Qt::ToolTipRole});
    }
}

int NodeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_nodes.size());
}

int NodeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NodeView &node = m_nodes[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(node, column);
    case Qt::ToolTipRole:
        return toolTip(node, column);
    case Qt::BackgroundRole:
        return background(node, column);
    case Qt::ForegroundRole:
        return foreground(node, column);
    case Qt::TextAlignmentRole:
        return column <= State ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                               : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole:
        return sortValue(node, column);
    case RankRole:
        return node.rank;
    case NameRole:
        return node.name;
    case StateRole:
        return int(node.state);
    default:
        return {};
    }
}

QVariant NodeTableModel::display(const NodeView &node, int column) const
{
    const bool slave = isSlave(node);
    const bool stats = hasStats(node);
    switch (column) {
    case Name:
        return node.name;
    case Role:
        return cluster::toString(node.role);
    case State:
        return slave ? stateText(node) : dash();
    case Weight:
        return slave ? QString::number(node.weight) : dash();
    case Load:
        return slave ? QString::number(node.load, 'f', 2) : dash();
    case LoadRank:
        return node.loadRank >= 0 ? QString::number(node.loadRank) : dash();
    case Cpu:
        return stats ? util::formatPercent(node.stats.processCpu) : dash();
    case Memory:
        return node.stats.processRssBytes > 0
                   ? util::formatBytes(double(node.stats.processRssBytes))
                   : dash();
    case Tx:
        return stats ? util::formatRate(shownRates(node).first) : dash();
    case Rx:
        return stats ? util::formatRate(shownRates(node).second) : dash();
    case Connections:
        return stats ? QString::number(node.stats.connections) : dash();
    case Queue:
        return slave && stats ? QString::number(node.stats.queueLength) : dash();
    case InFlight:
        return slave && stats ? QString::number(node.stats.inFlight) : dash();
    case UnitCompute:
        return node.stats.unitComputeS > 0 ? util::formatSeconds(node.stats.unitComputeS) : dash();
    case Bandwidth:
        return node.stats.bandwidthMBps > 0 ? util::formatRate(node.stats.bandwidthMBps * 1e6)
                                            : dash();
    case Estimate:
        return node.estimates ? estimateOf(node)->text() : dash();
    case HeartbeatAge:
        return util::formatAge(node.heartbeatAgeMs);
    default:
        return {};
    }
}

std::optional<cluster::EstimateSummary> NodeTableModel::estimateOf(const NodeView &node) const
{
    if (!node.estimates)
        return std::nullopt;
    return cluster::EstimateSummary(*node.estimates, m_snapshotMs, m_thresholds.estimate);
}

QVariant NodeTableModel::foreground(const NodeView &node, int column) const
{
    if (m_stale)
        return staleTextColour();
    if (column == Estimate && node.estimates && estimateOf(node)->isDoubtful())
        return doubtfulTextColour();
    return {};
}

// Raw values, so a proxy sorts 9 KiB below 10 MiB; cells showing "-" sort as -1.
QVariant NodeTableModel::sortValue(const NodeView &node, int column) const
{
    const bool slave = isSlave(node);
    const bool stats = hasStats(node);
    const auto measured = [](bool known, double value) {
        return known ? value : -1.0;
    };
    switch (column) {
    case Name:
        return node.rank; // slave-10 after slave-9, as the names mean
    case Role:
        return int(node.role);
    case State:
        return slave ? int(node.state) : -1;
    case Weight:
        return measured(slave, node.weight);
    case Load:
        return measured(slave, node.load);
    case LoadRank:
        return node.loadRank;
    case Cpu:
        return measured(stats, node.stats.processCpu);
    case Memory:
        return measured(node.stats.processRssBytes > 0, double(node.stats.processRssBytes));
    case Tx:
        return measured(stats, shownRates(node).first);
    case Rx:
        return measured(stats, shownRates(node).second);
    case Connections:
        return stats ? node.stats.connections : -1;
    case Queue:
        return slave && stats ? node.stats.queueLength : -1;
    case InFlight:
        return slave && stats ? node.stats.inFlight : -1;
    case UnitCompute:
        return measured(node.stats.unitComputeS > 0, node.stats.unitComputeS);
    case Bandwidth:
        return measured(node.stats.bandwidthMBps > 0, node.stats.bandwidthMBps);
    case Estimate:
        return node.estimates ? estimateOf(node)->perMBS() : -1.0;
    case HeartbeatAge:
        return qint64(node.heartbeatAgeMs);
    default:
        return {};
    }
}

// Stale rows get no colour: an amber or red cell says "look at this now", which old numbers
// must not.
QVariant NodeTableModel::background(const NodeView &node, int column) const
{
    if (m_stale)
        return {};
    switch (column) {
    case State: {
        const QColor colour = isSlave(node) ? stateColour(node.state) : QColor();
        return colour.isValid() ? QVariant(colour) : QVariant();
    }
    case Cpu:
        if (!hasStats(node))
            return {};
        if (node.stats.processCpu >= m_thresholds.cpuCritical)
            return criticalColour();
        if (node.stats.processCpu >= m_thresholds.cpuWarn)
            return warnColour();
        return {};
    case Memory: {
        const double rss = double(node.stats.processRssBytes);
        if (rss <= 0)
            return {};
        if (rss >= m_thresholds.memCriticalBytes)
            return criticalColour();
        if (rss >= m_thresholds.memWarnBytes)
            return warnColour();
        return {};
    }
    default:
        return {};
    }
}

QString NodeTableModel::toolTip(const NodeView &node, int column) const
{
    QString tip;
    switch (column) {
    case Name:
        tip = nameTip(node);
        break;
    case State:
        if (isSlave(node))
            tip = stateTip(node);
        break;
    case Cpu:
        if (hasStats(node))
            tip = cpuTip(node, m_thresholds);
        break;
    case Memory:
        if (node.stats.processRssBytes > 0)
            tip = memoryTip(node, m_thresholds);
        break;
    case Tx:
    case Rx:
        if (hasStats(node))
            tip = rateTip(node);
        break;
    case Queue:
    case InFlight:
        if (isSlave(node))
            tip = workTip(node);
        break;
    case Estimate:
        if (const auto summary = estimateOf(node)) {
            tip = (summary->isLowConfidence() ? tr("Low confidence: few or scattered samples.\n")
                                              : QString()) +
                  (summary->isOld() ? tr("Old: the slave may have changed since.\n") : QString()) +
                  summary->details();
        }
        break;
    default:
        break;
    }
    if (tip.isEmpty())
        tip = QLatin1String(kTitles[size_t(column)].toolTip);
    if (m_stale)
        tip = QStringLiteral("Stale: no fresh snapshot, these values are old.\n") + tip;
    return tip;
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (role) {
    case Qt::DisplayRole:
        return QLatin1String(kTitles[size_t(section)].title);
    case Qt::ToolTipRole:
        return QLatin1String(kTitles[size_t(section)].toolTip);
    default:
        return {};
    }
}

QHash<int, QByteArray> NodeTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sort");
    names.insert(RankRole, "rank");
    names.insert(NameRole, "name");
    names.insert(StateRole, "state");
    return names;
}

int NodeTableModel::rankAt(int row) const
{
    const NodeView *node = nodeAt(row);
    return node ? node->rank : -1;
}

int NodeTableModel::rowOfRank(int rank) const
{
    const auto it = m_rowOfRank.find(rank);
    return it == m_rowOfRank.end() ? -1 : it->second;
}

QString NodeTableModel::nameAt(int row) const
{
    const NodeView *node = nodeAt(row);
    return node ? node->name : QString();
}

const NodeView *NodeTableModel::nodeAt(int row) const
{
    return row >= 0 && size_t(row) < m_nodes.size() ? &m_nodes[size_t(row)] : nullptr;
}

QColor NodeTableModel::stateColour(NodeState state)
{
    switch (state) {
    case NodeState::Active:
        return QColor(46, 160, 67, kTintAlpha);
    case NodeState::Draining:
        return QColor(255, 191, 0, kTintAlpha);
    case NodeState::Drained:
        return QColor(128, 128, 128, kTintAlpha);
    case NodeState::Suspect:
        return QColor(255, 112, 0, kTintAlpha);
    case NodeState::Down:
        return QColor(220, 38, 38, kTintAlpha + 40);
    }
    return {};
}

QColor NodeTableModel::warnColour()
{
    return QColor(255, 191, 0, kTintAlpha);
}

QColor NodeTableModel::criticalColour()
{
    return QColor(220, 38, 38, kTintAlpha + 40);
}

QColor NodeTableModel::staleTextColour()
{
    // Mid grey: legible but plainly "not live" on white and on near-black bases.
    return QColor(128, 128, 128);
}

QColor NodeTableModel::doubtfulTextColour()
{
    // Greyer than text, warmer than stale: "read with care", not "not live".
    return QColor(150, 120, 90);
}

} // namespace starling::ui
