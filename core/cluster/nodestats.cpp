#include "nodestats.h"

namespace starling::cluster {

namespace {
std::int64_t integer(const QJsonObject &o, QLatin1String key, std::int64_t fallback)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? std::int64_t(v.toDouble()) : fallback;
}
} // namespace

QJsonObject NodeStats::toJson() const
{
    return {
        {QLatin1String("seq"), double(sequence)},
        {QLatin1String("epoch"), double(epoch)},
        {QLatin1String("sampled_at_ms"), double(sampledAtMs)},
        {QLatin1String("pid"), double(pid)},
        {QLatin1String("node_cpu"), nodeCpu},
        {QLatin1String("process_cpu"), processCpu},
        {QLatin1String("node_mem_used_bytes"), double(nodeMemUsedBytes)},
        {QLatin1String("node_mem_total_bytes"), double(nodeMemTotalBytes)},
        {QLatin1String("process_rss_bytes"), double(processRssBytes)},
        {QLatin1String("tx_bytes_per_s"), txBytesPerS},
        {QLatin1String("rx_bytes_per_s"), rxBytesPerS},
        {QLatin1String("link_interface"), linkInterface},
        {QLatin1String("link_shared"), linkShared},
        {QLatin1String("tx_bytes_total"), double(txBytesTotal)},
        {QLatin1String("rx_bytes_total"), double(rxBytesTotal)},
        {QLatin1String("connections"), connections},
        {QLatin1String("queue"), queueLength},
        {QLatin1String("in_flight"), inFlight},
        {QLatin1String("tasks_done"), double(tasksDone)},
        {QLatin1String("pending_work_s"), pendingWorkS},
        {QLatin1String("unit_compute_s"), unitComputeS},
        {QLatin1String("bandwidth_MBps"), bandwidthMBps},
    };
}

NodeStats NodeStats::fromJson(const QJsonObject &o)
{
    NodeStats s;
    s.sequence = integer(o, QLatin1String("seq"), s.sequence);
    s.epoch = integer(o, QLatin1String("epoch"), s.epoch);
    s.sampledAtMs = integer(o, QLatin1String("sampled_at_ms"), s.sampledAtMs);
    s.pid = integer(o, QLatin1String("pid"), s.pid);
    s.nodeCpu = o.value(QLatin1String("node_cpu")).toDouble(s.nodeCpu);
    s.processCpu = o.value(QLatin1String("process_cpu")).toDouble(s.processCpu);
    s.nodeMemUsedBytes = integer(o, QLatin1String("node_mem_used_bytes"), s.nodeMemUsedBytes);
    s.nodeMemTotalBytes = integer(o, QLatin1String("node_mem_total_bytes"), s.nodeMemTotalBytes);
    s.processRssBytes = integer(o, QLatin1String("process_rss_bytes"), s.processRssBytes);
    s.txBytesPerS = o.value(QLatin1String("tx_bytes_per_s")).toDouble(s.txBytesPerS);
    s.rxBytesPerS = o.value(QLatin1String("rx_bytes_per_s")).toDouble(s.rxBytesPerS);
    s.linkInterface = o.value(QLatin1String("link_interface")).toString().left(64);
    s.linkShared = o.value(QLatin1String("link_shared")).toBool(s.linkShared);
    s.txBytesTotal = integer(o, QLatin1String("tx_bytes_total"), s.txBytesTotal);
    s.rxBytesTotal = integer(o, QLatin1String("rx_bytes_total"), s.rxBytesTotal);
    s.connections = int(integer(o, QLatin1String("connections"), s.connections));
    s.queueLength = int(integer(o, QLatin1String("queue"), s.queueLength));
    s.inFlight = int(integer(o, QLatin1String("in_flight"), s.inFlight));
    s.tasksDone = integer(o, QLatin1String("tasks_done"), s.tasksDone);
    s.pendingWorkS = o.value(QLatin1String("pending_work_s")).toDouble(s.pendingWorkS);
    s.unitComputeS = o.value(QLatin1String("unit_compute_s")).toDouble(s.unitComputeS);
    s.bandwidthMBps = o.value(QLatin1String("bandwidth_MBps")).toDouble(s.bandwidthMBps);
    return s;
}

} // namespace starling::cluster
