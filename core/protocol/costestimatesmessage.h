#pragma once

#include "sched/costestimate.h"

#include <QJsonObject>

#include <cstdint>
#include <optional>
#include <vector>

namespace starling::protocol {

// Tag::CostEstimates, master -> monitor: what the master believes of each slave (compute per op
// class and the link, each with samples, confidence and the wall clock of its newest sample),
// sent when the estimates change (at most every estimate_publish_ms) and once at start-up. The
// monitor puts each slave's entry in the snapshot (`estimates`, PROTOCOL.md), where
// `slaveToJson` adds each estimate's age against the snapshot's time.
//
// Read leniently and bounded: at most kMaxSlaves slaves and kMaxOps op classes each (the rest
// is dropped), numbers must be finite and in range, and an entry that does not fit is left out
// rather than read as a zero the console would show as a fact.
struct CostEstimatesMessage
{
    static constexpr int kMaxSlaves = 4096;
    static constexpr int kMaxOps = 32;

    std::int64_t timeMs = 0; // wall clock when the master sent it
    std::vector<sched::SlaveCostEstimate> slaves;

    QJsonObject toJson() const;
    static CostEstimatesMessage fromJson(const QJsonObject &object);

    // One slave's entry. With `ageAtMs`, each estimate also carries `age_s`, seconds from its
    // newest sample to ageAtMs (absent when it has none).
    static QJsonObject slaveToJson(const sched::SlaveCostEstimate &slave,
                                   std::optional<std::int64_t> ageAtMs = std::nullopt);
    static std::optional<sched::SlaveCostEstimate> slaveFromJson(const QJsonObject &object);
};

} // namespace starling::protocol
