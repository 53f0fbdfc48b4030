#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <optional>
#include <vector>

namespace starling::protocol {

// Every kind of event the bridge streams (PROTOCOL.md, "Events"). The wire name of each is
// written once, in eventkind.cpp; the typed payloads are in nodeevents.h, transferevents.h and
// jobevents.h.
enum class EventKind
{
    StateChanged,
    WeightChanged,
    StrategyChanged,
    NodeSuspect,
    NodeDown,
    NodeBack,
    TaskReassigned,
    LateMessageDropped,
    Load,
    Shutdown,
    Slow,
    Fault,
    TransferPlanned,
    TransferBlock,
    JobStarted,
    StripAssigned,
    StripSent,
    StripDone,
    StripReassigned,
    JobDone,
    JobFailed,
};

QString toString(EventKind kind);
std::optional<EventKind> eventKindFromString(QStringView name);
const std::vector<EventKind> &allEventKinds();

// Progress of one block or one strip: hundreds per transfer or job, where the other kinds come
// a few at a time.
bool isProgress(EventKind kind);

// The keys every event carries besides its own fields, and those a reader of any event may
// look for (the event log filters by node and by who caused it).
namespace eventkey {
inline constexpr char kKind[] = "kind";
inline constexpr char kTimeMs[] = "time_ms"; // wall clock when it happened, ms since the epoch
inline constexpr char kNode[] = "node";      // the node an event is about
inline constexpr char kSlave[] = "slave";    // the same in job events
inline constexpr char kBy[] = "by";          // an operator's client name, or kDetector
inline constexpr char kReason[] = "reason";
} // namespace eventkey

// `by` of the failure detector's verdicts, and `reason` of a node whose process is gone.
inline constexpr char kDetector[] = "detector";
inline constexpr char kExited[] = "exited";

// The kind named by an event object's "kind", if it is one.
std::optional<EventKind> kindOf(const QJsonObject &event);

} // namespace starling::protocol
