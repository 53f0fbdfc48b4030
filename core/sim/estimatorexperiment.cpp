#include "estimatorexperiment.h"

#include "sched/makespanevaluator.h"
#include "sched/optimalstrategy.h"
#include "sched/sendorder.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace starling::sim {

using sched::AffineEstimate;
using sched::CostEstimator;
using sched::Platform;

namespace {

constexpr double kPriorLinkMBps = 100; // what both learners assume of a link never timed

AffineEstimate affine(double fixedS, double perMBS)
{
    AffineEstimate e;
    e.fixedS = fixedS;
    e.perMBS = perMBS;
    return e;
}

sched::ProbePlanner::Settings probeSettings()
{
    sched::ProbePlanner::Settings settings;
    settings.standardMBps = EstimatorExperiment::kStandardMBps;
    return settings;
}

AffineEstimate linkPrior()
{
    return affine(0, 1 / kPriorLinkMBps);
}

} // namespace

CostTruth CostTruth::paperWithFixedCosts()
{
    const std::vector<double> unitS{1, 1.5, 2, 2.5, 3, 4, 5, 6}; // per 8 MB of the standard op
    const std::vector<double> mbps{100, 50, 80, 20, 60, 10, 40, 30};
    const std::vector<double> latencyS{0.02, 0.05, 0.03, 0.1, 0.04, 0.2, 0.06, 0.08};
    const std::vector<double> fixedS{0.3, 0.5, 0.4, 0.8, 0.6, 1.0, 1.2, 1.5};
    struct OpTruth
    {
        sched::OpClass op;
        double rateFactor; // true cost per MB next to the standard op
        double fixedFactor;
    };
    // The planner is told grey 0.5, blur 2, median 4; the truth is deliberately otherwise.
    const std::vector<OpTruth> ops{{{QStringLiteral("grey"), 3, 0.5}, 0.8, 1.0},
                                   {{QStringLiteral("blur"), 1, 2.0}, 1.4, 1.5},
                                   {{QStringLiteral("median"), 1, 4.0}, 6.0, 2.0},
                                   {{QStringLiteral("blur"), 3, 2.0}, 2.5, 1.2}};
    CostTruth truth;
    for (size_t i = 0; i < unitS.size(); ++i) {
        truth.names.push_back(QStringLiteral("s%1").arg(i + 1));
        truth.links.push_back(affine(latencyS[i], 1 / mbps[i]));
    }
    for (const OpTruth &o : ops) {
        Op op{o.op, {}};
        for (size_t i = 0; i < unitS.size(); ++i)
            op.compute.push_back(affine(fixedS[i] * o.fixedFactor, unitS[i] / 8 * o.rateFactor));
        truth.ops.push_back(op);
    }
    return truth;
}

Platform CostTruth::platform(int op, double unitMB) const
{
    Platform p;
    p.unitMB = unitMB;
    for (size_t i = 0; i < names.size(); ++i)
        p.slaves.push_back(
            CostEstimator::slaveSpec(names[i], ops[size_t(op)].compute[i], links[i], unitMB));
    return p;
}

EstimatorExperiment::EstimatorExperiment(CostTruth truth, double noise, std::uint64_t seed,
                                         Disturbance disturbance)
    : m_truth(std::move(truth)), m_noise(noise), m_disturbance(std::move(disturbance)), m_rng(seed),
      m_estimator(CostEstimator::Settings{kStandardMBps, 0.9, 0.15, 3600}),
      m_probes(probeSettings())
{}

Platform EstimatorExperiment::truthAt(int op, double unitMB, int atJob) const
{
    Platform p = m_truth.platform(op, unitMB);
    const int slow = m_disturbance.slowSlave;
    if (slow >= 0 && slow < p.size() && atJob >= m_disturbance.slowFromJob &&
        atJob < m_disturbance.slowUntilJob) {
        p.slaves[size_t(slow)].unitComputeS *= m_disturbance.slowFactor;
        p.slaves[size_t(slow)].fixedComputeS *= m_disturbance.slowFactor;
    }
    return p;
}

