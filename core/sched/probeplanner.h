#pragma once

#include "costestimator.h"

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

namespace starling::sched {

// Which slaves the master times on an op beyond what plans give them (issue 16: "a slave with
// too few samples is probed"). Plans of small jobs never give some slaves work of an op, or only
// strips too small to show their rate, and a slave never timed on an op may, for all the
// timings say, be unable to run it: a large job would be planned on a guess (up to 1.8x the
// optimum, tst_costestimator). Plans of large jobs give the slowest slaves a unit or two, too
// few to pin their fixed part. So the first job of an op class makes every slave due a probe
// round in its idle time: a small and a large strip (the large one what a standard slave
// computes in `largeStandardS`), timed and their results thrown away. Rounds repeat until one
// confirms the estimate (both strips within `agreement` of what the slave's own fit predicted
// before them) or `maxRounds` ran: one 5x hiccup among two timings would otherwise stand as the
// truth (the rate looks like zero). The cost is bounded: at most maxRounds rounds per slave and op
// class, usually two; a job that starts during a round waits at most for the probe strip its slave
// is computing.
class ProbePlanner
{
public:
    struct Settings
    {
        // The large strip costs a standard slave this long (its MB scale with the op's
        // relative cost, so a probe of any op takes about as long); the small one a sixteenth.
        double largeStandardS = 0.5;
        double standardMBps = 8;
        int maxRounds = 6;
        double agreement = 0.1; // 3x the timing noise of a loaded slave
    };
    struct Round
    {
        int rank = 0;
        double smallMB = 0;
        double largeMB = 0;
    };

    ProbePlanner();
    explicit ProbePlanner(Settings settings);

    // The sizes of a round of `op` (MB of input).
    double largeMB(const OpClass &op) const;
    double smallMB(const OpClass &op) const { return largeMB(op) / 16; }
    // The rounds due now for `op` on `idle` ranks (those the job's plan gave nothing, or that
    // finished their share), at most one per rank.
    std::vector<Round> due(const OpClass &op, const std::vector<int> &idle) const;
    // A round's compute timings: compared with what `estimator` predicted, then added to it.
    // Returns whether the round confirmed the estimate (no more rounds for this rank and op).
    bool record(CostEstimator &estimator, const OpClass &op, const Round &round, double smallS,
                double largeS, std::int64_t nowMs);

    // The slave answered a probe strip of `op` with an error (it cannot run the op): no more
    // rounds of it there, rather than one after every job.
    void failed(int rank, const OpClass &op);

    int roundsRun() const { return m_roundsRun; }
    double probedMB() const { return m_probedMB; }
    double probedComputeS() const { return m_probedComputeS; } // slave time the rounds took
    const Settings &settings() const { return m_settings; }

private:
    using Key = std::tuple<int, QString, int>; // rank, op, channels
    struct State
    {
        int rounds = 0;
        bool confirmed = false;
    };
    bool agrees(const AffineEstimate &e, double mb, double seconds) const;

    Settings m_settings;
    std::map<Key, State> m_states;
    int m_roundsRun = 0;
    double m_probedMB = 0;
    double m_probedComputeS = 0;
};

} // namespace starling::sched
