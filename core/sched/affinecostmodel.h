#pragma once

#include "costestimate.h"
#include "recursiveleastsquares.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace starling::sched {

// What the owner believes without this model's own timings, used while they are all of one
// size: a fixed part (a separated fit of another op), else a rate (the slave's calibration,
// scaled by the op's relative cost; 0 = none), else a fixed part that may swallow at most
// half of the time measured.
struct AffinePrior
{
    double fixedS = 0;
    double perMBS = 0;
    bool fixedKnown = false;
};

// One learnt cost, seconds = fixedS + MB * perMBS (a slave's compute for one op class, or its
// link), from timings as they come. Never garbage: fixedS >= 0, perMBS > 0, both finite.
// - Sizes too alike to tell the fixed part from the rate: the rate is fitted with the fixed
//   part held (the last good one, else the caller's prior: a fixed part known from elsewhere,
//   or a rate, which splits the time measured as fixed = t - rate x MB).
// - A timing at a size far outside those seen (kLeverage x beyond) is new information (the
//   first large strip after tiny ones), never judged as an outlier by a fit that never saw it.
// - An isolated timing far from the fit is down-weighted (it costs `threshold / error` of a
//   sample), but kChangeRun such timings in a row on the same side are a real change (a slave
//   slowed down): the history is scaled by the change (fixed part and rate alike) and the run
//   added, so a 2x slowdown is followed within a few strips instead of being averaged away.
class AffineCostModel
{
public:
    struct Settings
    {
        double forgetting = 0.9;
        double minSamples = 2;       // effective samples before the fit is used at all
        double minSpread = 0.15;     // size variation (std/mean) that separates fixed from rate
        double goodConfidence = 0.5; // a fit this confident becomes the "last good" value
    };
    static constexpr int kChangeRun = 3;
    // The timings of a change agree within this factor (noise, and on several op classes each
    // op's own estimate error); a hiccup next to timings merely off does not.
    static constexpr double kChangeAgreement = 1.5;
    static constexpr double kMinPerMBS = 1e-9;
    static constexpr double kLeverage = 2;

    using Prior = AffinePrior;

    explicit AffineCostModel(Settings settings);

    // Returns the factor by which a change this timing confirmed scaled the costs (new over
    // old prediction of the run that showed it), 1 when there was none.
    double add(double mb, double seconds, std::int64_t nowMs, Prior prior = {});
    // The slave changed speed (seen on another op class): scale the history and the last
    // good value instead of waiting for this op's own timings to show it.
    void rescale(double factor);
    // The current fit, or nothing while it stands on too few samples.
    std::optional<AffineEstimate> fit(Prior prior = {}) const;
    std::optional<AffineEstimate> lastGood() const { return m_lastGood; }
    // Whether a confident fit ever told the fixed part from the rate (sizes spread enough);
    // until then the fixed part is held, and a plan far from the sizes seen is a guess.
    bool separated() const { return m_separated; }
    int outliers() const { return m_outliers; }
    // What the model has seen, even while its fit is not used yet (for the display).
    double samples() const { return m_rls.effectiveSamples(); }
    std::int64_t lastSampleMs() const { return m_lastSampleMs; }
    // Measured over predicted of the last timing if it was an outlier, else 0: the owner sees
    // a change that shows on several op classes of one slave, one timing each.
    double lastOutlierRatio() const { return m_lastOutlierRatio; }

private:
    struct Sample
    {
        double mb;
        double seconds;
        double predictedS; // by the fit before the change
        double count;      // what it counts as a sample if it stays isolated
    };
    void flushSuspects();
    double confidence() const;
    double restartFromSuspects();
    void updateLastGood(Prior prior);
    double heldFixed(Prior prior, double meanMB, double meanS) const;
    bool beyondSizesSeen(double mb) const;
    bool fitsALine(Prior prior) const;
    void addToFit(double mb, double seconds, double weight, double count);

    Settings m_settings;
    RecursiveLeastSquares m_rls;
    double m_noise = 0.05;          // running mean of |relative error| of accepted timings
    std::vector<Sample> m_suspects; // consecutive outliers, all on one side of the fit
    bool m_suspectsAbove = false;
    std::int64_t m_lastSampleMs = 0;
    std::optional<AffineEstimate> m_lastGood;
    int m_outliers = 0;
    bool m_separated = false;
    double m_lastOutlierRatio = 0;
    double m_minMB = 0; // sizes the fit has taken (0 = none yet)
    double m_maxMB = 0;
};

} // namespace starling::sched
