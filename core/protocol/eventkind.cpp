#include "eventkind.h"

#include <QJsonObject>

#include <array>
#include <utility>

namespace starling::protocol {

namespace {

constexpr std::array<std::pair<EventKind, const char *>, 21> kNames{{
    {EventKind::StateChanged, "state_changed"},
    {EventKind::WeightChanged, "weight_changed"},
    {EventKind::StrategyChanged, "strategy_changed"},
    {EventKind::NodeSuspect, "node_suspect"},
    {EventKind::NodeDown, "node_down"},
    {EventKind::NodeBack, "node_back"},
    {EventKind::TaskReassigned, "task_reassigned"},
    {EventKind::LateMessageDropped, "late_message_dropped"},
    {EventKind::Load, "load"},
    {EventKind::Shutdown, "shutdown"},
    {EventKind::Slow, "slow"},
    {EventKind::Fault, "fault"},
    {EventKind::TransferPlanned, "transfer_planned"},
    {EventKind::TransferBlock, "transfer_block"},
    {EventKind::JobStarted, "job_started"},
    {EventKind::StripAssigned, "strip_assigned"},
    {EventKind::StripSent, "strip_sent"},
    {EventKind::StripDone, "strip_done"},
    {EventKind::StripReassigned, "strip_reassigned"},
    {EventKind::JobDone, "job_done"},
    {EventKind::JobFailed, "job_failed"},
}};

} // namespace

QString toString(EventKind kind)
{
    for (const auto &[k, name] : kNames) {
        if (k == kind)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<EventKind> eventKindFromString(QStringView name)
{
    for (const auto &[k, n] : kNames) {
        if (name == QLatin1String(n))
            return k;
    }
    return std::nullopt;
}

const std::vector<EventKind> &allEventKinds()
{
    static const std::vector<EventKind> all = [] {
        std::vector<EventKind> kinds;
        for (const auto &entry : kNames)
            kinds.push_back(entry.first);
        return kinds;
    }();
    return all;
}

bool isProgress(EventKind kind)
{
    return kind == EventKind::TransferBlock || kind == EventKind::StripAssigned ||
           kind == EventKind::StripSent || kind == EventKind::StripDone;
}

std::optional<EventKind> kindOf(const QJsonObject &event)
{
    const QJsonValue kind = event.value(QLatin1String(eventkey::kKind));
    return kind.isString() ? eventKindFromString(kind.toString()) : std::nullopt;
}

} // namespace starling::protocol
