#include "jobtimeline.h"

#include "jobs/jobboard.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace starling::jobs {

double micro(double seconds)
{
    return std::round(seconds * 1e6) / 1e6;
}

QJsonObject chunkJson(const JobChunk &chunk, const QString &slaveName, int rank)
{
    const sched::ChunkRecord &r = chunk.record;
    return {{QStringLiteral("chunk"), chunk.id},
            {QStringLiteral("slave"), slaveName},
            {QStringLiteral("rank"), rank},
            {QStringLiteral("first_unit"), qint64(chunk.firstUnit)},
            {QStringLiteral("units"), qint64(chunk.units)},
            {QStringLiteral("send_start_s"), micro(r.sendStart)},
            {QStringLiteral("send_end_s"), micro(r.sendEnd)},
            {QStringLiteral("compute_start_s"), micro(r.computeStart)},
            {QStringLiteral("compute_end_s"), micro(r.computeEnd)},
            {QStringLiteral("return_start_s"), micro(r.returnStart)},
            {QStringLiteral("return_end_s"), micro(r.returnEnd)}};
}

namespace {

// What one slave did over the whole job: the union of its chunks' intervals.
struct Span
{
    long long units = 0;
    int chunks = 0;
    double sendStart = std::numeric_limits<double>::infinity(), sendEnd = 0;
    double computeStart = std::numeric_limits<double>::infinity(), computeEnd = 0;
    double returnStart = std::numeric_limits<double>::infinity(), returnEnd = 0;

    void add(const JobChunk &c)
    {
        units += c.units;
        ++chunks;
        sendStart = std::min(sendStart, c.record.sendStart);
        sendEnd = std::max(sendEnd, c.record.sendEnd);
        computeStart = std::min(computeStart, c.record.computeStart);
        computeEnd = std::max(computeEnd, c.record.computeEnd);
        returnStart = std::min(returnStart, c.record.returnStart);
        returnEnd = std::max(returnEnd, c.record.returnEnd);
    }
};

// A slave with no chunk has no intervals to report.
QJsonObject slaveJson(const JobOutcome &outcome, size_t i, const Span &s)
{
    QJsonObject o{{QStringLiteral("name"), outcome.slaves[i].name},
                  {QStringLiteral("rank"), outcome.slaves[i].rank},
                  {QStringLiteral("share"), qint64(s.units)},
                  {QStringLiteral("chunks"), s.chunks}};
    if (i < outcome.plannedShares.size())
        o.insert(QStringLiteral("planned_share"), outcome.plannedShares[i]);
    if (s.chunks > 0) {
        o.insert(QStringLiteral("send_start_s"), micro(s.sendStart));
        o.insert(QStringLiteral("send_end_s"), micro(s.sendEnd));
        o.insert(QStringLiteral("compute_start_s"), micro(s.computeStart));
        o.insert(QStringLiteral("compute_end_s"), micro(s.computeEnd));
        o.insert(QStringLiteral("return_start_s"), micro(s.returnStart));
        o.insert(QStringLiteral("return_end_s"), micro(s.returnEnd));
    }
    return o;
}

QJsonArray sendOrderJson(const JobOutcome &outcome)
{
    QJsonArray order;
    for (int i : outcome.sendOrder) {
        if (i >= 0 && size_t(i) < outcome.slaves.size())
            order.append(outcome.slaves[size_t(i)].name);
    }
    return order;
}

// The platform the scheduler believed in when it planned.
QJsonObject estimatesJson(const JobOutcome &outcome)
{
    QJsonArray believed;
    for (const sched::SlaveSpec &e : outcome.estimates.slaves)
        believed.append(QJsonObject{{QStringLiteral("name"), e.name},
                                    {QStringLiteral("unit_compute_s"), e.unitComputeS},
                                    {QStringLiteral("link_MBps"), e.bandwidthMBps},
                                    {QStringLiteral("fixed_compute_s"), e.fixedComputeS},
                                    {QStringLiteral("latency_s"), e.latencyS}});
    return {{QStringLiteral("unit_MB"), outcome.estimates.unitMB},
            {QStringLiteral("return_ratio"), outcome.estimates.returnRatio},
            {QStringLiteral("slaves"), believed}};
}

} // namespace

QJsonObject timelineJson(const JobOutcome &outcome)
{
    std::vector<Span> spans(outcome.slaves.size());
    QJsonArray chunks;
    for (const JobChunk &c : outcome.chunks) {
        if (c.slave < 0 || size_t(c.slave) >= spans.size())
            continue;
        spans[size_t(c.slave)].add(c);
        const JobSlave &slave = outcome.slaves[size_t(c.slave)];
        chunks.append(chunkJson(c, slave.name, slave.rank));
    }
    QJsonArray slaves;
    for (size_t i = 0; i < spans.size(); ++i)
        slaves.append(slaveJson(outcome, i, spans[i]));
    return {{QStringLiteral("slaves"), slaves},
            {QStringLiteral("estimates"), estimatesJson(outcome)},
            {QStringLiteral("chunks"), chunks},
            {QStringLiteral("send_order"), sendOrderJson(outcome)},
            {QStringLiteral("makespan_s"), micro(outcome.makespanS)},
            {QStringLiteral("late_results"), outcome.lateResults},
            {QStringLiteral("reassigned_chunks"), outcome.reassignedChunks}};
}

} // namespace starling::jobs
