#pragma once

#include "image/imageop.h"
#include "sched/distributionstrategy.h"
#include "sched/sendorder.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <cstdint>

namespace starling::jobs {

// What a user asks of an image job: the op and how the master distributes it. Built from the
// submit request's query (`op`, `sigma`, `radius`, `strategy`, `order`, `w1`, `w2`, `tasks`,
// `seed`); the strategy and PDDS weights default to the cluster's.
struct JobSpec
{
    static constexpr int kMaxTasks = 100000;

    image::ImageOp op;
    sched::StrategyKind strategy = sched::kDefaultStrategy;
    sched::SendOrder order = sched::SendOrder::Decreasing;
    sched::PddsWeights pdds;
    int tasks = 100; // unit tasks; an image with fewer rows gets one unit per row
    std::uint64_t seed = 1;

    // Every key at most once, no unknown keys, numbers in full (no trailing junk); a problem is
    // one line naming the key (code "bad_request").
    static Expected<JobSpec> fromQuery(const QList<QPair<QByteArray, QByteArray>> &query,
                                       sched::StrategyKind defaultStrategy,
                                       sched::PddsWeights defaultPdds);
    QJsonObject toJson() const;
    // The form toJson() writes (the master's job spool reads it back after a restart), with the
    // same rules as fromQuery; code "bad_request".
    static Expected<JobSpec> fromJson(const QJsonObject &object);
};

} // namespace starling::jobs
