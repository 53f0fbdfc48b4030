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

std::optional<AffineEstimate> AffineCostModel::fit(double heldFixedS) const
{
    const double n = m_rls.effectiveSamples();
    if (n < m_settings.minSamples || !(m_rls.meanX() > 0))
        return std::nullopt;
    const double mx = m_rls.meanX();
    const double my = std::max(0.0, m_rls.meanY());
    AffineEstimate e;
    if (m_rls.spreadX() >= m_settings.minSpread && n >= kLineSamples) {
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
        const double held = m_lastGood ? m_lastGood->fixedS : heldFixedS;
        // Hold the fixed part, but never let it swallow more than half of what was measured.
        e.fixedS = std::clamp(std::isfinite(held) ? held : 0.0, 0.0, 0.5 * my);
        e.perMBS = std::max(kMinPerMBS, (my - e.fixedS) / mx);
    }
    e.samples = n;
    e.confidence = confidence();
    e.lastSampleMs = m_lastSampleMs;
    e.source = EstimateSource::Measured;
    return e;
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

double AffineCostModel::add(double mb, double seconds, std::int64_t nowMs, double heldFixedS)
{
    if (!usable(mb, seconds))
        return 1;
    m_lastSampleMs = std::max(m_lastSampleMs, nowMs);
    const std::optional<AffineEstimate> now =
        m_rls.effectiveSamples() >= kLineSamples ? fit(heldFixedS) : std::nullopt;
    double count = 1;
    double expected = seconds;
    m_lastOutlierRatio = 0;
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
    m_rls.add(mb, seconds, precision(expected) * count, count);
    updateLastGood(heldFixedS);
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
        m_rls.add(oldest.mb, oldest.seconds, precision(oldest.predictedS) * oldest.count,
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
        m_rls.add(s.mb, s.seconds, precision(s.seconds));
    m_suspects.clear();
}

// The run of outliers ended before it made a change: each counts as `threshold / error` of a
// sample, weighed for the time the fit expected.
void AffineCostModel::flushSuspects()
{
    for (const Sample &s : m_suspects)
        m_rls.add(s.mb, s.seconds, precision(s.predictedS) * s.count, s.count);
    m_suspects.clear();
}

void AffineCostModel::updateLastGood(double heldFixedS)
{
    // While a run of outliers is pending the fit may be half old, half new: not a good value.
    if (const auto updated = fit(heldFixedS);
        m_suspects.empty() && updated && updated->confidence >= m_settings.goodConfidence) {
        m_lastGood = updated;
        m_separated = m_separated || (m_rls.spreadX() >= m_settings.minSpread &&
                                      m_rls.effectiveSamples() >= kLineSamples);
    }
}

} // namespace starling::sched
