#include "eventdescription.h"

#include "util/valueformat.h"
#include "protocol/eventjson.h"
#include "protocol/jobevents.h"
#include "protocol/nodeevents.h"
#include "protocol/transferevents.h"
#include "util/oneline.h"

#include <QJsonArray>
#include <QStringList>

#include <array>
#include <cmath>
#include <optional>

namespace starling::consolemodel {

namespace {

using Category = EventLine::Category;

// Bounds for text from the wire. Names follow the bridge's client-name limit; reasons the
// command limit is 500, but a log line needs far less to be understood.
constexpr int kNameLength = 64;
constexpr int kReasonLength = 200;
constexpr int kLineLength = 400;
constexpr int kListItems = 8; // ids or names shown before "..."

QString unknown()
{
    return QStringLiteral("?");
}

// Finite numbers only (every caller checks): as the catalogue shows a number given as text.
QString numberText(double value)
{
    return protocol::EventFields::textOf(QJsonValue(value));
}

QString shortValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return util::oneLine(value.toString(), 40);
    case QJsonValue::Double:
        return std::isfinite(value.toDouble()) ? numberText(value.toDouble()) : unknown();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return QStringLiteral("[%1 items]").arg(value.toArray().size());
    case QJsonValue::Object:
        return QStringLiteral("{...}");
    default:
        return QStringLiteral("null");
    }
}

// "12, 16, 20, ..." from an array of ids or names.
QString listText(const QJsonArray &items)
{
    QStringList parts;
    for (const QJsonValue &item : items) {
        if (parts.size() == kListItems) {
            parts << QStringLiteral("...");
            break;
        }
        parts << shortValue(item);
    }
    return parts.join(QStringLiteral(", "));
}

QString plural(const QString &count, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(count,
                                       QLatin1String(count == QLatin1String("1") ? one : many));
}

QString textOr(const QString &text, int maxLength = kNameLength)
{
    const QString line = util::oneLine(text, maxLength);
    return line.isEmpty() ? unknown() : line;
}

QString countText(qint64 count)
{
    return count < 0 ? unknown() : QString::number(count);
}

QString jobName(const QString &id)
{
    const QString line = util::oneLine(id, kNameLength);
    return line.isEmpty() ? QStringLiteral("job ?") : line;
}

QString unitRange(qint64 first, qint64 units)
{
    if (first < 0 || units < 0)
        return QStringLiteral("units ?");
    if (units == 1)
        return QStringLiteral("unit %1").arg(first);
    return QStringLiteral("units %1-%2").arg(first).arg(first + units - 1);
}

QString jobStarted(const protocol::JobStartedEvent &e)
{
    QString line =
        QStringLiteral("%1 started: %2, %3")
            .arg(jobName(e.job), textOr(e.op), plural(countText(e.units), "unit", "units"));
    if (!e.slaves.isEmpty()) {
        QStringList parts;
        for (qsizetype i = 0; i < e.slaves.size(); ++i) {
            if (parts.size() == kListItems) {
                parts << QStringLiteral("...");
                break;
            }
            const QString name = util::oneLine(e.slaves[i], 40);
            parts << (size_t(i) < e.plannedShares.size()
                          ? QStringLiteral("%1 %2").arg(name).arg(e.plannedShares[size_t(i)])
                          : name);
        }
        line += QStringLiteral(" on %1").arg(parts.join(QStringLiteral(", ")));
    }
    return line + QStringLiteral(" (%1, order %2)").arg(textOr(e.strategy), textOr(e.order));
}

QString stripAssigned(const protocol::StripAssignedEvent &e)
{
    QString line = QStringLiteral("%1 strip %2 -> %3: %4")
                       .arg(jobName(e.job), countText(e.chunk), textOr(e.slave),
                            unitRange(e.firstUnit, e.units));
    // Rows come as [begin, end); shown inclusive, like the units.
    if (e.rowsBegin >= 0 && e.rowsEnd > e.rowsBegin)
        line += QStringLiteral(", rows %1-%2").arg(e.rowsBegin).arg(e.rowsEnd - 1);
    return line;
}

QString stripDone(const protocol::StripDoneEvent &e)
{
    QString line = QStringLiteral("%1 strip %2 done on %3: %4")
                       .arg(jobName(e.job), countText(e.chunk), textOr(e.slave),
                            unitRange(e.firstUnit, e.units));
    if (e.computeStartS && e.computeEndS && *e.computeEndS >= *e.computeStartS)
        line += QStringLiteral(", computed in %1")
                    .arg(util::formatSeconds(*e.computeEndS - *e.computeStartS));
    if (e.returnEndS)
        line += QStringLiteral(", back at %1").arg(util::formatSeconds(*e.returnEndS));
    return line;
}

