#include "nodeevents.h"

#include "protocol/eventjson.h"

#include <QJsonArray>

namespace starling::protocol {

namespace {

// The payload keys of the node events, written here only.
const QLatin1String kBy(eventkey::kBy), kReason(eventkey::kReason), kNode(eventkey::kNode),
    kFrom("from"), kTo("to"), kStrategy("strategy"), kPrevious("previous"), kW1("w1"), kW2("w2"),
    kEpoch("epoch"), kCount("count"), kTasks("tasks"), kTask("task"), kDetail("detail"),
    kAssigned("assigned"), kWaiting("waiting_at_master"), kFactor("factor"), kAction("action");

constexpr qint64 kMaxEpoch = qint64(1) << 53;
constexpr qsizetype kMaxAssigned = 4096;

// An operator's event: "by" and "reason" are always there.
QJsonObject causedObject(EventKind kind, const EventCause &cause)
{
    QJsonObject o = eventObject(kind, cause.timeMs);
    o.insert(kBy, cause.by);
    o.insert(kReason, cause.reason);
    return o;
}

void readCause(const EventFields &f, EventCause &cause)
{
    cause.timeMs = f.timeMs();
    cause.by = f.text(kBy);
    cause.reason = f.text(kReason);
}

// An event of Event's kind, its cause, and what `fill` reads of its own fields.
template<typename Event, typename Fill>
Expected<Event> readCaused(const QJsonObject &event, Fill fill)
{
    if (const auto wrong = wrongKind(event, Event::kKind))
        return Error{*wrong};
    const EventFields f(event);
    Event e;
    readCause(f, e);
    fill(f, e);
    return e;
}

QJsonObject livenessObject(EventKind kind, const LivenessEventBase &e)
{
    QJsonObject o = eventObject(kind, e.timeMs);
    o.insert(kNode, e.node);
    o.insert(kFrom, e.from);
    o.insert(kTo, e.to);
    insertCount(o, kEpoch, e.epoch);
    o.insert(kBy, e.by);
    if (!e.reason.isEmpty())
        o.insert(kReason, e.reason);
    return o;
}

template<typename Event> Expected<Event> readLiveness(const QJsonObject &event)
{
    return readCaused<Event>(event, [](const EventFields &f, Event &e) {
        e.node = f.text(kNode);
        e.from = f.text(kFrom);
        e.to = f.text(kTo);
        e.epoch = f.count(kEpoch, kMaxEpoch);
    });
}

} // namespace

QJsonObject StateChangedEvent::toJson() const
{
    QJsonObject o = causedObject(kKind, *this);
    o.insert(kNode, node);
    o.insert(kFrom, from);
    o.insert(kTo, to);
    return o;
}

Expected<StateChangedEvent> StateChangedEvent::fromJson(const QJsonObject &event)
{
    return readCaused<StateChangedEvent>(event, [](const EventFields &f, StateChangedEvent &e) {
        e.node = f.text(kNode);
        e.from = f.text(kFrom);
        e.to = f.text(kTo);
    });
}

QJsonObject WeightChangedEvent::toJson() const
{
    QJsonObject o = causedObject(kKind, *this);
    o.insert(kNode, node);
    insertOptional(o, kFrom, from);
    insertOptional(o, kTo, to);
    return o;
}

Expected<WeightChangedEvent> WeightChangedEvent::fromJson(const QJsonObject &event)
{
    return readCaused<WeightChangedEvent>(event, [](const EventFields &f, WeightChangedEvent &e) {
        e.node = f.text(kNode);
        e.from = f.number(kFrom);
        e.to = f.number(kTo);
    });
}

QJsonObject StrategyChangedEvent::toJson() const
{
    QJsonObject o = causedObject(kKind, *this);
    o.insert(kStrategy, strategy);
    o.insert(kPrevious, previous);
    insertOptional(o, kW1, w1);
    insertOptional(o, kW2, w2);
    return o;
}

Expected<StrategyChangedEvent> StrategyChangedEvent::fromJson(const QJsonObject &event)
{
    return readCaused<StrategyChangedEvent>(event,
                                            [](const EventFields &f, StrategyChangedEvent &e) {
                                                e.strategy = f.text(kStrategy);
                                                e.previous = f.text(kPrevious);
                                                e.w1 = f.number(kW1);
                                                e.w2 = f.number(kW2);
                                            });
}

QJsonObject NodeSuspectEvent::toJson() const
{
    return livenessObject(kKind, *this);
}

Expected<NodeSuspectEvent> NodeSuspectEvent::fromJson(const QJsonObject &event)
{
    return readLiveness<NodeSuspectEvent>(event);
}

QJsonObject NodeDownEvent::toJson() const
{
    return livenessObject(kKind, *this);
}

Expected<NodeDownEvent> NodeDownEvent::fromJson(const QJsonObject &event)
{
    return readLiveness<NodeDownEvent>(event);
}

QJsonObject NodeBackEvent::toJson() const
{
    return livenessObject(kKind, *this);
}

Expected<NodeBackEvent> NodeBackEvent::fromJson(const QJsonObject &event)
{
    return readLiveness<NodeBackEvent>(event);
}

QJsonObject TaskReassignedEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kNode, node);
    insertCount(o, kCount, count);
    if (!tasks.empty() && tasks.size() <= kMaxListed) {
        QJsonArray ids;
        for (const qint64 id : tasks)
            ids.append(double(id));
        o.insert(kTasks, ids);
    }
    return o;
}

