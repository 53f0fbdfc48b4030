#include "costestimator.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace starling::sched {

namespace {

bool sameClass(const OpClass &a, const OpClass &b)
{
    return a.op == b.op && a.channels == b.channels;
}

// A change beyond 10x either way is not a slowdown but a different kind of work: not shared.
constexpr double kMinSharedChange = 0.1;

double relativeCostOf(const OpClass &op)
{
    return std::isfinite(op.relativeCost) && op.relativeCost > 0 ? op.relativeCost : 1.0;
}

} // namespace

CostEstimator::CostEstimator() : CostEstimator(Settings{}) {}

CostEstimator::CostEstimator(Settings settings) : m_settings(settings)
{
    if (!(m_settings.standardMBps > 0) || !std::isfinite(m_settings.standardMBps))
        m_settings.standardMBps = 20;
}

void CostEstimator::addCompute(int rank, const OpClass &op, double inputMB, double seconds,
                               std::int64_t nowMs)
{
    const OpKey key{rank, op.op, op.channels};
    auto it = m_compute.find(key);
    if (it == m_compute.end()) {
        AffineCostModel::Settings settings;
        settings.forgetting = m_settings.forgetting;
        it = m_compute.emplace(key, OpModel{op, AffineCostModel(settings)}).first;
    }
    it->second.op.relativeCost = relativeCostOf(op);
    const double change = it->second.model.add(inputMB, seconds, nowMs, prior(rank, op));
    // A change one op class showed on its own may be that op's estimate catching up (a
    // hiccup among its first timings): only a change seen on several op classes is the
    // slave's, and shared (watchForChange).
    if (change != 1)
        m_outlierRuns.erase(rank);
    else
        watchForChange(rank, it->second.model);
}

// kChangeRun outliers in a row on one side, over at least two of the slave's op classes, that
// agree on the factor: the slave changed (it slowed or recovered), not one op's estimate.
void CostEstimator::watchForChange(int rank, const AffineCostModel &model)
{
    const double ratio = model.lastOutlierRatio();
    std::vector<Outlier> &run = m_outlierRuns[rank];
    // Only a model that predicted well before can tell a change (a young one is just off).
    if (!(ratio > 0) || !model.lastGood()) {
        run.clear();
        return;
    }
    const Outlier outlier{std::log(ratio), &model};
    if (!run.empty() && (run.front().logRatio > 0) != (outlier.logRatio > 0))
        run.clear();
    run.push_back(outlier);
    if (int(run.size()) < AffineCostModel::kChangeRun)
        return;
    std::vector<double> sorted;
    bool severalOps = false;
    for (const Outlier &o : run) {
        sorted.push_back(o.logRatio);
        severalOps = severalOps || o.model != run.front().model;
    }
    std::sort(sorted.begin(), sorted.end());
    if (!severalOps ||
        sorted.back() - sorted.front() > std::log(AffineCostModel::kChangeAgreement)) {
        run.erase(run.begin()); // the rest may still turn into a change
        return;
    }
    run.clear();
    shareChange(rank, std::exp(sorted[sorted.size() / 2]));
}

// A slave that slowed (or recovered) did so for every op it runs, not only for the one that
// showed it: the op classes it runs rarely would otherwise plan with the old speed.
void CostEstimator::shareChange(int rank, double factor)
{
    if (!(factor > kMinSharedChange && factor < 1 / kMinSharedChange))
        return;
    for (auto other = m_compute.lower_bound(OpKey{rank, QString(), 0});
         other != m_compute.end() && std::get<0>(other->first) == rank; ++other) {
        other->second.model.rescale(factor);
    }
}

void CostEstimator::addSend(int rank, double mb, double seconds, std::int64_t nowMs)
{
    auto it = m_links.find(rank);
    if (it == m_links.end()) {
        AffineCostModel::Settings settings;
        settings.forgetting = m_settings.forgetting;
        it = m_links.emplace(rank, AffineCostModel(settings)).first;
    }
    it->second.add(mb, seconds, nowMs);
}

void CostEstimator::setCalibration(int rank, double slowness)
{
    if (std::isfinite(slowness) && slowness > 0) {
        m_calibration[rank] = slowness;
        const auto fastest = m_fastestCalibration.find(rank);
        if (fastest == m_fastestCalibration.end() || slowness < fastest->second)
            m_fastestCalibration[rank] = slowness;
    } else
        m_calibration.erase(rank);
}

