#include "nodecelltips.h"

#include "util/valueformat.h"

#include <QDateTime>

namespace starling::ui::celltips {

using cluster::NodeState;
using cluster::NodeView;

QString localTime(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

QString nameTip(const NodeView &node)
{
    QString tip = QStringLiteral("%1 (rank %2) on %3").arg(node.name).arg(node.rank).arg(node.host);
    if (!node.dataUrl.isEmpty())
        tip += QStringLiteral("\ndata server %1").arg(node.dataUrl);
    if (node.emulation.emulated) {
        tip +=
            QStringLiteral("\nemulated: CPU factor %1, link %2")
                .arg(QString::number(node.emulation.cpuFactor),
                     node.emulation.linkMBps > 0 ? util::formatRate(node.emulation.linkMBps * 1e6)
                                                 : QStringLiteral("not paced"));
    }
    return tip;
}

// Who set the state, when and why; a drain's remaining work.
QString stateTip(const NodeView &node)
{
    QString tip = cluster::toString(node.state);
    if (node.stateSinceMs > 0)
        tip += QStringLiteral(" since %1").arg(localTime(node.stateSinceMs));
    if (!node.stateBy.isEmpty())
        tip += QStringLiteral("\nby %1").arg(node.stateBy);
    if (!node.stateReason.isEmpty())
        tip += QStringLiteral("\nwhy: %1").arg(node.stateReason);
    if (node.state == NodeState::Draining) {
        tip += QStringLiteral("\n%1 task(s) still assigned").arg(node.assigned);
        if (node.drainEtaS >= 0)
            tip += QStringLiteral(", ~%1 to DRAINED").arg(util::formatSeconds(node.drainEtaS));
    }
    return tip;
}

QString cpuTip(const NodeView &node, const NodeTableModel::Thresholds &thresholds)
{
    return QStringLiteral("process %1 of one core; machine %2 of all cores\n"
                          "warn at %3, critical at %4")
        .arg(util::formatPercent(node.stats.processCpu), util::formatPercent(node.stats.nodeCpu),
             util::formatPercent(thresholds.cpuWarn), util::formatPercent(thresholds.cpuCritical));
}

QString memoryTip(const NodeView &node, const NodeTableModel::Thresholds &thresholds)
{
    return QStringLiteral("process %1 resident; machine %2 of %3 used\n"
                          "warn at %4, critical at %5")
        .arg(util::formatBytes(double(node.stats.processRssBytes)),
             util::formatBytes(double(node.stats.nodeMemUsedBytes)),
             util::formatBytes(double(node.stats.nodeMemTotalBytes)),
             util::formatBytes(thresholds.memWarnBytes),
             util::formatBytes(thresholds.memCriticalBytes));
}

// The process's totals, and which rates the cell shows: on a shared link its own, with the
// link's beside them, since the link's would be every node's traffic.
QString rateTip(const NodeView &node)
{
    QString tip = QStringLiteral("this process sent %1, received %2 in total\n")
                      .arg(util::formatBytes(double(node.stats.txBytesTotal)),
                           util::formatBytes(double(node.stats.rxBytesTotal)));
    const QString link = node.stats.linkInterface.isEmpty() ? QStringLiteral("every interface")
                                                            : node.stats.linkInterface;
    tip += node.stats.linkShared
               ? QStringLiteral("shown: its own rates; its host link (%1) is shared by "
                                "every node on this machine (%2 out, %3 in)")
                     .arg(link, util::formatRate(node.stats.txBytesPerS),
                          util::formatRate(node.stats.rxBytesPerS))
               : QStringLiteral("shown: its host link %1").arg(link);
    return tip;
}

QString workTip(const NodeView &node)
{
    return QStringLiteral("%1 queued, %2 running, %3 done; ~%4 of work pending; "
                          "%5 assigned by the master")
        .arg(node.stats.queueLength)
        .arg(node.stats.inFlight)
        .arg(node.stats.tasksDone)
        .arg(util::formatSeconds(node.stats.pendingWorkS))
        .arg(node.assigned);
}

} // namespace starling::ui::celltips