Expected<TaskReassignedEvent> TaskReassignedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    TaskReassignedEvent e;
    e.timeMs = f.timeMs();
    e.node = f.text(kNode);
    e.count = f.count(kCount, kMaxCount);
    // A longer list than the master writes still shows its beginning.
    for (const QJsonValue &id : event.value(kTasks).toArray()) {
        if (e.tasks.size() == kMaxListed)
            break;
        if (id.isDouble() && id.toDouble() >= 0)
            e.tasks.push_back(qint64(id.toDouble()));
    }
    return e;
}

QJsonObject LateMessageDroppedEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kNode, node);
    insertCount(o, kTask, task);
    insertCount(o, kEpoch, epoch);
    o.insert(kDetail, detail);
    return o;
}

Expected<LateMessageDroppedEvent> LateMessageDroppedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    LateMessageDroppedEvent e;
    e.timeMs = f.timeMs();
    e.node = f.text(kNode);
    e.task = f.count(kTask, kMaxEpoch);
    e.epoch = f.count(kEpoch, kMaxEpoch);
    e.detail = f.text(kDetail);
    return e;
}

QJsonObject LoadEvent::result() const
{
    QJsonObject o;
    insertCount(o, kTasks, tasks);
    QJsonObject given;
    for (const auto &[slave, count] : assigned)
        given.insert(slave, double(count));
    o.insert(kAssigned, given);
    insertCount(o, kWaiting, waitingAtMaster);
    return o;
}

QJsonObject LoadEvent::toJson() const
{
    QJsonObject o = causedObject(kKind, *this);
    const QJsonObject fields = result();
    for (auto it = fields.begin(); it != fields.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

Expected<LoadEvent> LoadEvent::fromJson(const QJsonObject &event)
{
    return readCaused<LoadEvent>(event, [](const EventFields &f, LoadEvent &e) {
        e.tasks = f.count(kTasks, kMaxCount);
        const QJsonObject given = f.object(kAssigned, kMaxAssigned);
        for (auto it = given.begin(); it != given.end(); ++it) {
            if (it.value().isDouble() && it.value().toDouble() >= 0)
                e.assigned[it.key()] = qint64(it.value().toDouble());
        }
        e.waitingAtMaster = f.count(kWaiting, kMaxCount);
    });
}

QJsonObject ShutdownEvent::toJson() const
{
    return causedObject(kKind, *this);
}

Expected<ShutdownEvent> ShutdownEvent::fromJson(const QJsonObject &event)
{
    return readCaused<ShutdownEvent>(event, [](const EventFields &, ShutdownEvent &) {});
}

QJsonObject SlowEvent::toJson() const
{
    QJsonObject o = causedObject(kKind, *this);
    o.insert(kNode, node);
    insertOptional(o, kFactor, factor);
    return o;
}

Expected<SlowEvent> SlowEvent::fromJson(const QJsonObject &event)
{
    return readCaused<SlowEvent>(event, [](const EventFields &f, SlowEvent &e) {
        e.node = f.text(kNode);
        e.factor = f.number(kFactor);
    });
}

QJsonObject FaultEvent::toJson() const
{
    QJsonObject o = causedObject(kKind, *this);
    o.insert(kNode, node);
    o.insert(kAction, action);
    return o;
}

Expected<FaultEvent> FaultEvent::fromJson(const QJsonObject &event)
{
    return readCaused<FaultEvent>(event, [](const EventFields &f, FaultEvent &e) {
        e.node = f.text(kNode);
        e.action = f.text(kAction);
    });
}

} // namespace starling::protocol
