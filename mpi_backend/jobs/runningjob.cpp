#include "runningjob.h"

#include <cstring>

namespace starling::mpi {

jobs::StripAssignment RunningJob::strip(const jobs::JobChunk &chunk, double standardMBps) const
{
    const image::ImageBuffer &in = *input;
    const image::RowRange rows = units->span(int(chunk.firstUnit), int(chunk.units));
    const image::RowRange withHalo = image::withHalo(rows, halo, in.height);
    jobs::StripAssignment strip;
    strip.jobId = id;
    strip.sequence = sequence;
    strip.chunk = chunk.id;
    strip.op = spec.op.toJson();
    strip.width = in.width;
    strip.channels = in.channels;
    strip.imageHeight = in.height;
    strip.begin = rows.begin;
    strip.end = rows.end;
    strip.haloTop = rows.begin - withHalo.begin;
    strip.haloBottom = withHalo.end - rows.end;
    strip.units = double(chunk.units);
    strip.standardS =
        double(rows.size()) * in.rowBytes() * spec.op.relativeCost() / (standardMBps * 1e6);
    strip.pixels = in.pixels.mid(qsizetype(withHalo.begin) * in.rowBytes(),
                                 qsizetype(withHalo.size()) * in.rowBytes());
    return strip;
}

QString RunningJob::resultError(const jobs::StripResult &result, const jobs::JobChunk &chunk,
                                const QString &slave) const
{
    if (!result.error.isEmpty())
        return QStringLiteral("%1 could not compute rows %2-%3: %4")
            .arg(slave)
            .arg(result.begin)
            .arg(result.end)
            .arg(result.error);
    const image::RowRange rows = units->span(int(chunk.firstUnit), int(chunk.units));
    if (result.begin != rows.begin || result.end != rows.end || result.width != output.width ||
        result.channels != output.channels)
        return QStringLiteral("%1 answered chunk %2 with rows %3-%4 of %5 channels, expected "
                              "rows %6-%7 of %8")
            .arg(slave)
            .arg(chunk.id)
            .arg(result.begin)
            .arg(result.end)
            .arg(result.channels)
            .arg(rows.begin)
            .arg(rows.end)
            .arg(output.channels);
    return {};
}

void RunningJob::place(int chunk)
{
    const auto it = results.find(chunk);
    if (it == results.end())
        return;
    const jobs::StripResult &r = it->second;
    std::memcpy(output.pixels.data() + qsizetype(r.begin) * output.rowBytes(), r.pixels.constData(),
                size_t(r.pixels.size()));
    results.erase(it);
}

sched::ChunkRecord RunningJob::fromStart(sched::ChunkRecord r) const
{
    for (double *t :
         {&r.sendStart, &r.sendEnd, &r.computeStart, &r.computeEnd, &r.returnStart, &r.returnEnd})
        *t -= startS;
    return r;
}

jobs::JobOutcome RunningJob::outcome(const jobs::JobScheduler &scheduler,
                                     std::vector<jobs::JobSlave> slaves)
{
    jobs::JobOutcome outcome;
    for (jobs::JobChunk c : scheduler.chunks()) {
        if (c.state != jobs::JobChunk::State::Done)
            continue;
        c.record = fromStart(c.record);
        outcome.chunks.push_back(c);
    }
    outcome.slaves = std::move(slaves);
    outcome.plannedShares = scheduler.plannedShares();
    outcome.sendOrder = scheduler.sendOrder();
    outcome.estimates = estimates;
    outcome.makespanS = scheduler.timeline().makespan - startS;
    outcome.lateResults = scheduler.lateResults();
    outcome.reassignedChunks = reassigned;
    outcome.output = std::move(output);
    return outcome;
}

} // namespace starling::mpi
