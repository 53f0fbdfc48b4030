#include "affinecostmodel.h"

#include <algorithm>
#include <cmath>

namespace starling::sched {

namespace {

// Relative errors below this are noise whatever the history says (timers, caches, scheduling
// of the host); a 2x slowdown (error 1.0) and a hiccup of 5x stay far above it.
constexpr double kMinOutlierError = 0.3;
constexpr double kOutlierNoiseMultiple = 4;
// A noisy history must not hide a slave slowed 2x (an error of 1.0).
constexpr double kMaxOutlierError = 0.6;
// Three timings (2.71 after forgetting 0.9) of different sizes determine a line.
constexpr double kLineSamples = 2.5;
// Two timings (1.9 after forgetting) of sizes far apart determine a line as well: a coefficient
// of variation of 1 (weights 1/time^2, so the short strip weighs more) takes a strip some 10x
// the size of the other; their few percent of noise hardly moves the slope then.
constexpr double kTwoSizes = 1.5;
constexpr double kWideSpread = 1.0;

// Timings scatter in proportion to their length (noise is a share of the time), so each is
// weighed by the inverse square of its expected length: least squares on relative errors.
// Unweighted, the long strips' absolute noise drowns the fixed part the short ones show.
double precision(double expectedS)
{
    const double s = std::max(expectedS, 1e-6);
    return 1 / (s * s);
}

bool usable(double mb, double seconds)
{
    return std::isfinite(mb) && std::isfinite(seconds) && mb > 0 && seconds >= 0;
}

} // namespace

AffineCostModel::AffineCostModel(Settings settings)
    : m_settings(settings), m_rls(settings.forgetting)
{}

std::optional<AffineEstimate> AffineCostModel::fit(Prior prior) const
{
    const double n = m_rls.effectiveSamples();
    // One timing and a prior already say more than the prior alone (the time at that size), and
    // two of sizes far apart determine the line.
    const bool informed = prior.fixedKnown || prior.perMBS > 0 || m_separated;
    if (n < (informed ? 1.0 : m_settings.minSamples) || !(m_rls.meanX() > 0))
        return std::nullopt;
    const double mx = m_rls.meanX();
    const double my = std::max(0.0, m_rls.meanY());
    AffineEstimate e;
    if (fitsALine(prior)) {
        e.fixedS = m_rls.intercept();
        e.perMBS = m_rls.slope();
        if (e.fixedS < 0) { // no fixed part to speak of: the best line through the origin
            e.fixedS = 0;
            e.perMBS = m_rls.slopeThroughOrigin();
        }
        if (e.perMBS < kMinPerMBS) { // time does not grow with size: all of it is fixed
            e.perMBS = kMinPerMBS;
            e.fixedS = std::max(0.0, my - e.perMBS * mx);
        }
    } else {
        e.fixedS = heldFixed(prior, mx, my);
        e.perMBS = std::max(kMinPerMBS, (my - e.fixedS) / mx);
    }
    e.samples = n;
    e.confidence = confidence();
    e.lastSampleMs = m_lastSampleMs;
    e.source = EstimateSource::Measured;
    return e;
}

// One size cannot tell the fixed part from the rate. Holding it at 0 puts all the time into the
// rate: a strip that is 95% fixed cost makes the slave look 20x slower per MB, `optimal` never
// gives it a larger strip, and nothing corrects it. So: the last good fixed part; else one known
// from elsewhere; else the prior rate splits the time (what exceeds rate x MB is fixed); else a
// guess that may take at most half of the time.
double AffineCostModel::heldFixed(Prior prior, double meanMB, double meanS) const
{
    const double finiteFixed = std::isfinite(prior.fixedS) ? prior.fixedS : 0.0;
    if (m_lastGood)
        return std::clamp(m_lastGood->fixedS, 0.0, 0.5 * meanS);
    if (prior.fixedKnown)
        return std::clamp(finiteFixed, 0.0, 0.5 * meanS);
    if (std::isfinite(prior.perMBS) && prior.perMBS > 0)
        return std::max(0.0, meanS - prior.perMBS * meanMB);
    return std::clamp(finiteFixed, 0.0, 0.5 * meanS);
}

// Whether the timings tell the fixed part from the rate: three of sizes spread enough, or two of
// sizes far apart (a tiny strip and a large one: their noise hardly moves the line).
// Time that does not grow with size over a few strips is noise (or bytes counted that the slave
// does not compute, such as halo rows), not a free rate: where a prior rate is known they are
// split with it as if one size was seen; a free rate would take every unit of the next job.
bool AffineCostModel::fitsALine(Prior prior) const
{
    const double n = m_rls.effectiveSamples();
    const double spread = m_rls.spreadX();
    const bool enough = (n >= kLineSamples && spread >= m_settings.minSpread) ||
                        (n >= kTwoSizes && spread >= kWideSpread);
    const bool growing = m_rls.slope() > 0 || n >= kLineSamples + 1 || !(prior.perMBS > 0);
    return enough && growing;
}

bool AffineCostModel::beyondSizesSeen(double mb) const
{
    return m_maxMB > 0 && (mb > kLeverage * m_maxMB || mb * kLeverage < m_minMB);
}

void AffineCostModel::addToFit(double mb, double seconds, double weight, double count)
{
    if (!m_rls.add(mb, seconds, weight, count))
        return;
    m_minMB = m_maxMB > 0 ? std::min(m_minMB, mb) : mb;
    m_maxMB = std::max(m_maxMB, mb);
}

// Enough recent samples, sizes spread enough to separate fixed from rate, residuals small.
double AffineCostModel::confidence() const
{
    const double n = m_rls.effectiveSamples();
    const double count = 1 - std::exp(-n / 3);
    const double spread = 0.3 + 0.7 * std::min(1.0, m_rls.spreadX() / (2 * m_settings.minSpread));
    const double relative = m_rls.residualRms(); // weighted by 1/time^2: a relative error
    const double fitQuality = 1 / (1 + (relative / 0.2) * (relative / 0.2));
    return std::clamp(count * spread * fitQuality, 0.0, 1.0);
}

double AffineCostModel::add(double mb, double seconds, std::int64_t nowMs, Prior prior)
{
    if (!usable(mb, seconds))
        return 1;
    m_lastSampleMs = std::max(m_lastSampleMs, nowMs);
    const std::optional<AffineEstimate> now =
        m_rls.effectiveSamples() >= kLineSamples ? fit(prior) : std::nullopt;
    double count = 1;
    double expected = seconds;
    m_lastOutlierRatio = 0;
    if (now && beyondSizesSeen(mb)) {
        // Leverage, not an outlier: the fit extrapolates here, so its error says how wrong the
        // extrapolation was. Weighed for the time measured (the prediction is what is in doubt).
        flushSuspects();
        addToFit(mb, seconds, precision(seconds), 1);
        updateLastGood(prior);
        return 1;
    }
    if (now) {
        const double predicted = std::max(1e-12, now->fixedS + mb * now->perMBS);
        expected = predicted;
        const double error = (seconds - predicted) / predicted;
        const double threshold =
            std::clamp(kOutlierNoiseMultiple * m_noise, kMinOutlierError, kMaxOutlierError);
        if (std::abs(error) <= threshold) {
            flushSuspects();
            m_noise = 0.9 * m_noise + 0.1 * std::abs(error);
        } else {
            const bool above = error > 0;
            if (above != m_suspectsAbove)
                flushSuspects();
            m_suspectsAbove = above;
            // Held back until the run ends: a change adds it at full weight to the scaled
            // history, an isolated outlier is added down-weighted.
            m_suspects.push_back({mb, seconds, predicted, threshold / std::abs(error)});
            ++m_outliers;
            m_lastOutlierRatio = std::max(1e-12, seconds) / predicted;
            if (int(m_suspects.size()) >= kChangeRun)
                return restartFromSuspects();
            return 1;
        }
    }
    addToFit(mb, seconds, precision(expected) * count, count);
    updateLastGood(prior);
    return 1;
}

// Not an outlier but a new truth: the slave became `factor` times slower (the geometric mean
// of measured over predicted of the run that showed it), fixed part and rate alike, as a
// loaded or throttled machine does (and as the emulated profile's slowdown does). The history
// is scaled by it, not dropped, so the fixed part stays told from the rate; then the run is
// added. Returns the factor, for the slave's other op classes.
double AffineCostModel::restartFromSuspects()
{
    std::vector<double> ratios;
    for (const Sample &s : m_suspects)
        ratios.push_back(std::max(1e-12, s.seconds) / s.predictedS);
    std::sort(ratios.begin(), ratios.end());
    if (ratios.back() > kChangeAgreement * ratios.front()) {
        // A change moves every timing alike; a 5x hiccup next to timings 1.5x off does not.
        // The oldest suspect is an outlier after all; the others may still become a change.
        const Sample oldest = m_suspects.front();
        m_suspects.erase(m_suspects.begin());
        addToFit(oldest.mb, oldest.seconds, precision(oldest.predictedS) * oldest.count,
                 oldest.count);
        return 1;
    }
    const double factor = ratios[ratios.size() / 2];
    rescale(factor);
    return factor;
}

// The suspects pending are the new truth: added at full weight after the history is scaled.
void AffineCostModel::rescale(double factor)
{
    if (!std::isfinite(factor) || factor <= 0)
        return;
    m_rls.scaleY(factor);
    if (m_lastGood) {
        m_lastGood->fixedS *= factor;
        m_lastGood->perMBS *= factor;
    }
    for (const Sample &s : m_suspects)
        addToFit(s.mb, s.seconds, precision(s.seconds), 1);
    m_suspects.clear();
}

// The run of outliers ended before it made a change: each counts as `threshold / error` of a
// sample, weighed for the time the fit expected.
void AffineCostModel::flushSuspects()
{
    for (const Sample &s : m_suspects)
        addToFit(s.mb, s.seconds, precision(s.predictedS) * s.count, s.count);
    m_suspects.clear();
}

void AffineCostModel::updateLastGood(Prior prior)
{
    // While a run of outliers is pending the fit may be half old, half new: not a good value.
    if (const auto updated = fit(prior);
        m_suspects.empty() && updated && updated->confidence >= m_settings.goodConfidence) {
        m_lastGood = updated;
        m_separated = m_separated || fitsALine(prior);
    } else if (updated && m_suspects.empty() && fitsALine(prior) &&
               m_rls.spreadX() >= kWideSpread) {
        // Two sizes far apart: told apart, though two timings are not yet a confident fit.
        m_separated = true;
    }
}

} // namespace starling::sched
