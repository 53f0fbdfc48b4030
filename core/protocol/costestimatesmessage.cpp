#include "costestimatesmessage.h"

#include <QJsonArray>

#include <cmath>

namespace starling::protocol {

namespace {

const QLatin1String kTimeMs("time_ms"), kSlaves("slaves"), kRank("rank"), kName("name"),
    kCompute("compute"), kLink("link"), kOp("op"), kChannels("channels"), kFixedS("fixed_s"),
    kPerMBS("per_mb_s"), kLatencyS("latency_s"), kMBps("mbps"), kSamples("samples"),
    kConfidence("confidence"), kLastSampleMs("last_sample_ms"), kAgeS("age_s"), kSource("source");

constexpr double kMaxSeconds = 1e9;      // a strip's cost past 30 years is garbage, not a slave
constexpr double kMaxMs = 1e16;          // wall clock, well past any real date
constexpr double kMaxSamples = 1e12;     // effective observations
constexpr qsizetype kMaxTextLength = 64; // op and node names

// A number in [low, high], or nothing.
std::optional<double> number(const QJsonObject &o, QLatin1String key, double low, double high)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < low || d > high)
        return std::nullopt;
    return d;
}

std::optional<sched::EstimateSource> sourceFromString(const QString &text)
{
    for (const auto s : {sched::EstimateSource::Measured, sched::EstimateSource::OtherOp,
                         sched::EstimateSource::Calibration, sched::EstimateSource::Prior}) {
        if (text == sched::toString(s))
            return s;
    }
    return std::nullopt;
}

// The parts every estimate shares; the cost itself is named by the caller (compute: fixed_s
// and per_mb_s; link: latency_s and mbps).
void insertCommon(QJsonObject &o, const sched::AffineEstimate &e,
                  std::optional<std::int64_t> ageAtMs)
{
    o.insert(kSamples, e.samples);
    o.insert(kConfidence, e.confidence);
    o.insert(kLastSampleMs, double(e.lastSampleMs));
    o.insert(kSource, sched::toString(e.source));
    if (ageAtMs && e.lastSampleMs > 0)
        o.insert(kAgeS, double(std::max<std::int64_t>(0, *ageAtMs - e.lastSampleMs)) / 1000);
}

bool readCommon(const QJsonObject &o, sched::AffineEstimate &e)
{
    const auto samples = number(o, kSamples, 0, kMaxSamples);
    const auto confidence = number(o, kConfidence, 0, 1);
    const auto last = number(o, kLastSampleMs, 0, kMaxMs);
    const auto source = sourceFromString(o.value(kSource).toString());
    if (!samples || !confidence || !last || !source)
        return false;
    e.samples = *samples;
    e.confidence = *confidence;
    e.lastSampleMs = std::int64_t(*last);
    e.source = *source;
    return true;
}

QJsonObject computeToJson(const sched::OpCostEstimate &op, std::optional<std::int64_t> ageAtMs)
{
    QJsonObject o{{kOp, op.op},
                  {kChannels, op.channels},
                  {kFixedS, op.compute.fixedS},
                  {kPerMBS, op.compute.perMBS}};
    insertCommon(o, op.compute, ageAtMs);
    return o;
}

std::optional<sched::OpCostEstimate> computeFromJson(const QJsonObject &o)
{
    sched::OpCostEstimate op;
    op.op = o.value(kOp).toString();
    const auto channels = number(o, kChannels, 1, 4);
    const auto fixedS = number(o, kFixedS, 0, kMaxSeconds);
    const auto perMBS = number(o, kPerMBS, 0, kMaxSeconds);
    if (op.op.isEmpty() || op.op.size() > kMaxTextLength || !channels || !fixedS || !perMBS ||
        !readCommon(o, op.compute))
        return std::nullopt;
    op.channels = int(*channels);
    op.compute.fixedS = *fixedS;
    op.compute.perMBS = *perMBS;
    return op;
}

// The link as people read it: latency and rate (perMBS is the inverse of the rate; 0 = unknown).
QJsonObject linkToJson(const sched::AffineEstimate &link, std::optional<std::int64_t> ageAtMs)
{
    QJsonObject o{{kLatencyS, link.fixedS}, {kMBps, link.perMBS > 0 ? 1 / link.perMBS : 0.0}};
    insertCommon(o, link, ageAtMs);
    return o;
}

std::optional<sched::AffineEstimate> linkFromJson(const QJsonObject &o)
{
    sched::AffineEstimate link;
    const auto latency = number(o, kLatencyS, 0, kMaxSeconds);
    const auto mbps = number(o, kMBps, 0, 1e9);
    if (!latency || !mbps || !readCommon(o, link))
        return std::nullopt;
    link.fixedS = *latency;
    link.perMBS = *mbps > 0 ? 1 / *mbps : 0;
    return link;
}

} // namespace

QJsonObject CostEstimatesMessage::slaveToJson(const sched::SlaveCostEstimate &slave,
                                              std::optional<std::int64_t> ageAtMs)
{
    QJsonArray compute;
    for (const sched::OpCostEstimate &op : slave.ops)
        compute.append(computeToJson(op, ageAtMs));
    return {{kRank, slave.rank},
            {kName, slave.name},
            {kCompute, compute},
            {kLink, linkToJson(slave.link, ageAtMs)}};
}

std::optional<sched::SlaveCostEstimate> CostEstimatesMessage::slaveFromJson(const QJsonObject &o)
{
    const auto rank = number(o, kRank, 0, 1 << 20);
    if (!rank)
        return std::nullopt;
    sched::SlaveCostEstimate slave;
    slave.rank = int(*rank);
    slave.name = o.value(kName).toString().left(kMaxTextLength);
    const QJsonArray compute = o.value(kCompute).toArray();
    for (qsizetype i = 0; i < compute.size() && slave.ops.size() < size_t(kMaxOps); ++i) {
        if (auto op = computeFromJson(compute.at(i).toObject()))
            slave.ops.push_back(std::move(*op));
    }
    if (const auto link = linkFromJson(o.value(kLink).toObject()))
        slave.link = *link;
    return slave;
}

QJsonObject CostEstimatesMessage::toJson() const
{
    QJsonArray entries;
    for (const sched::SlaveCostEstimate &slave : slaves)
        entries.append(slaveToJson(slave));
    return {{kTimeMs, double(timeMs)}, {kSlaves, entries}};
}

CostEstimatesMessage CostEstimatesMessage::fromJson(const QJsonObject &object)
{
    CostEstimatesMessage message;
    message.timeMs = std::int64_t(number(object, kTimeMs, 0, kMaxMs).value_or(0));
    const QJsonArray entries = object.value(kSlaves).toArray();
    for (qsizetype i = 0; i < entries.size() && message.slaves.size() < size_t(kMaxSlaves); ++i) {
        if (auto slave = slaveFromJson(entries.at(i).toObject()))
            message.slaves.push_back(std::move(*slave));
    }
    return message;
}

} // namespace starling::protocol