QString stripReassigned(const protocol::StripReassignedEvent &e)
{
    QString line = QStringLiteral("%1 lost %2").arg(jobName(e.job), textOr(e.slave));
    const QString reason = util::oneLine(e.reason, kReasonLength);
    if (!reason.isEmpty())
        line += QStringLiteral(" (%1)").arg(reason);
    line += QStringLiteral(": its %1 go to the others")
                .arg(plural(countText(e.chunks), "strip", "strips"));
    if (e.newChunks >= 0)
        line += QStringLiteral(" as %1").arg(
            plural(QString::number(e.newChunks), "new strip", "new strips"));
    return line;
}

QString jobDone(const protocol::JobDoneEvent &e)
{
    QString line = QStringLiteral("%1 done in %2")
                       .arg(jobName(e.job), e.makespanS ? util::formatSeconds(*e.makespanS) : unknown());
    if (e.reassigned > 0)
        line += QStringLiteral(", %1 reassigned")
                    .arg(plural(QString::number(e.reassigned), "strip", "strips"));
    return line;
}

QString jobFailed(const protocol::JobFailedEvent &e)
{
    return QStringLiteral("%1 failed: %2").arg(jobName(e.job), textOr(e.error, kReasonLength));
}

// " (by alice: disk swap)", " (by alice)", " (disk swap)" or "".
QString causeSuffix(const protocol::EventCause &cause)
{
    const QString by = util::oneLine(cause.by, kNameLength);
    const QString reason = util::oneLine(cause.reason, kReasonLength);
    if (by.isEmpty() && reason.isEmpty())
        return {};
    if (by.isEmpty())
        return QStringLiteral(" (%1)").arg(reason);
    if (reason.isEmpty())
        return QStringLiteral(" (by %1)").arg(by);
    return QStringLiteral(" (by %1: %2)").arg(by, reason);
}

QString numberOr(const std::optional<double> &value)
{
    return value ? numberText(*value) : unknown();
}

QString stateChanged(const protocol::StateChangedEvent &e)
{
    return QStringLiteral("%1 %2 -> %3").arg(textOr(e.node), textOr(e.from), textOr(e.to)) +
           causeSuffix(e);
}

QString weightChanged(const protocol::WeightChangedEvent &e)
{
    return QStringLiteral("%1 weight %2 -> %3")
               .arg(textOr(e.node), numberOr(e.from), numberOr(e.to)) +
           causeSuffix(e);
}

QString strategyChanged(const protocol::StrategyChangedEvent &e)
{
    QString line = QStringLiteral("strategy %1 -> %2").arg(textOr(e.previous), textOr(e.strategy));
    if (e.w1 || e.w2)
        line += QStringLiteral(" (w1 %1, w2 %2)").arg(numberOr(e.w1), numberOr(e.w2));
    return line + causeSuffix(e);
}

QString detectorLine(const protocol::LivenessEventBase &e, const char *defaultTo, const char *what)
{
    QString to = util::oneLine(e.to, kNameLength);
    if (to.isEmpty())
        to = QLatin1String(defaultTo);
    const QString epoch = e.epoch >= 0 ? QStringLiteral(" (epoch %1)").arg(e.epoch) : QString();
    return QStringLiteral("%1 %2 -> %3: %4")
               .arg(textOr(e.node), textOr(e.from), to, QLatin1String(what)) +
           epoch;
}

QString nodeSuspect(const protocol::NodeSuspectEvent &e)
{
    return detectorLine(e, "SUSPECT", "heartbeats missed, no new tasks");
}

QString nodeDown(const protocol::NodeDownEvent &e)
{
    // A crash says so: the operator needs to know the process is gone, not merely quiet.
    if (e.reason == QLatin1String(protocol::kExited))
        return detectorLine(e, "DOWN",
                            "its process exited, its work goes to the others (back with "
                            "starling restart)");
    return detectorLine(e, "DOWN", "silent, its tasks go back to the master");
}

QString nodeBack(const protocol::NodeBackEvent &e)
{
    return detectorLine(e, "?", "heartbeats are back");
}

QString taskReassigned(const protocol::TaskReassignedEvent &e)
{
    QString line = QStringLiteral("%1 of %2 taken back for other slaves")
                       .arg(plural(countText(e.count), "task", "tasks"), textOr(e.node));
    if (!e.tasks.empty()) {
        QJsonArray ids;
        for (const qint64 id : e.tasks)
            ids.append(double(id));
        line += QStringLiteral(" (%1)").arg(listText(ids));
    }
    return line;
}

QString lateMessageDropped(const protocol::LateMessageDroppedEvent &e)
{
    QString line = QStringLiteral("late answer from %1 dropped (task %2%3)")
                       .arg(textOr(e.node), countText(e.task),
                            e.epoch >= 0 ? QStringLiteral(", epoch %1").arg(e.epoch) : QString());
    const QString detail = util::oneLine(e.detail, kReasonLength);
    if (!detail.isEmpty())
        line += QStringLiteral(": ") + detail;
    return line;
}

