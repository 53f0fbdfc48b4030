#include "statustable.h"

#include "util/valueformat.h"

#include <QStringList>

#include <map>

namespace starling::cluster {

namespace {

QString age(std::int64_t ms)
{
    return ms < 0 ? QStringLiteral("never") : util::formatAge(ms);
}

} // namespace

QString formatStatusTable(const ClusterSnapshot &snapshot)
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
    out += QLatin1Char('\n');

    const QStringList header{
        QStringLiteral("NODE"), QStringLiteral("STATE"),    QStringLiteral("WEIGHT"),
        QStringLiteral("LOAD"), QStringLiteral("RANK"),     QStringLiteral("CPU"),
        QStringLiteral("PROC"), QStringLiteral("RSS"),      QStringLiteral("TX/s"),
        QStringLiteral("RX/s"), QStringLiteral("CONN"),     QStringLiteral("QUEUE"),
        QStringLiteral("RUN"),  QStringLiteral("HEARTBEAT")};
    std::vector<QStringList> rows{header};
    for (const NodeView &node : snapshot.nodes) {
        const bool slave = node.role == NodeRole::Slave;
        const QString dash = QStringLiteral("-");
        QString state =
            slave ? toString(node.state) : QStringLiteral("(%1)").arg(toString(node.role));
        if (node.state == NodeState::Draining && node.drainEtaS >= 0)
            state += QStringLiteral(" ~%1s").arg(node.drainEtaS, 0, 'f', 0);
        rows.push_back(
            {node.name, state, slave ? QString::number(node.weight) : dash,
             slave ? QString::number(node.load, 'f', 2) : dash,
             node.loadRank >= 0 ? QString::number(node.loadRank) : dash,
             node.heartbeatAgeMs >= 0 ? util::formatPercent(node.stats.nodeCpu) : dash,
             node.heartbeatAgeMs >= 0 ? util::formatPercent(node.stats.processCpu) : dash,
             node.stats.processRssBytes > 0 ? util::formatBytes(double(node.stats.processRssBytes)) : dash,
             node.heartbeatAgeMs >= 0 ? util::formatBytes(node.stats.txBytesPerS) : dash,
             node.heartbeatAgeMs >= 0 ? util::formatBytes(node.stats.rxBytesPerS) : dash,
             node.heartbeatAgeMs >= 0 ? QString::number(node.stats.connections) : dash,
             slave ? QString::number(node.stats.queueLength) : dash,
             slave ? QString::number(node.stats.inFlight) : dash, age(node.heartbeatAgeMs)});
    }
    std::vector<int> widths(header.size(), 0);
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size(); ++i)
            widths[size_t(i)] = std::max(widths[size_t(i)], int(row[i].size()));
    }
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i) {
            // Names and states read left-aligned, numbers right-aligned.
            const bool left = i <= 1;
            line += left ? row[i].leftJustified(widths[size_t(i)])
                         : row[i].rightJustified(widths[size_t(i)]);
            line += i + 1 < row.size() ? QStringLiteral("  ") : QString();
        }
        out += line.trimmed() + QLatin1Char('\n');
    }
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

} // namespace starling::cluster
