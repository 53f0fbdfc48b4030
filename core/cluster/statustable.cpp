#include "statustable.h"

#include "cluster/estimatesummary.h"

#include "util/valueformat.h"

#include <QStringList>

#include <map>

namespace starling::cluster {

namespace {

QString age(std::int64_t ms)
{
    return ms < 0 ? QStringLiteral("never") : util::formatAge(ms);
}

// "strategy ... | N slaves: 3 ACTIVE, 1 DRAINED | snapshot #K", and the master's waiting tasks.
QString summaryLine(const ClusterSnapshot &snapshot)
{
    std::map<QString, int> counts;
    int slaves = 0;
    for (const NodeView &node : snapshot.nodes) {
        if (node.role == NodeRole::Slave) {
            ++slaves;
            ++counts[toString(node.state)];
        }
    }
    QStringList summary;
    for (const auto &[state, count] : counts)
        summary << QStringLiteral("%1 %2").arg(count).arg(state);

    QString out = QStringLiteral("strategy %1 (w1 %2, w2 %3) | %4 slaves: %5 | snapshot #%6")
                      .arg(snapshot.strategy)
                      .arg(snapshot.w1)
                      .arg(snapshot.w2)
                      .arg(slaves)
                      .arg(summary.join(QStringLiteral(", ")))
                      .arg(snapshot.sequence);
    if (snapshot.tasksQueuedAtMaster > 0)
        out += QStringLiteral(" | %1 tasks waiting at master").arg(snapshot.tasksQueuedAtMaster);
    return out + QLatin1Char('\n');
}

QStringList headerRow()
{
    return {QStringLiteral("NODE"), QStringLiteral("STATE"), QStringLiteral("WEIGHT"),
            QStringLiteral("LOAD"), QStringLiteral("RANK"),  QStringLiteral("CPU"),
            QStringLiteral("PROC"), QStringLiteral("RSS"),   QStringLiteral("TX/s"),
            QStringLiteral("RX/s"), QStringLiteral("CONN"),  QStringLiteral("QUEUE"),
            QStringLiteral("RUN"),  QStringLiteral("T_i"),   QStringLiteral("HEARTBEAT")};
}

// Master and monitor show their role instead of a state and "-" where only slaves have values;
// nodes never heard from show "-" for what a heartbeat would have told.
// The master's estimate for the op it measured last: cost per MB and confidence; `?` marks a
// doubtful one (low confidence or an old sample), measured against the snapshot's time.
QString estimateCell(const NodeView &node, std::int64_t nowMs)
{
    if (!node.estimates)
        return QStringLiteral("-");
    const EstimateSummary summary(*node.estimates, nowMs);
    return summary.compact() + (summary.isDoubtful() ? QStringLiteral("?") : QString());
}

QStringList nodeRow(const NodeView &node, std::int64_t nowMs)
{
    const bool slave = node.role == NodeRole::Slave;
    const bool heard = node.heartbeatAgeMs >= 0;
    const QString dash = QStringLiteral("-");
    QString state = slave ? toString(node.state) : QStringLiteral("(%1)").arg(toString(node.role));
    if (node.state == NodeState::Draining && node.drainEtaS >= 0)
        state += QStringLiteral(" ~%1s").arg(node.drainEtaS, 0, 'f', 0);
    return {node.name,
            state,
            slave ? QString::number(node.weight) : dash,
            slave ? QString::number(node.load, 'f', 2) : dash,
            node.loadRank >= 0 ? QString::number(node.loadRank) : dash,
            heard ? util::formatPercent(node.stats.nodeCpu) : dash,
            heard ? util::formatPercent(node.stats.processCpu) : dash,
            node.stats.processRssBytes > 0 ? util::formatBytes(double(node.stats.processRssBytes))
                                           : dash,
            heard ? util::formatBytes(node.stats.txBytesPerS) : dash,
            heard ? util::formatBytes(node.stats.rxBytesPerS) : dash,
            heard ? QString::number(node.stats.connections) : dash,
            slave ? QString::number(node.stats.queueLength) : dash,
            slave ? QString::number(node.stats.inFlight) : dash,
            estimateCell(node, nowMs),
            age(node.heartbeatAgeMs)};
}

// Names and states read left-aligned, numbers right-aligned; two spaces between columns.
QString alignedColumns(const std::vector<QStringList> &rows)
{
    std::vector<int> widths(rows.front().size(), 0);
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size(); ++i)
            widths[size_t(i)] = std::max(widths[size_t(i)], int(row[i].size()));
    }
    QString out;
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i) {
            const bool left = i <= 1;
            line += left ? row[i].leftJustified(widths[size_t(i)])
                         : row[i].rightJustified(widths[size_t(i)]);
            line += i + 1 < row.size() ? QStringLiteral("  ") : QString();
        }
        out += line.trimmed() + QLatin1Char('\n');
    }
    return out;
}

// Who put each slave that is not ACTIVE in its state, and why.
QString stateNotes(const ClusterSnapshot &snapshot)
{
    QString out;
    for (const NodeView &node : snapshot.nodes) {
        if (node.role == NodeRole::Slave && node.state != NodeState::Active &&
            (!node.stateReason.isEmpty() || !node.stateBy.isEmpty())) {
            out += QStringLiteral("  %1: %2 by %3%4\n")
                       .arg(node.name, toString(node.state),
                            node.stateBy.isEmpty() ? QStringLiteral("?") : node.stateBy,
                            node.stateReason.isEmpty()
                                ? QString()
                                : QStringLiteral(" (%1)").arg(node.stateReason));
        }
    }
    return out;
}

} // namespace

QString formatStatusTable(const ClusterSnapshot &snapshot)
{
    std::vector<QStringList> rows{headerRow()};
    for (const NodeView &node : snapshot.nodes)
        rows.push_back(nodeRow(node, snapshot.timeMs));
    return summaryLine(snapshot) + alignedColumns(rows) + stateNotes(snapshot);
}

} // namespace starling::cluster
