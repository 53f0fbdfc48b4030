#include "rankmessages.h"

#include "protocol/eventjson.h"

namespace starling::protocol {

namespace {

const QLatin1String kRank("rank"), kRole("role"), kPid("pid"), kHost("host"), kUrl("url"),
    kDataUrl("data_url"), kLiveness("liveness"), kSilentMs("silent_ms"), kTask("task"),
    kEpoch("epoch"), kCostMs("cost_ms"), kElapsedMs("elapsed_ms"), kFactor("factor"), kMs("ms"),
    kClientId("client_id"), kClient("client"), kCommand("command"), kId("id"), kOk("ok"),
    kResult("result"), kCode("code"), kMessage("message");

constexpr qint64 kMaxValue = qint64(1) << 53;

} // namespace

QJsonObject RankHello::toJson() const
{
    QJsonObject o{{kRank, rank}, {kRole, role}, {kPid, double(pid)}, {kHost, host}};
    if (!url.isEmpty())
        o.insert(kUrl, url);
    if (!dataUrl.isEmpty())
        o.insert(kDataUrl, dataUrl);
    return o;
}

RankHello RankHello::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    RankHello h;
    h.rank = int(f.count(kRank, kMaxRank));
    h.role = f.text(kRole);
    h.pid = std::max<qint64>(0, f.count(kPid, kMaxValue));
    h.host = f.text(kHost);
    h.url = f.text(kUrl);
    h.dataUrl = f.text(kDataUrl);
    return h;
}

QJsonObject LivenessReport::toJson() const
{
    QJsonObject o{{kRank, rank}, {kLiveness, liveness}};
    if (silentMs)
        o.insert(kSilentMs, double(*silentMs));
    return o;
}

LivenessReport LivenessReport::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    LivenessReport r;
    r.rank = int(f.count(kRank, kMaxRank));
    r.liveness = f.text(kLiveness);
    if (const qint64 silent = f.count(kSilentMs, kMaxValue); silent >= 0)
        r.silentMs = silent;
    return r;
}

QJsonObject TaskAssignment::toJson() const
{
    return {{kTask, double(task)}, {kEpoch, double(epoch)}, {kCostMs, costMs}};
}

TaskAssignment TaskAssignment::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    TaskAssignment t;
    t.task = f.count(kTask, kMaxValue);
    t.epoch = f.count(kEpoch, kMaxValue);
    t.costMs = std::max(0.0, f.number(kCostMs).value_or(0));
    return t;
}

QJsonObject TaskCompletion::toJson() const
{
    return {{kTask, double(task)}, {kEpoch, double(epoch)}, {kElapsedMs, elapsedMs}};
}

TaskCompletion TaskCompletion::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    TaskCompletion t;
    t.task = f.count(kTask, kMaxValue);
    t.epoch = f.count(kEpoch, kMaxValue);
    t.elapsedMs = std::max(0.0, f.number(kElapsedMs).value_or(0));
    return t;
}

QJsonObject EpochReset::toJson() const
{
    return {{kEpoch, double(epoch)}};
}

EpochReset EpochReset::fromJson(const QJsonObject &message)
{
    return {EventFields(message).count(kEpoch, kMaxValue)};
}

QJsonObject Slowdown::toJson() const
{
    return {{kFactor, factor}};
}

Slowdown Slowdown::fromJson(const QJsonObject &message)
{
    return {EventFields(message).number(kFactor).value_or(1.0)};
}

QJsonObject Wake::toJson() const
{
    return {{kMs, ms}};
}

Wake Wake::fromJson(const QJsonObject &message)
{
    return {int(std::max<qint64>(0, EventFields(message).count(kMs, 1 << 30)))};
}

QJsonObject CommandRequest::toJson() const
{
    return {{kClientId, clientId}, {kClient, client}, {kCommand, command}};
}

CommandRequest CommandRequest::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    return {f.text(kClientId), f.text(kClient), message.value(kCommand).toObject()};
}

QJsonObject CommandReply::toJson() const
{
    QJsonObject o{{kClientId, clientId}, {kId, id}, {kOk, ok}};
    if (ok) {
        o.insert(kResult, result);
    } else {
        o.insert(kCode, code);
        o.insert(kMessage, message);
    }
    return o;
}

CommandReply CommandReply::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    CommandReply r;
    r.clientId = f.text(kClientId);
    r.id = f.text(kId);
    r.ok = message.value(kOk).toBool();
    r.result = message.value(kResult).toObject();
    r.code = f.text(kCode);
    r.message = f.text(kMessage);
    return r;
}

} // namespace starling::protocol
