#pragma once

#include "affinecostmodel.h"
#include "costestimate.h"
#include "platform.h"

#include <QString>

#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

namespace starling::sched {

// A kind of work whose cost is learnt on its own: the op's name and the input's channels.
// `relativeCost` is what the op costs per MB next to the standard op (1.0), as the image
// layer says; it scales a rate learnt on one op to another, and the prior.
struct OpClass
{
    QString op;
    int channels = 1;
    double relativeCost = 1.0;
};

// What the master learns of its slaves from timings (issue 16): per slave and op class, the
// compute of a strip as fixedS + MB * perMBS (MB = the strip's input bytes, halo included),
// and per slave the link as latency + MB * perMBS (from the port time of each send). Asked
// for an estimate it never answers garbage; a model that cannot answer yet falls back, best
// first, to: its last good fit; another op of the same slave scaled by relative cost
// (OtherOp); the slave's calibration (heartbeat slowness; Calibration); a standard slave
// (Prior).
class CostEstimator
{
public:
    struct Settings
    {
        double standardMBps = 20;          // a standard slave computes the standard op at this rate
        double forgetting = 0.9;           // per timing
        double minConfidence = 0.15;       // a fit below this yields to its last good value
        double confidenceHalfLifeS = 3600; // an estimate nobody refreshed loses confidence
    };

    CostEstimator();
    explicit CostEstimator(Settings settings);

    void addCompute(int rank, const OpClass &op, double inputMB, double seconds,
                    std::int64_t nowMs);
    void addSend(int rank, double mb, double seconds, std::int64_t nowMs);
    // The slave's calibrated slowness (standard seconds per second); <= 0 = unknown.
    void setCalibration(int rank, double slowness);

    // The ranks the latest plan of `op` gave no work: a slave left out on an estimate its
    // timings cannot back (one size seen) is planned optimistically next time (prior()).
    void setLeftOut(const OpClass &op, std::vector<int> ranks);

    AffineEstimate compute(int rank, const OpClass &op) const;
    // Whether `rank` should be probed on `op`: given a small chunk before the rest of its share,
    // so the two sizes tell its fixed part from its rate (issue 16: a slave with too little
    // information is probed). True until its timings of `op` have separated the two.
    bool needsProbe(int rank, const OpClass &op) const;
    // `fallback` is the link as known without timings (the monitor's estimate, the profile).
    AffineEstimate link(int rank, const AffineEstimate &fallback) const;
    // Every op class seen on `rank`, and its link, confidence aged to `nowMs`.
    SlaveCostEstimate slave(int rank, const QString &name, const AffineEstimate &linkFallback,
                            std::int64_t nowMs) const;

    // The star model's view of one slave for a job of `unitMB` units whose every strip also
    // carries `haloMB` of halo rows (sent and computed once per strip: a fixed cost).
    static SlaveSpec slaveSpec(const QString &name, const AffineEstimate &compute,
                               const AffineEstimate &link, double unitMB, double haloMB = 0);

private:
    // What plans use while this op's own fit is not ready: another op, calibration, prior.
    AffineEstimate fallback(int rank, const OpClass &op) const;
    using OpKey = std::tuple<int, QString, int>; // rank, op, channels
    struct OpModel
    {
        OpClass op;
        AffineCostModel model;
    };

    std::optional<AffineEstimate> measured(const AffineCostModel &model,
                                           AffineCostModel::Prior prior = {}) const;
    std::optional<AffineEstimate> fromOtherOp(int rank, const OpClass &op) const;
    double rateRatio(const OpClass &op, const OpClass &other) const;
    AffineCostModel::Prior prior(int rank, const OpClass &op) const;
    bool leftOut(int rank, const OpClass &op) const;
    AffineEstimate aged(AffineEstimate e, std::int64_t nowMs) const;
    void watchForChange(int rank, const AffineCostModel &model);
    void shareChange(int rank, double factor);

    Settings m_settings;
    std::map<OpKey, OpModel> m_compute;
    std::map<int, AffineCostModel> m_links;
    std::map<int, double> m_calibration;
    // The lowest slowness each slave has reported: every timing behind it includes fixed costs,
    // which only raise it, so the lowest is the closest to the slave's rate.
    std::map<int, double> m_fastestCalibration;
    std::map<std::pair<QString, int>, std::vector<int>> m_leftOut; // (op, channels) -> ranks
    // Per slave, log(measured / predicted) of its consecutive outliers on one side, whatever
    // their op class: a slave that runs each op rarely shows a change one op at a time.
    struct Outlier
    {
        double logRatio; // log(measured / predicted)
        const AffineCostModel *model;
    };
    std::map<int, std::vector<Outlier>> m_outlierRuns;
};

} // namespace starling::sched
