#pragma once

#include "protocol/eventkind.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <map>
#include <optional>
#include <vector>

namespace starling::protocol {

// The events about nodes and the cluster (PROTOCOL.md, "Events"): operators' actions, the
// failure detector's verdicts and what the master did about them. The master's AdminStateTable and
// MasterRole make them; the console's event log reads them. Read and written as the job
// events are (jobevents.h): fromJson refuses only another kind.

// Who caused an event and why: an operator's client name and reason ("" if none was given),
// or "detector".
struct EventCause
{
    qint64 timeMs = 0;
    QString by, reason;
};

struct StateChangedEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::StateChanged;
    QString node, from, to; // node states: ACTIVE, DRAINING, ...

    QJsonObject toJson() const;
    static Expected<StateChangedEvent> fromJson(const QJsonObject &event);
};

struct WeightChangedEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::WeightChanged;
    QString node;
    std::optional<double> from, to;

    QJsonObject toJson() const;
    static Expected<WeightChangedEvent> fromJson(const QJsonObject &event);
};

struct StrategyChangedEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::StrategyChanged;
    QString strategy, previous;
    std::optional<double> w1, w2;

    QJsonObject toJson() const;
    static Expected<StrategyChangedEvent> fromJson(const QJsonObject &event);
};

// The failure detector's verdicts: the same fields for every one (a reason only when the node
// went SUSPECT or DOWN).
struct LivenessEventBase : EventCause
{
    QString node, from, to;
    qint64 epoch = -1; // the node's epoch after the change
};

struct NodeSuspectEvent : LivenessEventBase
{
    static constexpr EventKind kKind = EventKind::NodeSuspect;
    QJsonObject toJson() const;
    static Expected<NodeSuspectEvent> fromJson(const QJsonObject &event);
};

struct NodeDownEvent : LivenessEventBase
{
    static constexpr EventKind kKind = EventKind::NodeDown;
    QJsonObject toJson() const;
    static Expected<NodeDownEvent> fromJson(const QJsonObject &event);
};

struct NodeBackEvent : LivenessEventBase
{
    static constexpr EventKind kKind = EventKind::NodeBack;
    QJsonObject toJson() const;
    static Expected<NodeBackEvent> fromJson(const QJsonObject &event);
};

// The tasks a DOWN node held were taken back to give to other slaves.
struct TaskReassignedEvent
{
    static constexpr EventKind kKind = EventKind::TaskReassigned;
    static constexpr size_t kMaxListed = 100; // more ids are counted, not listed
    qint64 timeMs = 0;
    QString node;
    qint64 count = -1;
    std::vector<qint64> tasks; // empty when there were more than kMaxListed

    QJsonObject toJson() const;
    static Expected<TaskReassignedEvent> fromJson(const QJsonObject &event);
};

// A completion from an older epoch (a node that had been declared DOWN), dropped.
struct LateMessageDroppedEvent
{
    static constexpr EventKind kKind = EventKind::LateMessageDropped;
    qint64 timeMs = 0;
    QString node;
    qint64 task = -1, epoch = -1;
    QString detail;

    QJsonObject toJson() const;
    static Expected<LateMessageDroppedEvent> fromJson(const QJsonObject &event);
};

// An operator gave the cluster synthetic tasks.
struct LoadEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::Load;
    qint64 tasks = -1;
    std::map<QString, qint64> assigned; // slave -> tasks it was given
    qint64 waitingAtMaster = -1;

    // The fields without the envelope and cause: also the `result` of the load command's ack.
    QJsonObject result() const;
    QJsonObject toJson() const;
    static Expected<LoadEvent> fromJson(const QJsonObject &event);
};

struct ShutdownEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::Shutdown;
    QJsonObject toJson() const;
    static Expected<ShutdownEvent> fromJson(const QJsonObject &event);
};

struct SlowEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::Slow;
    QString node;
    std::optional<double> factor;

    QJsonObject toJson() const;
    static Expected<SlowEvent> fromJson(const QJsonObject &event);
};

// A fault injected from outside (starling lab crash, hang, cut, ...), kept in the audit trail.
struct FaultEvent : EventCause
{
    static constexpr EventKind kKind = EventKind::Fault;
    QString node, action;

    QJsonObject toJson() const;
    static Expected<FaultEvent> fromJson(const QJsonObject &event);
};

} // namespace starling::protocol
