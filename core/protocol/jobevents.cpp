#include "jobevents.h"

#include "protocol/eventjson.h"

#include <QJsonArray>

#include <algorithm>

namespace starling::protocol {

namespace {

// The payload keys of the job events, written here only.
const QLatin1String kJob("job"), kOp("op"), kStrategy("strategy"), kOrder("order"), kUnits("units"),
    kSlaves("slaves"), kPlannedShares("planned_shares"), kPredicted("predicted_makespan_s"),
    kChunk("chunk"), kSlave(eventkey::kSlave), kRank("rank"), kFirstUnit("first_unit"),
    kRows("rows"), kSendStart("send_start_s"), kSendEnd("send_end_s"),
    kComputeStart("compute_start_s"), kComputeEnd("compute_end_s"), kReturnStart("return_start_s"),
    kReturnEnd("return_end_s"), kReason(eventkey::kReason), kChunks("chunks"),
    kNewChunks("new_chunks"), kMakespan("makespan_s"), kReassigned("reassigned"), kError("error");

// The fields every strip event starts with.
template<typename Event> Event stripEvent(const EventFields &f)
{
    Event e;
    e.timeMs = f.timeMs();
    e.job = f.text(kJob);
    e.chunk = int(f.count(kChunk, kMaxChunk));
    e.slave = f.text(kSlave);
    e.rank = int(f.count(kRank, kMaxRank));
    return e;
}

QJsonObject stripObject(EventKind kind, const StripEventBase &e)
{
    QJsonObject o = eventObject(kind, e.timeMs);
    o.insert(kJob, e.job);
    insertCount(o, kChunk, e.chunk);
    o.insert(kSlave, e.slave);
    insertCount(o, kRank, e.rank);
    return o;
}

} // namespace

QJsonObject JobStartedEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    QJsonArray shares;
    for (qint64 s : plannedShares)
        shares.append(s);
    o.insert(kJob, job);
    o.insert(kOp, op);
    o.insert(kStrategy, strategy);
    o.insert(kOrder, order);
    insertCount(o, kUnits, units);
    o.insert(kSlaves, QJsonArray::fromStringList(slaves));
    o.insert(kPlannedShares, shares);
    o.insert(kPredicted, predictedMakespanS);
    return o;
}

Expected<JobStartedEvent> JobStartedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    JobStartedEvent e;
    e.timeMs = f.timeMs();
    e.job = f.text(kJob);
    e.op = f.text(kOp);
    e.strategy = f.text(kStrategy);
    e.order = f.text(kOrder);
    e.units = f.count(kUnits, kMaxCount);
    for (const QJsonValue &name : f.array(kSlaves, kMaxSlaves))
        e.slaves.append(EventFields::textOf(name));
    for (const QJsonValue &share : f.array(kPlannedShares, kMaxSlaves))
        e.plannedShares.push_back(qint64(std::max(0.0, share.toDouble())));
    e.predictedMakespanS = std::max(0.0, f.number(kPredicted).value_or(0));
    return e;
}

QJsonObject StripAssignedEvent::toJson() const
{
    QJsonObject o = stripObject(kKind, *this);
    insertCount(o, kFirstUnit, firstUnit);
    insertCount(o, kUnits, units);
    if (rowsBegin >= 0 && rowsEnd >= rowsBegin)
        o.insert(kRows, QJsonArray{rowsBegin, rowsEnd});
    return o;
}

Expected<StripAssignedEvent> StripAssignedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    auto e = stripEvent<StripAssignedEvent>(f);
    e.firstUnit = f.count(kFirstUnit, kMaxCount);
    e.units = f.count(kUnits, kMaxCount);
    const QJsonArray rows = f.array(kRows, 2);
    if (rows.size() == 2 && rows.at(0).toDouble(-1) >= 0 &&
        rows.at(1).toDouble(-1) >= rows.at(0).toDouble()) {
        e.rowsBegin = qint64(rows.at(0).toDouble());
        e.rowsEnd = qint64(rows.at(1).toDouble());
    }
    return e;
}

QJsonObject StripSentEvent::toJson() const
{
    QJsonObject o = stripObject(kKind, *this);
    insertOptional(o, kSendEnd, sendEndS);
    return o;
}

Expected<StripSentEvent> StripSentEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    auto e = stripEvent<StripSentEvent>(f);
    e.sendEndS = f.number(kSendEnd);
    return e;
}

QJsonObject StripDoneEvent::toJson() const
{
    QJsonObject o = stripObject(kKind, *this);
    insertCount(o, kFirstUnit, firstUnit);
    insertCount(o, kUnits, units);
    insertOptional(o, kSendStart, sendStartS);
    insertOptional(o, kSendEnd, sendEndS);
    insertOptional(o, kComputeStart, computeStartS);
    insertOptional(o, kComputeEnd, computeEndS);
    insertOptional(o, kReturnStart, returnStartS);
    insertOptional(o, kReturnEnd, returnEndS);
    return o;
}

Expected<StripDoneEvent> StripDoneEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    auto e = stripEvent<StripDoneEvent>(f);
    e.firstUnit = f.count(kFirstUnit, kMaxCount);
    e.units = f.count(kUnits, kMaxCount);
    e.sendStartS = f.number(kSendStart);
    e.sendEndS = f.number(kSendEnd);
    e.computeStartS = f.number(kComputeStart);
    e.computeEndS = f.number(kComputeEnd);
    e.returnStartS = f.number(kReturnStart);
    e.returnEndS = f.number(kReturnEnd);
    return e;
}

QJsonObject StripReassignedEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kJob, job);
    o.insert(kSlave, slave);
    insertCount(o, kRank, rank);
    o.insert(kReason, reason);
    insertCount(o, kChunks, chunks);
    insertCount(o, kNewChunks, newChunks);
    return o;
}

Expected<StripReassignedEvent> StripReassignedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    StripReassignedEvent e;
    e.timeMs = f.timeMs();
    e.job = f.text(kJob);
    e.slave = f.text(kSlave);
    e.rank = int(f.count(kRank, kMaxRank));
    e.reason = f.text(kReason);
    e.chunks = int(f.count(kChunks, kMaxChunk));
    e.newChunks = int(f.count(kNewChunks, kMaxChunk));
    return e;
}

QJsonObject JobDoneEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kJob, job);
    insertOptional(o, kMakespan, makespanS);
    o.insert(kReassigned, reassigned);
    return o;
}

Expected<JobDoneEvent> JobDoneEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    JobDoneEvent e;
    e.timeMs = f.timeMs();
    e.job = f.text(kJob);
    e.makespanS = f.number(kMakespan);
    e.reassigned = int(std::max<qint64>(0, f.count(kReassigned, kMaxChunk)));
    return e;
}

QJsonObject JobFailedEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kJob, job);
    o.insert(kError, error);
    return o;
}

Expected<JobFailedEvent> JobFailedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    JobFailedEvent e;
    e.timeMs = f.timeMs();
    e.job = f.text(kJob);
    e.error = f.text(kError);
    return e;
}

} // namespace starling::protocol
