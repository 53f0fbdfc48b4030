#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace starling::sched {

// Where an estimate comes from, from best to worst: fitted on this slave's own timings of the
// op, carried over from another op of the same slave (scaled by the ops' relative costs), the
// slave's start-up calibration, or the prior for a standard slave.
enum class EstimateSource
{
    Measured,
    OtherOp,
    Calibration,
    Prior
};

// What the master believes one slave needs for one kind of work, as an affine cost: a strip of
// `mb` megabytes of input takes fixedS + mb * perMBS seconds. `samples` is the effective number
// of observations behind it (after forgetting); `confidence` runs 0 (a guess) .. 1 (the fit
// explains the recent timings well and has seen enough different sizes to tell the fixed part
// from the rate); `lastSampleMs` is the wall clock of the newest observation (0 = never).
struct AffineEstimate
{
    double fixedS = 0;
    double perMBS = 0;
    double samples = 0;
    double confidence = 0;
    std::int64_t lastSampleMs = 0;
    EstimateSource source = EstimateSource::Prior;
};

// One op class: the op's name and the input's channels (RGB costs more per pixel than grey).
struct OpCostEstimate
{
    QString op;
    int channels = 1;
    AffineEstimate compute;
};

// Everything the master believes of one slave: compute per op class, and its link (fixedS is
// the per-message latency, perMBS the inverse of the rate).
struct SlaveCostEstimate
{
    int rank = 0;
    QString name;
    std::vector<OpCostEstimate> ops;
    AffineEstimate link;
};

QString toString(EstimateSource source);

} // namespace starling::sched