std::optional<AffineEstimate> CostEstimator::measured(const AffineCostModel &model,
                                                      AffineCostModel::Prior prior) const
{
    const std::optional<AffineEstimate> fit = model.fit(prior);
    if (fit && (fit->confidence >= m_settings.minConfidence || !model.lastGood()))
        return fit;
    return model.lastGood();
}

// What a one-size history of `op` is split with, best first:
// - the fixed part another op of the slave told from its rate (a strip's fixed costs hardly
//   depend on the op);
// - for a slave the last plan of `op` left out: the optimistic end of what its timings allow, a
//   rate as fast as the fastest the cluster has shown for `op`, the rest fixed. A slave first
//   timed on tiny strips (mostly fixed cost) looks many times slower per MB than it is; left
//   out on that, it would never be timed at another size and never corrected;
// - the slave's fastest calibration as its rate (see m_fastestCalibration);
// - another op's fixed part, or none.
AffineCostModel::Prior CostEstimator::prior(int rank, const OpClass &op) const
{
    AffineCostModel::Prior prior;
    double bestConfidence = -1;
    double fastest = std::numeric_limits<double>::infinity();
    for (const auto &[key, other] : m_compute) {
        const std::optional<AffineEstimate> fit = measured(other.model);
        if (!fit)
            continue;
        // Unseparated, another slave's rate errs on the slow side: still a fair optimistic end.
        if (std::get<0>(key) != rank && sameClass(other.op, op) &&
            fit->confidence >= m_settings.minConfidence &&
            fit->perMBS > AffineCostModel::kMinPerMBS)
            fastest = std::min(fastest, fit->perMBS);
        if (std::get<0>(key) == rank && !sameClass(other.op, op) && other.model.separated() &&
            fit->confidence > bestConfidence) {
            bestConfidence = fit->confidence;
            prior.fixedS = fit->fixedS;
            prior.fixedKnown = true;
        }
    }
    if (prior.fixedKnown)
        return prior;
    if (const auto it = m_fastestCalibration.find(rank); it != m_fastestCalibration.end()) {
        const double calibrated = it->second * relativeCostOf(op) / m_settings.standardMBps;
        prior.perMBS = leftOut(rank, op) ? std::min(fastest, calibrated) : calibrated;
        return prior;
    }
    if (leftOut(rank, op) && std::isfinite(fastest)) {
        prior.perMBS = fastest;
        return prior;
    }
    if (const std::optional<AffineEstimate> other = fromOtherOp(rank, op))
        prior.fixedS = other->fixedS;
    return prior;
}

void CostEstimator::setLeftOut(const OpClass &op, std::vector<int> ranks)
{
    std::sort(ranks.begin(), ranks.end());
    m_leftOut[{op.op, op.channels}] = std::move(ranks);
}

bool CostEstimator::leftOut(int rank, const OpClass &op) const
{
    const auto it = m_leftOut.find({op.op, op.channels});
    return it != m_leftOut.end() && std::binary_search(it->second.begin(), it->second.end(), rank);
}

// The most confident fit of another op class on the same slave, its rate scaled to `op`.
std::optional<AffineEstimate> CostEstimator::fromOtherOp(int rank, const OpClass &op) const
{
    std::optional<AffineEstimate> best;
    double scale = 1;
    for (auto it = m_compute.lower_bound(OpKey{rank, QString(), 0});
         it != m_compute.end() && std::get<0>(it->first) == rank; ++it) {
        if (sameClass(it->second.op, op))
            continue;
        const std::optional<AffineEstimate> fit = measured(it->second.model);
        if (fit && (!best || fit->confidence * fit->samples > best->confidence * best->samples)) {
            best = fit;
            scale = rateRatio(op, it->second.op);
        }
    }
    if (!best)
        return std::nullopt;
    best->perMBS *= scale;
    best->source = EstimateSource::OtherOp;
    best->confidence *= 0.5; // the ops' relative costs are a guess for this slave
    return best;
}

