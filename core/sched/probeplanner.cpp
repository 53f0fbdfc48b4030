#include "probeplanner.h"

#include <cmath>

namespace starling::sched {

ProbePlanner::ProbePlanner() : ProbePlanner(Settings{}) {}

ProbePlanner::ProbePlanner(Settings settings) : m_settings(settings)
{
    if (!(m_settings.largeStandardS > 0) || !std::isfinite(m_settings.largeStandardS) ||
        !(m_settings.standardMBps > 0) || !std::isfinite(m_settings.standardMBps) ||
        m_settings.maxRounds < 1 || !(m_settings.agreement > 0))
        m_settings = Settings{};
}

double ProbePlanner::largeMB(const OpClass &op) const
{
    const double cost = std::isfinite(op.relativeCost) && op.relativeCost > 0 ? op.relativeCost : 1;
    return m_settings.largeStandardS * m_settings.standardMBps / cost;
}

std::vector<ProbePlanner::Round> ProbePlanner::due(const OpClass &op,
                                                   const std::vector<int> &idle) const
{
    std::vector<Round> rounds;
    for (const int rank : idle) {
        const auto it = m_states.find(Key{rank, op.op, op.channels});
        const bool wanted = it == m_states.end() ||
                            (!it->second.confirmed && it->second.rounds < m_settings.maxRounds);
        if (wanted)
            rounds.push_back({rank, smallMB(op), largeMB(op)});
    }
    return rounds;
}

bool ProbePlanner::agrees(const AffineEstimate &e, double mb, double seconds) const
{
    const double predicted = e.fixedS + mb * e.perMBS;
    return predicted > 0 && std::abs(seconds / predicted - 1) <= m_settings.agreement;
}

bool ProbePlanner::record(CostEstimator &estimator, const OpClass &op, const Round &round,
                          double smallS, double largeS, std::int64_t nowMs)
{
    const AffineEstimate before = estimator.compute(round.rank, op);
    // A prediction from its own separated timings can confirm; a guess from elsewhere cannot.
    const bool own = before.source == EstimateSource::Measured;
    const bool confirmed =
        own && agrees(before, round.smallMB, smallS) && agrees(before, round.largeMB, largeS);
    estimator.addCompute(round.rank, op, round.smallMB, smallS, nowMs);
    estimator.addCompute(round.rank, op, round.largeMB, largeS, nowMs);
    State &state = m_states[Key{round.rank, op.op, op.channels}];
    ++state.rounds;
    state.confirmed = state.confirmed || confirmed;
    ++m_roundsRun;
    m_probedMB += round.smallMB + round.largeMB;
    m_probedComputeS += smallS + largeS;
    return confirmed;
}

void ProbePlanner::failed(int rank, const OpClass &op)
{
    m_states[Key{rank, op.op, op.channels}].rounds = m_settings.maxRounds;
}

} // namespace starling::sched
