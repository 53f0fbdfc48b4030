#pragma once

#include "protocol/eventkind.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace starling::protocol {

// What every typed event's toJson and fromJson share: the envelope ("kind", "time_ms"), and
// lenient reads of its fields. Events come from the monitor to consoles and scripts that must
// show what they can of any line, so a field that is missing, of the wrong type or out of
// range reads as absent (an empty string, -1, no value) instead of spoiling the event; the
// readers (the event log, the task views) decide what they can do without it. The event
// catalogue uses this, and the event log reads the envelope of any event, known or not, with it.

QJsonObject eventObject(EventKind kind, qint64 timeMs);

class EventFields
{
public:
    explicit EventFields(const QJsonObject &event) : m_event(event) {}

    QString text(QLatin1String key) const; // a string, or a number as text
    static QString textOf(const QJsonValue &value);
    // A finite number >= 0 (truncated), at most max; -1 when absent or out of range.
    qint64 count(QLatin1String key, qint64 max) const;
    // A finite number, when there is one.
    std::optional<double> number(QLatin1String key) const;
    // At most maxSize elements; empty when absent or longer.
    QJsonArray array(QLatin1String key, qsizetype maxSize) const;
    // At most maxKeys keys; empty when absent or larger.
    QJsonObject object(QLatin1String key, qsizetype maxKeys) const;
    qint64 timeMs() const; // 0 when absent

private:
    QJsonObject m_event;
};

void insertOptional(QJsonObject &event, QLatin1String key, const std::optional<double> &value);
// A count or index; a negative one means "not known" and is left out.
void insertCount(QJsonObject &event, QLatin1String key, qint64 value);

// An error for an object that is not an event of `kind`, or nothing.
std::optional<QString> wrongKind(const QJsonObject &event, EventKind kind);

// Ranges shared by many events.
inline constexpr qint64 kMaxCount = qint64(1) << 40; // units, rows, bytes, blocks
inline constexpr qint64 kMaxRank = 1 << 20;
inline constexpr qint64 kMaxChunk = 1 << 30;
inline constexpr qsizetype kMaxSlaves = 4096;

} // namespace starling::protocol