// How much more `op` costs per MB than `other`: measured on the slaves that ran both (the
// median of their ratios: slaves differ in speed far more than in what each op costs on
// them), else what the ops' declared relative costs say.
double CostEstimator::rateRatio(const OpClass &op, const OpClass &other) const
{
    std::vector<double> ratios;
    for (const auto &[key, mine] : m_compute) {
        if (!sameClass(mine.op, op))
            continue;
        const auto theirs = m_compute.find(OpKey{std::get<0>(key), other.op, other.channels});
        if (theirs == m_compute.end())
            continue;
        const std::optional<AffineEstimate> a = mine.model.fit();
        const std::optional<AffineEstimate> b = theirs->second.model.fit();
        if (a && b && a->confidence >= m_settings.minConfidence &&
            b->confidence >= m_settings.minConfidence)
            ratios.push_back(a->perMBS / b->perMBS);
    }
    if (ratios.empty())
        return relativeCostOf(op) / relativeCostOf(other);
    std::nth_element(ratios.begin(), ratios.begin() + std::ptrdiff_t(ratios.size() / 2),
                     ratios.end());
    return ratios[ratios.size() / 2];
}

AffineEstimate CostEstimator::compute(int rank, const OpClass &op) const
{
    const auto own = m_compute.find(OpKey{rank, op.op, op.channels});
    if (own != m_compute.end()) {
        if (std::optional<AffineEstimate> fit = measured(own->second.model, prior(rank, op)))
            return *fit;
    }
    AffineEstimate e = fallback(rank, op);
    // Planned from elsewhere, but the operator still sees how much of this op was timed.
    if (own != m_compute.end()) {
        e.samples = own->second.model.samples();
        e.lastSampleMs = own->second.model.lastSampleMs();
    }
    return e;
}

AffineEstimate CostEstimator::fallback(int rank, const OpClass &op) const
{
    if (std::optional<AffineEstimate> other = fromOtherOp(rank, op))
        return *other;
    AffineEstimate e;
    e.perMBS = relativeCostOf(op) / m_settings.standardMBps;
    if (const auto it = m_calibration.find(rank); it != m_calibration.end()) {
        e.perMBS *= it->second;
        e.source = EstimateSource::Calibration;
    }
    return e;
}

bool CostEstimator::needsProbe(int rank, const OpClass &op) const
{
    const auto it = m_compute.find(OpKey{rank, op.op, op.channels});
    return it == m_compute.end() || !it->second.model.separated();
}

AffineEstimate CostEstimator::link(int rank, const AffineEstimate &fallback) const
{
    if (const auto it = m_links.find(rank); it != m_links.end()) {
        AffineCostModel::Prior prior;
        prior.fixedS = fallback.fixedS;
        if (std::optional<AffineEstimate> own = measured(it->second, prior))
            return *own;
    }
    return fallback;
}

AffineEstimate CostEstimator::aged(AffineEstimate e, std::int64_t nowMs) const
{
    if (e.lastSampleMs > 0 && nowMs > e.lastSampleMs && m_settings.confidenceHalfLifeS > 0) {
        const double ageS = double(nowMs - e.lastSampleMs) / 1000;
        e.confidence *= std::exp2(-ageS / m_settings.confidenceHalfLifeS);
    }
    return e;
}

SlaveCostEstimate CostEstimator::slave(int rank, const QString &name,
                                       const AffineEstimate &linkFallback, std::int64_t nowMs) const
{
    SlaveCostEstimate s;
    s.rank = rank;
    s.name = name;
    for (auto it = m_compute.lower_bound(OpKey{rank, QString(), 0});
         it != m_compute.end() && std::get<0>(it->first) == rank; ++it) {
        const OpClass &op = it->second.op;
        s.ops.push_back({op.op, op.channels, aged(compute(rank, op), nowMs)});
    }
    s.link = aged(link(rank, linkFallback), nowMs);
    return s;
}

SlaveSpec CostEstimator::slaveSpec(const QString &name, const AffineEstimate &compute,
                                   const AffineEstimate &link, double unitMB, double haloMB)
{
    SlaveSpec spec;
    spec.name = name;
    spec.unitComputeS = std::max(1e-12, compute.perMBS * unitMB);
    spec.fixedComputeS = compute.fixedS + compute.perMBS * haloMB;
    spec.bandwidthMBps = 1 / std::max(AffineCostModel::kMinPerMBS, link.perMBS);
    spec.latencyS = link.fixedS + link.perMBS * haloMB;
    return spec;
}

} // namespace starling::sched