QString load(const protocol::LoadEvent &e)
{
    QString line = QStringLiteral("%1 given out")
                       .arg(plural(countText(e.tasks), "synthetic task", "synthetic tasks"));
    QStringList parts;
    for (const auto &[slave, count] : e.assigned) {
        if (parts.size() == kListItems) {
            parts << QStringLiteral("...");
            break;
        }
        parts << QStringLiteral("%1 %2").arg(util::oneLine(slave, kNameLength)).arg(count);
    }
    if (!parts.isEmpty())
        line += QStringLiteral(": ") + parts.join(QStringLiteral(", "));
    if (e.waitingAtMaster > 0)
        line += QStringLiteral("; %1 waiting at master").arg(e.waitingAtMaster);
    return line + causeSuffix(e);
}

QString shutdown(const protocol::ShutdownEvent &e)
{
    return QStringLiteral("cluster shutting down") + causeSuffix(e);
}

QString slow(const protocol::SlowEvent &e)
{
    const QString node = textOr(e.node);
    const QString what =
        e.factor && *e.factor == 1
            ? QStringLiteral("%1 computes at its profile's speed again").arg(node)
            : QStringLiteral("%1 computes %2x slower").arg(node, numberOr(e.factor));
    return what + causeSuffix(e);
}

// A fault injected from outside (starling lab), so the operator sees the cause beside the
// DOWN or SUSPECT it brings.
QString fault(const protocol::FaultEvent &e)
{
    QString line = QStringLiteral("fault injected: %1 %2").arg(textOr(e.action), textOr(e.node));
    const QString reason = util::oneLine(e.reason, kNameLength);
    if (!reason.isEmpty())
        line += QStringLiteral(" (%1)").arg(reason);
    return line;
}

QString transferPlanned(const protocol::TransferPlannedEvent &e)
{
    QString line = QStringLiteral("transfer %1 planned: %2, %3 in %4")
                       .arg(textOr(e.transferId), textOr(e.path, kReasonLength),
                            e.size >= 0 ? util::formatBytes(double(e.size)) : unknown(),
                            plural(countText(e.blocks), "block", "blocks"));
    const QString strategy = util::oneLine(e.strategy, kNameLength);
    if (!strategy.isEmpty())
        line += QStringLiteral(" (%1)").arg(strategy);
    // The block map names each slave once per run; people want the set of slaves.
    QJsonArray slaves;
    for (const protocol::TransferPlannedEvent::Run &run : e.runs) {
        if (!slaves.contains(run.slave))
            slaves.append(run.slave);
    }
    if (!slaves.isEmpty())
        line += QStringLiteral(" from ") + listText(slaves);
    return line;
}

QString transferBlock(const protocol::TransferBlockEvent &e)
{
    const QString node = textOr(e.node);
    const QString block = countText(e.block);
    const QString transfer = textOr(e.transferId);
    const QString sent = e.bytes >= 0 ? util::formatBytes(double(e.bytes)) : unknown();
    if (e.complete)
        return QStringLiteral("%1 served block %2 of transfer %3 (%4)")
            .arg(node, block, transfer, sent);
    return QStringLiteral("%1 did not finish block %2 of transfer %3 (status %4, %5 sent)")
        .arg(node, block, transfer, countText(e.status), sent);
}

// A describer of a typed event; an event of its kind that does not read as one (a field of
// the wrong type) gets the generic line instead (an empty text here).
template<typename Event, QString (*Describe)(const Event &)> QString typed(const QJsonObject &event)
{
    const Expected<Event> e = Event::fromJson(event);
    return e ? Describe(*e) : QString();
}

struct KindDescriber
{
    protocol::EventKind kind;
    Category category;
    QString (*describe)(const QJsonObject &);
};

