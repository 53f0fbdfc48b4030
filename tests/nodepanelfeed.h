#pragma once

// A fake 16-slave (or 64-slave) cluster for the node panel and the topology view: the moving
// numbers of fakeSnapshot, plus what those views explain: hosts (four slaves to a host, so
// hosts group), data URLs, emulated links on half the slaves, a draining, a suspect, a down
// and a drained slave with who and why, and the master's estimates of slave-3; and bridge
// events naming slave-3 (a drain, a weight change), another slave, an image job with strips
// on slave-3 and a transfer with blocks it served.
#include "fakeclustersource.h"
#include "protocol/jobevents.h"
#include "protocol/nodeevents.h"
#include "protocol/transferevents.h"

#include <QJsonObject>
#include <QList>

#include <algorithm>

namespace starling::testing {

constexpr qint64 kPanelT0 = 1'700'000'000'000;

inline sched::SlaveCostEstimate panelEstimates(qint64 nowMs)
{
    sched::SlaveCostEstimate e;
    e.rank = 3;
    e.name = QStringLiteral("slave-3");
    sched::OpCostEstimate blur;
    blur.op = QStringLiteral("blur");
    blur.compute = {0.012, 0.041, 14, 0.92, nowMs - 3000, sched::EstimateSource::Measured};
    sched::OpCostEstimate median;
    median.op = QStringLiteral("median");
    median.channels = 3;
    median.compute = {0.0, 0.2, 0.5, 0.2, 0, sched::EstimateSource::Prior};
    e.ops = {blur, median};
    e.link = {0.0005, 0.125, 9, 0.8, nowMs - 2000, sched::EstimateSource::Measured};
    return e;
}

inline cluster::ClusterSnapshot panelSnapshot(int slaves, qint64 seq, bool withSlave3 = true)
{
    const qint64 timeMs = kPanelT0 + 500 * seq;
    cluster::ClusterSnapshot s = fakeSnapshot(slaves, seq, timeMs);
    for (cluster::NodeView &n : s.nodes) {
        n.host = n.role == cluster::NodeRole::Slave
                     ? QStringLiteral("10.0.%1.1").arg(cluster::slaveIndex(n.rank) / 4)
                     : QStringLiteral("10.9.0.1");
        if (n.role != cluster::NodeRole::Slave)
            continue;
        n.dataUrl = QStringLiteral("http://%1:%2").arg(n.host).arg(9000 + n.rank);
        n.assigned = n.rank % 3;
        n.stats.nodeCpu = 0.3;
        n.stats.nodeMemTotalBytes = 16LL << 30;
        n.stats.nodeMemUsedBytes = 5LL << 30;
        if (n.rank % 2 == 0) {
            n.emulation.emulated = true;
            n.emulation.linkMBps = n.rank % 4 == 0 ? 20 : 8;
            n.emulation.cpuFactor = 1.5;
        }
    }
    const auto set = [&](int rank, cluster::NodeState state, const QString &by,
                         const QString &reason) {
        if (cluster::NodeView *n = const_cast<cluster::NodeView *>(s.node(rank))) {
            n->state = state;
            n->stateBy = by;
            n->stateReason = reason;
            n->stateSinceMs = kPanelT0 + 1000;
            n->loadRank = -1;
        }
    };
    set(3, cluster::NodeState::Draining, QStringLiteral("alice"), QStringLiteral("disk swap"));
    set(4, cluster::NodeState::Suspect, QStringLiteral("detector"),
        QStringLiteral("no heartbeat for 3 s"));
    set(5, cluster::NodeState::Down, QStringLiteral("detector"), QStringLiteral("exited"));
    set(6, cluster::NodeState::Drained, QStringLiteral("bob"), QStringLiteral("maintenance"));
    if (auto *n = const_cast<cluster::NodeView *>(s.node(3))) {
        n->weight = 1.5;
        n->drainEtaS = 12;
        n->estimates = panelEstimates(timeMs);
    }
    if (!withSlave3) {
        s.nodes.erase(std::remove_if(s.nodes.begin(), s.nodes.end(),
                                     [](const cluster::NodeView &n) { return n.rank == 3; }),
                      s.nodes.end());
    }
    return s;
}

// Events in the order a monitor would send them.
inline QList<QJsonObject> panelEvents()
{
    QList<QJsonObject> events;
    protocol::StateChangedEvent drain;
    drain.timeMs = kPanelT0 + 1000;
    drain.by = QStringLiteral("alice");
    drain.reason = QStringLiteral("disk swap");
    drain.node = QStringLiteral("slave-3");
    drain.from = QStringLiteral("ACTIVE");
    drain.to = QStringLiteral("DRAINING");
    events << drain.toJson();
    protocol::WeightChangedEvent weight;
    weight.timeMs = kPanelT0 + 1500;
    weight.by = QStringLiteral("alice");
    weight.node = QStringLiteral("slave-3");
    weight.from = 1.0;
    weight.to = 1.5;
    events << weight.toJson();
    protocol::StateChangedEvent other = drain;
    other.node = QStringLiteral("slave-6");
    other.by = QStringLiteral("bob");
    events << other.toJson();

    protocol::JobStartedEvent job;
    job.timeMs = kPanelT0 + 2000;
    job.job = QStringLiteral("job-0001");
    job.op = QStringLiteral("blur");
    job.strategy = QStringLiteral("pdds");
    job.order = QStringLiteral("dec");
    job.units = 40;
    job.slaves = {QStringLiteral("slave-2"), QStringLiteral("slave-3")};
    job.plannedShares = {20, 20};
    events << job.toJson();
    for (int chunk = 0; chunk < 4; ++chunk) {
        protocol::StripAssignedEvent a;
        a.timeMs = kPanelT0 + 2000 + 100 * chunk;
        a.job = job.job;
        a.chunk = chunk;
        a.slave = chunk % 2 ? QStringLiteral("slave-3") : QStringLiteral("slave-2");
        a.rank = chunk % 2 ? 3 : 2;
        a.firstUnit = 10 * chunk;
        a.units = 10;
        events << a.toJson();
    }
    protocol::StripDoneEvent done; // slave-3's first strip finished; its second still out
    done.timeMs = kPanelT0 + 3000;
    done.job = job.job;
    done.chunk = 1;
    done.slave = QStringLiteral("slave-3");
    done.rank = 3;
    done.firstUnit = 10;
    done.units = 10;
    done.sendStartS = 0.1;
    done.sendEndS = 0.2;
    done.computeStartS = 0.2;
    done.computeEndS = 0.8;
    done.returnStartS = 0.8;
    done.returnEndS = 0.9;
    events << done.toJson();

    protocol::TransferPlannedEvent plan;
    plan.timeMs = kPanelT0 + 4000;
    plan.transferId = QStringLiteral("t-42");
    plan.path = QStringLiteral("data/big.bin");
    plan.strategy = QStringLiteral("equal");
    plan.size = 8 << 20;
    plan.pieceSize = 1 << 20;
    plan.blocks = 8;
    plan.runs = {{QStringLiteral("slave-2"), 0, 4}, {QStringLiteral("slave-3"), 4, 4}};
    events << plan.toJson();
    for (const int block : {4, 5, 7}) {
        protocol::TransferBlockEvent b;
        b.timeMs = kPanelT0 + 4100 + block;
        b.transferId = plan.transferId;
        b.block = block;
        b.bytes = 1 << 20;
        b.complete = true;
        b.status = 206;
        b.node = QStringLiteral("slave-3");
        events << b.toJson();
    }
    return events;
}

} // namespace starling::testing