Platform EstimatorExperiment::estimated(int op, double unitMB) const
{
    Platform p;
    p.unitMB = unitMB;
    const sched::OpClass &opClass = m_truth.ops[size_t(op)].op;
    for (size_t i = 0; i < m_truth.names.size(); ++i)
        p.slaves.push_back(CostEstimator::slaveSpec(m_truth.names[i],
                                                    m_estimator.compute(int(i), opClass),
                                                    m_estimator.link(int(i), linkPrior()), unitMB));
    return p;
}

// Today's model: one slowness per slave (compute time over the op's standard cost) and one
// link rate, each an EWMA with weight 0.5 on the newest timing; no fixed costs.
Platform EstimatorExperiment::ewma(int op, double unitMB) const
{
    Platform p;
    p.unitMB = unitMB;
    const double relativeCost = m_truth.ops[size_t(op)].op.relativeCost;
    for (size_t i = 0; i < m_truth.names.size(); ++i) {
        const auto slowness = m_ewmaSlowness.find(int(i));
        const auto link = m_ewmaLinkMBps.find(int(i));
        sched::SlaveSpec spec;
        spec.name = m_truth.names[i];
        spec.unitComputeS = (slowness != m_ewmaSlowness.end() ? slowness->second : 1.0) * unitMB *
                            relativeCost / kStandardMBps;
        spec.bandwidthMBps = link != m_ewmaLinkMBps.end() ? link->second : kPriorLinkMBps;
        p.slaves.push_back(spec);
    }
    return p;
}

double EstimatorExperiment::disturbed(double seconds)
{
    std::normal_distribution<double> noise(1.0, m_noise);
    double factor = std::clamp(noise(m_rng), 0.5, 1.5);
    if (m_disturbance.outlierRate > 0 &&
        std::uniform_real_distribution<double>(0, 1)(m_rng) < m_disturbance.outlierRate)
        factor *= m_disturbance.outlierFactor;
    return seconds * factor;
}

void EstimatorExperiment::playJob(const JobDraw &job, int index)
{
    Platform beliefs = estimated(job.op, job.unitMB);
    for (int silent : m_disturbance.silent) {
        if (silent >= 0 && silent < beliefs.size())
            beliefs.slaves[size_t(silent)].unitComputeS = 1e9; // never given work
    }
    const std::vector<int> order =
        sched::makeSendOrder(beliefs.bandwidths(), sched::SendOrder::Decreasing, 1);
    const std::vector<long long> shares =
        sched::OptimalStrategy().wholeShares(beliefs, order, job.units);
    const Platform truth = truthAt(job.op, job.unitMB, index);
    const sched::OpClass &opClass = m_truth.ops[size_t(job.op)].op;
    std::vector<int> leftOut;
    for (int slave = 0; slave < beliefs.size(); ++slave) {
        if (shares[size_t(slave)] <= 0)
            leftOut.push_back(slave);
    }
    m_estimator.setLeftOut(opClass, std::move(leftOut));
    const std::int64_t nowMs = std::int64_t(index + 1) * 1000;
    for (int slave : order) {
        const long long units = shares[size_t(slave)];
        if (units <= 0)
            continue;
        // Probing: a slave whose timings of this op never separated fixed from rate gets its
        // share as a small chunk first, then the rest (the two sizes separate them).
        const long long probe =
            m_probing && units >= 3 && m_estimator.needsProbe(slave, opClass) ? units / 3 : 0;
        if (probe > 0)
            playChunk(truth, opClass, slave, probe, job.unitMB, nowMs);
        playChunk(truth, opClass, slave, units - probe, job.unitMB, nowMs);
        double &largest = m_largestStripMB[{job.op, slave}];
        largest = std::max(largest, double(units - probe) * job.unitMB);
    }
    if (m_probing)
        playProbes(job, index, beliefs.size(), nowMs);
}

