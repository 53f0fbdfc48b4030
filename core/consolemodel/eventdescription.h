#pragma once

#include <QJsonObject>
#include <QString>
#include <QtGlobal>

namespace starling::consolemodel {

// One bridge event (PROTOCOL.md, "The event object") as the console's log shows it: who, what,
// where, and one sentence for people. Every string in it came from the wire and is safe to put
// on one line: control and format characters removed, cut to a bounded length.
struct EventLine
{
    // What an operator filters the log by. State: an operator's drain/resume and its end
    // (DRAINING -> DRAINED). Operator: every other operator action (weight, strategy, load,
    // slow, shutdown, and unknown kinds that carry a `by` other than "detector"). Failure: the
    // failure detector and what follows from it (suspect, down, back, tasks taken back, late
    // answers dropped). Transfer: file transfer plans and blocks. Job: image jobs and their
    // strips, including a failed job and strips moved off a lost slave, so one filter tells
    // a job's whole story.
    enum class Category
    {
        State,
        Operator,
        Failure,
        Transfer,
        Job,
        Other
    };
    static constexpr int kCategoryCount = 6;

    qint64 timeMs = 0; // ms since the epoch; 0 when the event carried no usable time
    QString kind;      // "state_changed", ...; empty when the event had none
    Category category = Category::Other;
    QString node; // the node it concerns ("slave-3"), empty for cluster-wide events
    QString by;   // who caused it: an operator's client name, "detector", or empty
    QString reason;
    QString text; // "slave-3 ACTIVE -> DRAINING (by alice: disk swap)"
};

// Never fails: a missing or wrongly typed field shows as "?" (or is left out), an unknown kind
// gets a generic sentence listing its fields.
EventLine describeEvent(const QJsonObject &event);

QString toString(EventLine::Category category); // "State", "Operator", ...

} // namespace starling::consolemodel
