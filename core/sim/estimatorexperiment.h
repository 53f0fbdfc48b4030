#pragma once

#include "sched/costestimator.h"
#include "sched/platform.h"
#include "sched/probeplanner.h"

#include <QString>

#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace starling::sim {

// The true costs of an emulated platform in the estimator's terms: per slave its link
// (latency + MB * perMBS) and, per op class, its compute (fixed + MB * perMBS).
struct CostTruth
{
    struct Op
    {
        sched::OpClass op; // relativeCost: what the planner believes, not the truth
        std::vector<sched::AffineEstimate> compute;
    };
    std::vector<QString> names;
    std::vector<sched::AffineEstimate> links;
    std::vector<Op> ops;

    // Paper 2's 8-slave platform (unit times 1..6 s per 8 MB, links 10..100 MB/s) with fixed
    // costs per strip and per message, and four op classes whose true costs differ from the
    // relative costs the planner is told.
    static CostTruth paperWithFixedCosts();
    // The star model of one job of `op` with `unitMB` units, as the planner needs it.
    sched::Platform platform(int op, double unitMB) const;
};

// One job of a sequence: which op, how many unit tasks of how many MB.
struct JobDraw
{
    int op = 0;
    long long units = 1;
    double unitMB = 1;
};

// What a sequence does to the truth besides noise.
struct SequenceDisturbance
{
    double outlierRate = 0; // share of timings multiplied by outlierFactor
    double outlierFactor = 5;
    int slowSlave = -1; // this slave computes slowFactor times slower ...
    double slowFactor = 2;
    int slowFromJob = 0; // ... for jobs [slowFromJob, slowUntilJob)
    int slowUntilJob = 0;
    std::vector<int> silent; // slaves that never take work (never sampled)
};

// Plays a sequence of jobs on the truth: each job is planned with `optimal` from what the
// master believes at that moment, every strip and send is timed on the truth (times noise,
// and the disturbances below), and the timings go to two learners side by side: the
// CostEstimator (affine per op class and link) and today's EWMA of slowness and link rate.
class EstimatorExperiment
{
public:
    using Disturbance = SequenceDisturbance;

    EstimatorExperiment(CostTruth truth, double noise, std::uint64_t seed,
                        Disturbance disturbance = {});

    void run(const std::vector<JobDraw> &jobs);
    // Whether the master probes slaves that need it: a small chunk first for a slave whose
    // share of a job cannot yet separate fixed from rate (CostEstimator::needsProbe), and probe
    // rounds on idle slaves (sched::ProbePlanner) after each job; on by default, off to measure
    // what probing buys.
    void setProbing(bool probing) { m_probing = probing; }

    const CostTruth &truth() const { return m_truth; }
    const sched::CostEstimator &estimator() const { return m_estimator; }
    const sched::ProbePlanner &probes() const { return m_probes; }
    // The largest strip of `op` the sequence gave `slave` (MB; 0 = never timed on it).
    double largestStripMB(int op, int slave) const;
    // What the CostEstimator / today's EWMA would plan job (op, unitMB) with.
    sched::Platform estimated(int op, double unitMB) const;
    sched::Platform ewma(int op, double unitMB) const;
    // Truth as it is now (a slowed slave included) for job index `atJob`.
    sched::Platform truthAt(int op, double unitMB, int atJob) const;

    // makespan on `truth` of the whole-task optimal split planned on `beliefs` (its own
    // decreasing-bandwidth order) over the optimal split planned on `truth`; 1 = no regret.
    static double regret(const sched::Platform &truth, const sched::Platform &beliefs,
                         long long units);
    // The numerator of regret: makespan on `truth` of the whole-task optimal split planned on
    // `beliefs` (seconds; the absolute regret is this minus the same on truth).
    static double plannedMakespan(const sched::Platform &truth, const sched::Platform &beliefs,
                                  long long units);
    // One whole unit (send and compute) on the slowest slave that `optimal` planned on `truth`
    // gives work: the step by which a whole-task split of `units` moves, and so the least
    // regret in seconds a small job can be guaranteed whatever the estimates.
    static double unitStepS(const sched::Platform &truth, long long units);

    static constexpr double kStandardMBps = 8; // the prior: a standard slave, 1 s per 8 MB

private:
    void playJob(const JobDraw &job, int index);
    void playChunk(const sched::Platform &truth, const sched::OpClass &opClass, int slave,
                   long long units, double unitMB, std::int64_t nowMs);
    void playProbes(const JobDraw &job, int index, int slaves, std::int64_t nowMs);
    double disturbed(double seconds);

    CostTruth m_truth;
    double m_noise;
    Disturbance m_disturbance;
    std::mt19937_64 m_rng;
    sched::CostEstimator m_estimator;
    sched::ProbePlanner m_probes;
    std::map<int, double> m_ewmaSlowness; // slave -> computeS / standardS
    std::map<int, double> m_ewmaLinkMBps;
    std::map<std::pair<int, int>, double> m_largestStripMB; // (op, slave) -> MB
    int m_jobsPlayed = 0;
    bool m_probing = true;
};

} // namespace starling::sim