using protocol::EventKind;
constexpr std::array kDescribers{
    KindDescriber{EventKind::StateChanged, Category::State,
                  typed<protocol::StateChangedEvent, stateChanged>},
    KindDescriber{EventKind::WeightChanged, Category::Operator,
                  typed<protocol::WeightChangedEvent, weightChanged>},
    KindDescriber{EventKind::StrategyChanged, Category::Operator,
                  typed<protocol::StrategyChangedEvent, strategyChanged>},
    KindDescriber{EventKind::NodeSuspect, Category::Failure,
                  typed<protocol::NodeSuspectEvent, nodeSuspect>},
    KindDescriber{EventKind::NodeDown, Category::Failure, typed<protocol::NodeDownEvent, nodeDown>},
    KindDescriber{EventKind::NodeBack, Category::Failure, typed<protocol::NodeBackEvent, nodeBack>},
    KindDescriber{EventKind::TaskReassigned, Category::Failure,
                  typed<protocol::TaskReassignedEvent, taskReassigned>},
    KindDescriber{EventKind::LateMessageDropped, Category::Failure,
                  typed<protocol::LateMessageDroppedEvent, lateMessageDropped>},
    KindDescriber{EventKind::Load, Category::Operator, typed<protocol::LoadEvent, load>},
    KindDescriber{EventKind::Shutdown, Category::Operator,
                  typed<protocol::ShutdownEvent, shutdown>},
    KindDescriber{EventKind::Slow, Category::Operator, typed<protocol::SlowEvent, slow>},
    KindDescriber{EventKind::Fault, Category::Failure, typed<protocol::FaultEvent, fault>},
    KindDescriber{EventKind::TransferPlanned, Category::Transfer,
                  typed<protocol::TransferPlannedEvent, transferPlanned>},
    KindDescriber{EventKind::TransferBlock, Category::Transfer,
                  typed<protocol::TransferBlockEvent, transferBlock>},
    KindDescriber{EventKind::JobStarted, Category::Job,
                  typed<protocol::JobStartedEvent, jobStarted>},
    KindDescriber{EventKind::StripAssigned, Category::Job,
                  typed<protocol::StripAssignedEvent, stripAssigned>},
    KindDescriber{EventKind::StripDone, Category::Job, typed<protocol::StripDoneEvent, stripDone>},
    KindDescriber{EventKind::StripReassigned, Category::Job,
                  typed<protocol::StripReassignedEvent, stripReassigned>},
    KindDescriber{EventKind::JobDone, Category::Job, typed<protocol::JobDoneEvent, jobDone>},
    KindDescriber{EventKind::JobFailed, Category::Job, typed<protocol::JobFailedEvent, jobFailed>},
};

// A kind this console does not know yet (PROTOCOL.md lets servers add them): its name and its
// fields, so the operator still sees what happened.
QString generic(const QString &kind, const QJsonObject &event)
{
    QStringList parts;
    for (auto it = event.begin(); it != event.end(); ++it) {
        // A kind that is not a usable string is itself worth showing.
        if ((it.key() == QLatin1String(protocol::eventkey::kKind) && !kind.isEmpty()) ||
            it.key() == QLatin1String(protocol::eventkey::kTimeMs)) {
            continue;
        }
        if (parts.size() == kListItems) {
            parts << QStringLiteral("...");
            break;
        }
        parts << QStringLiteral("%1 %2").arg(util::oneLine(it.key(), 32), shortValue(it.value()));
    }
    const QString head = kind.isEmpty() ? QStringLiteral("event without a kind") : kind;
    return parts.isEmpty() ? head : QString(head + QStringLiteral(": ") + parts.join(u", "));
}

} // namespace

EventLine describeEvent(const QJsonObject &event)
{
    namespace key = protocol::eventkey;
    const protocol::EventFields f(event);
    EventLine line;
    line.timeMs = f.timeMs();
    const QJsonValue kind = event.value(QLatin1String(key::kKind));
    line.kind = kind.isString() ? util::oneLine(kind.toString(), kNameLength) : QString();
    line.node = util::oneLine(f.text(QLatin1String(key::kNode)), kNameLength);
    if (line.node.isEmpty()) // strip events name the slave
        line.node = util::oneLine(f.text(QLatin1String(key::kSlave)), kNameLength);
    line.by = util::oneLine(f.text(QLatin1String(key::kBy)), kNameLength);
    line.reason = util::oneLine(f.text(QLatin1String(key::kReason)), kReasonLength);

    const std::optional<EventKind> known = protocol::kindOf(event);
    for (const KindDescriber &d : kDescribers) {
        if (known == d.kind) {
            line.category = d.category;
            const QString text = d.describe(event);
            line.text =
                util::oneLine(text.isEmpty() ? generic(line.kind, event) : text, kLineLength);
            return line;
        }
    }
    // An action PROTOCOL.md does not list yet is still recognisable as an operator's by its
    // `by`; anything else is just news.
    const bool byOperator = !line.by.isEmpty() && line.by != QLatin1String(protocol::kDetector);
    line.category = byOperator ? Category::Operator : Category::Other;
    line.text = util::oneLine(generic(line.kind, event), kLineLength);
    return line;
}

QString toString(EventLine::Category category)
{
    switch (category) {
    case Category::State:
        return QStringLiteral("State");
    case Category::Operator:
        return QStringLiteral("Operator");
    case Category::Failure:
        return QStringLiteral("Failure");
    case Category::Transfer:
        return QStringLiteral("Transfer");
    case Category::Job:
        return QStringLiteral("Job");
    case Category::Other:
        break;
    }
    return QStringLiteral("Other");
}

} // namespace starling::consolemodel
