#pragma once

#include "protocol/eventkind.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace starling::protocol {

// The events of an image job, as the bridge streams them (PROTOCOL.md, "Events"): the master's
// JobRunner makes them, the console's TaskActivity and event log read them. toJson() writes
// "kind", "time_ms" when set, and every field that is known; fromJson() refuses only an
// object of another kind, and reads a missing, mistyped or out-of-range field as absent
// (eventjson.h): an empty string, -1 for a count or index, no value for a time.

struct JobStartedEvent
{
    static constexpr EventKind kKind = EventKind::JobStarted;
    qint64 timeMs = 0;
    QString job, op, strategy, order;
    qint64 units = -1;
    QStringList slaves;                // the platform's order
    std::vector<qint64> plannedShares; // units per slave, same order
    double predictedMakespanS = 0;     // the simulator's makespan for this plan

    QJsonObject toJson() const;
    static Expected<JobStartedEvent> fromJson(const QJsonObject &event);
};

// What every strip event names: the job, the strip (chunk) and the slave it is for.
struct StripEventBase
{
    qint64 timeMs = 0;
    QString job;
    int chunk = -1;
    QString slave;
    int rank = -1;
};

struct StripAssignedEvent : StripEventBase
{
    static constexpr EventKind kKind = EventKind::StripAssigned;
    qint64 firstUnit = -1, units = -1;
    qint64 rowsBegin = -1, rowsEnd = -1; // [begin, end) of the image

    QJsonObject toJson() const;
    static Expected<StripAssignedEvent> fromJson(const QJsonObject &event);
};

struct StripSentEvent : StripEventBase
{
    static constexpr EventKind kKind = EventKind::StripSent;
    std::optional<double> sendEndS; // seconds from the job's start

    QJsonObject toJson() const;
    static Expected<StripSentEvent> fromJson(const QJsonObject &event);
};

// A strip's result is in place, with the master's record of its phases (seconds from the
// job's start).
struct StripDoneEvent : StripEventBase
{
    static constexpr EventKind kKind = EventKind::StripDone;
    qint64 firstUnit = -1, units = -1;
    std::optional<double> sendStartS, sendEndS, computeStartS, computeEndS, returnStartS,
        returnEndS;

    QJsonObject toJson() const;
    static Expected<StripDoneEvent> fromJson(const QJsonObject &event);
};

struct StripReassignedEvent
{
    static constexpr EventKind kKind = EventKind::StripReassigned;
    qint64 timeMs = 0;
    QString job, slave;
    int rank = -1;
    QString reason;
    int chunks = -1;    // strips the lost slave held
    int newChunks = -1; // strips made from them

    QJsonObject toJson() const;
    static Expected<StripReassignedEvent> fromJson(const QJsonObject &event);
};

struct JobDoneEvent
{
    static constexpr EventKind kKind = EventKind::JobDone;
    qint64 timeMs = 0;
    QString job;
    std::optional<double> makespanS;
    int reassigned = 0;

    QJsonObject toJson() const;
    static Expected<JobDoneEvent> fromJson(const QJsonObject &event);
};

struct JobFailedEvent
{
    static constexpr EventKind kKind = EventKind::JobFailed;
    qint64 timeMs = 0;
    QString job, error;

    QJsonObject toJson() const;
    static Expected<JobFailedEvent> fromJson(const QJsonObject &event);
};

} // namespace starling::protocol