// After the job, every slave is idle: the probe rounds due are timed on the truth as it is now,
// until none is due.
void EstimatorExperiment::playProbes(const JobDraw &job, int index, int slaves, std::int64_t nowMs)
{
    const sched::OpClass &opClass = m_truth.ops[size_t(job.op)].op;
    std::vector<int> idle(static_cast<size_t>(slaves));
    std::iota(idle.begin(), idle.end(), 0);
    // The cluster goes on with the next round as soon as one is in, while nothing runs.
    for (std::vector<sched::ProbePlanner::Round> due = m_probes.due(opClass, idle); !due.empty();
         due = m_probes.due(opClass, idle))
        for (const sched::ProbePlanner::Round &round : due) {
            double seconds[2];
            const double sizes[2] = {round.smallMB, round.largeMB};
            for (int i = 0; i < 2; ++i) {
                const Platform truth = truthAt(job.op, sizes[i], index); // one unit of that size
                seconds[i] = disturbed(truth.chunkFixedComputeS(round.rank) +
                                       truth.unitComputeS(round.rank));
                m_estimator.addSend(
                    round.rank, sizes[i],
                    disturbed(truth.messageFixedS(round.rank) + truth.unitSendS(round.rank)),
                    nowMs);
            }
            m_probes.record(m_estimator, opClass, round, seconds[0], seconds[1], nowMs);
        }
}

void EstimatorExperiment::playChunk(const Platform &truth, const sched::OpClass &opClass, int slave,
                                    long long units, double unitMB, std::int64_t nowMs)
{
    const double mb = double(units) * unitMB;
    const double sendS =
        disturbed(truth.messageFixedS(slave) + double(units) * truth.unitSendS(slave));
    const double computeS =
        disturbed(truth.chunkFixedComputeS(slave) + double(units) * truth.unitComputeS(slave));
    m_estimator.addCompute(slave, opClass, mb, computeS, nowMs);
    m_estimator.addSend(slave, mb, sendS, nowMs);
    const double standardS = mb * opClass.relativeCost / kStandardMBps;
    auto smooth = [](std::map<int, double> &table, int key, double sample) {
        const auto it = table.find(key);
        table[key] = it == table.end() ? sample : 0.5 * sample + 0.5 * it->second;
    };
    smooth(m_ewmaSlowness, slave, computeS / standardS);
    smooth(m_ewmaLinkMBps, slave, mb / sendS);
}

double EstimatorExperiment::largestStripMB(int op, int slave) const
{
    const auto it = m_largestStripMB.find({op, slave});
    return it == m_largestStripMB.end() ? 0 : it->second;
}

void EstimatorExperiment::run(const std::vector<JobDraw> &jobs)
{
    for (const JobDraw &job : jobs)
        playJob(job, m_jobsPlayed++);
}

double EstimatorExperiment::plannedMakespan(const Platform &truth, const Platform &beliefs,
                                            long long units)
{
    const std::vector<int> order =
        sched::makeSendOrder(beliefs.bandwidths(), sched::SendOrder::Decreasing, 1);
    const std::vector<long long> whole =
        sched::OptimalStrategy().wholeShares(beliefs, order, units);
    return sched::evaluateSchedule(truth, std::vector<double>(whole.begin(), whole.end()), order)
        .makespan;
}

double EstimatorExperiment::regret(const Platform &truth, const Platform &beliefs, long long units)
{
    return plannedMakespan(truth, beliefs, units) / plannedMakespan(truth, truth, units);
}

double EstimatorExperiment::unitStepS(const Platform &truth, long long units)
{
    const std::vector<int> order =
        sched::makeSendOrder(truth.bandwidths(), sched::SendOrder::Decreasing, 1);
    const std::vector<long long> whole = sched::OptimalStrategy().wholeShares(truth, order, units);
    double slowest = 0;
    for (int i = 0; i < truth.size(); ++i) {
        if (whole[size_t(i)] > 0)
            slowest = std::max(slowest, truth.unitSendS(i) + truth.unitComputeS(i));
    }
    return slowest;
}

} // namespace starling::sim
