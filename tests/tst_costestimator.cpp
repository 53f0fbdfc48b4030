// The online affine estimator of issue 16: RecursiveLeastSquares, AffineCostModel and
// CostEstimator on synthetic timings whose affine truth is known, and the guarantee that
// matters: `optimal` planned from the estimates, evaluated on the truth, is within kMargin of
// `optimal` planned on the truth, after any sequence of jobs (adversarial ones included).
#include "sched/affinecostmodel.h"
#include "sched/costestimator.h"
#include "sched/optimalstrategy.h"
#include "sched/platform.h"
#include "sched/recursiveleastsquares.h"
#include "sched/sendorder.h"
#include "sim/estimatorexperiment.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace starling::sched;
using namespace starling::sim;

namespace {

// Timings carry 3% noise and the fit forgets with 0.9 per timing (about ten effective
// samples), so each slave's fixed part and rate are known to a few percent; a static split's
// makespan grows at most by the largest relative error of a slave's predicted finish, so 5%
// is the error budget of the estimates plus the whole-task rounding, and far below what a
// wrong model costs (today's EWMA: 10-60%, see todaysModelBreaksTheGuarantee). A job of few or
// tiny units can miss 5% by one whole unit whatever the estimates (the split moves in whole
// units), so a probe job also passes when it ends at most one unit step (unitStepS) after the
// optimum: the guarantee for small jobs is absolute, in seconds.
constexpr double kMargin = 1.05;
constexpr double kNoise = 0.03;
// Noise draws each guarantee row is played under (one seed can pass by luck).
constexpr std::uint64_t kSeeds = 5;

bool sane(const AffineEstimate &e)
{
    return std::isfinite(e.fixedS) && std::isfinite(e.perMBS) && e.fixedS >= 0 && e.perMBS > 0 &&
           e.confidence >= 0 && e.confidence <= 1;
}

// A sequence of `count` jobs drawn from the given ops, unit counts and unit sizes.
std::vector<JobDraw> draws(int count, std::vector<int> ops, long long minUnits, long long maxUnits,
                           double minMB, double maxMB, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<JobDraw> jobs;
    for (int i = 0; i < count; ++i) {
        JobDraw job;
        job.op = ops[size_t(i) % ops.size()];
        job.units = std::uniform_int_distribution<long long>(minUnits, maxUnits)(rng);
        job.unitMB =
            std::exp(std::uniform_real_distribution<double>(std::log(minMB), std::log(maxMB))(rng));
        jobs.push_back(job);
    }
    return jobs;
}

struct Probe
{
    int op;
    long long units;
    double unitMB;
};

// The jobs the guarantee is checked on: every op, few and many units, small and large units.
std::vector<Probe> probes(std::vector<int> ops, std::vector<double> unitMBs)
{
    std::vector<Probe> result;
    for (int op : ops)
        for (long long units : {12LL, 40LL, 100LL})
            for (double mb : unitMBs)
                result.push_back({op, units, mb});
    return result;
}

// The guarantee per probe job: regret within kMargin, or the makespan at most one whole unit on
// the slowest slave the optimum uses above the optimum (a tiny job's makespan moves by more than 5%
// with one unit, whatever the estimates; NOTES-SLICE.md of the estc slice).
struct Verdict
{
    double worstRatio = 0;  // the largest regret, as the bench reports it
    double worstMissed = 0; // the largest regret among probes that miss both bounds (0 = none)

    void add(double ratio, bool within)
    {
        worstRatio = std::max(worstRatio, ratio);
        if (!within)
            worstMissed = std::max(worstMissed, ratio);
    }
    void add(const Verdict &other)
    {
        worstRatio = std::max(worstRatio, other.worstRatio);
        worstMissed = std::max(worstMissed, other.worstMissed);
    }
};

Verdict judge(const EstimatorExperiment &run, const std::vector<Probe> &jobs, bool ewma, int atJob)
{
    Verdict verdict;
    for (const Probe &p : jobs) {
        const Platform truth = run.truthAt(p.op, p.unitMB, atJob);
        const Platform beliefs = ewma ? run.ewma(p.op, p.unitMB) : run.estimated(p.op, p.unitMB);
        const double best = EstimatorExperiment::plannedMakespan(truth, truth, p.units);
        const double planned = EstimatorExperiment::plannedMakespan(truth, beliefs, p.units);
        const double r = planned / best;
        const double step = EstimatorExperiment::unitStepS(truth, p.units);
        const bool within = r <= kMargin || planned - best <= step + 1e-12;
        if (!within && qEnvironmentVariableIsSet("STARLING_DUMP_ESTIMATES"))
            qInfo("probe op %d units %lld unitMB %.2f regret %.4f (+%.3f s, one unit %.3f s)", p.op,
                  p.units, p.unitMB, r, planned - best, step);
        verdict.add(r, within);
    }
    return verdict;
}

// Why a row misses: each slave's estimate next to the truth, per op used.
void dumpEstimates(const EstimatorExperiment &run, const std::vector<int> &ops, int atJob)
{
    for (int op : ops) {
        const Platform truth = run.truthAt(op, 1.0, atJob);
        const Platform beliefs = run.estimated(op, 1.0);
        for (int s = 0; s < truth.size(); ++s) {
            const SlaveSpec &t = truth.slaves[size_t(s)];
            const SlaveSpec &b = beliefs.slaves[size_t(s)];
            qInfo("op %d slave %d fixed %.3f/%.3f perMB %.4f/%.4f latency %.3f/%.3f MBps %.1f/%.1f",
                  op, s, b.fixedComputeS, t.fixedComputeS, b.unitComputeS, t.unitComputeS,
                  b.latencyS, t.latencyS, b.bandwidthMBps, t.bandwidthMBps);
        }
    }
}

} // namespace

class TestCostEstimator : public QObject
{
    Q_OBJECT

private slots:
    void rlsRecoversAnAffineLine();
    void rlsStaysExactFarFromTheOrigin();
    void rlsRefusesAndRestartsOnGarbage();
    void modelHoldsTheFixedPartForOneSize();
    void modelDownWeightsAnIsolatedOutlier();
    void modelFollowsAPersistentSlowdown();
    void fallbacksWhenNothingWasMeasured();
    void aChangeIsSharedAcrossTheSlavesOps();
    void aSlaveIsProbedUntilItsSizesSeparate();
    void aStripFarBeyondTheSizesSeenIsNoOutlier();
    void oneSizeIsSplitWithTheCalibratedRate();
    void aSlaveLeftOutOnTinyStripsIsNotStarved();
    void parametersAreAccurateAfterAMixedSequence();
    void guarantee_data();
    void guarantee();
    void todaysModelBreaksTheGuarantee();
    void tinyOnlyHistoryNeedsProbes();
};

void TestCostEstimator::rlsRecoversAnAffineLine()
{
    RecursiveLeastSquares rls(0.95);
    for (int i = 0; i < 30; ++i)
        QVERIFY(rls.add(1 + i % 7, 0.4 + 0.25 * (1 + i % 7)));
    QCOMPARE_LE(std::abs(rls.intercept() - 0.4), 1e-9);
    QCOMPARE_LE(std::abs(rls.slope() - 0.25), 1e-9);
    QCOMPARE_LE(rls.residualRms(), 1e-6);
    QVERIFY(rls.effectiveSamples() < 20); // 1 / (1 - 0.95): older samples were forgotten
}

void TestCostEstimator::rlsStaysExactFarFromTheOrigin()
{
    // x near 1e6 with a spread of 1: the uncentred normal equations lose every digit here.
    RecursiveLeastSquares rls(0.9);
    for (int i = 0; i < 40; ++i) {
        const double x = 1e6 + (i % 5);
        QVERIFY(rls.add(x, 3 + 2e-3 * x));
    }
    QCOMPARE_LE(std::abs(rls.slope() - 2e-3), 1e-9);
}

void TestCostEstimator::rlsRefusesAndRestartsOnGarbage()
{
    RecursiveLeastSquares rls(0.9);
    QVERIFY(rls.add(1, 1));
    QVERIFY(!rls.add(std::numeric_limits<double>::quiet_NaN(), 1));
    QVERIFY(!rls.add(1, std::numeric_limits<double>::infinity()));
    QVERIFY(!rls.add(1, 1, 0));
    QCOMPARE(rls.effectiveSamples(), 1.0);
    // An overflow of the statistics restarts the fit instead of leaving NaNs behind.
    QVERIFY(!rls.add(1e300, 1e300));
    QCOMPARE(rls.effectiveSamples(), 0.0);
    QVERIFY(rls.add(2, 3));
    QVERIFY(std::isfinite(rls.meanY()));
}

void TestCostEstimator::modelHoldsTheFixedPartForOneSize()
{
    AffineCostModel model{AffineCostModel::Settings{}};
    for (int i = 0; i < 20; ++i) // sizes 1..8: fixed 0.5 and rate 0.2 are identifiable
        model.add(1 + i % 8, 0.5 + 0.2 * (1 + i % 8), i);
    // Then one size forever, and the slave twice as slow: a change scales the fixed part and
    // the rate alike (a loaded machine; the emulated profile's slowdown), and one size cannot
    // tell otherwise, so the fixed part is held at twice the last good one.
    for (int i = 0; i < 30; ++i)
        model.add(4, 2 * (0.5 + 0.2 * 4), 100 + i);
    const auto fit = model.fit();
    QVERIFY(fit && sane(*fit));
    QCOMPARE_LE(std::abs(fit->fixedS - 1.0), 0.1); // held, not re-fitted from one size
    QCOMPARE_LE(std::abs(fit->perMBS - 0.4) / 0.4, 0.05);
}

void TestCostEstimator::modelDownWeightsAnIsolatedOutlier()
{
    AffineCostModel model{AffineCostModel::Settings{}};
    for (int i = 0; i < 30; ++i)
        model.add(1 + i % 6, 0.3 + 0.1 * (1 + i % 6), i);
    model.add(3, 5 * (0.3 + 0.3), 31); // a hiccup: 5x
    const auto fit = model.fit();
    QVERIFY(fit && sane(*fit));
    QCOMPARE(model.outliers(), 1);
    QCOMPARE_LE(std::abs(fit->perMBS - 0.1) / 0.1, 0.1);
    QCOMPARE_LE(std::abs(fit->fixedS - 0.3), 0.1);
}

void TestCostEstimator::modelFollowsAPersistentSlowdown()
{
    AffineCostModel model{AffineCostModel::Settings{}};
    for (int i = 0; i < 30; ++i)
        model.add(1 + i % 6, 0.3 + 0.1 * (1 + i % 6), i);
    for (int i = 0; i < AffineCostModel::kChangeRun; ++i) // slowed 2x
        model.add(1 + i % 6, 2 * (0.3 + 0.1 * (1 + i % 6)), 100 + i);
    auto predict = [&](double mb) {
        const auto fit = model.fit();
        return fit ? fit->fixedS + mb * fit->perMBS : 0;
    };
    QCOMPARE_LE(std::abs(predict(3) - 1.2) / 1.2, 0.1);
    for (int i = 0; i < AffineCostModel::kChangeRun; ++i) // and back
        model.add(1 + i % 6, 0.3 + 0.1 * (1 + i % 6), 200 + i);
    QCOMPARE_LE(std::abs(predict(3) - 0.6) / 0.6, 0.1);
}

void TestCostEstimator::fallbacksWhenNothingWasMeasured()
{
    CostEstimator estimator(CostEstimator::Settings{10, 0.9, 0.15, 3600});
    const OpClass blur{QStringLiteral("blur"), 1, 2.0};
    const OpClass median{QStringLiteral("median"), 1, 4.0};
    // Nothing known: the standard slave.
    AffineEstimate prior = estimator.compute(3, blur);
    QVERIFY(prior.source == EstimateSource::Prior);
    QCOMPARE(prior.perMBS, 2.0 / 10);
    QCOMPARE(prior.confidence, 0.0);
    // Calibrated 3x slower.
    estimator.setCalibration(3, 3.0);
    const AffineEstimate calibrated = estimator.compute(3, blur);
    QVERIFY(calibrated.source == EstimateSource::Calibration);
    QCOMPARE(calibrated.perMBS, 3 * 2.0 / 10);
    // Blur measured: median borrows it, scaled by the relative costs, fixed part kept.
    for (int i = 0; i < 12; ++i)
        estimator.addCompute(3, blur, 1 + i % 4, 0.2 + 0.5 * (1 + i % 4), 1000 + i);
    const AffineEstimate measured = estimator.compute(3, blur);
    QVERIFY(measured.source == EstimateSource::Measured);
    QVERIFY(measured.confidence > 0.5);
    const AffineEstimate borrowed = estimator.compute(3, median);
    QVERIFY(borrowed.source == EstimateSource::OtherOp);
    QCOMPARE_LE(std::abs(borrowed.perMBS - 1.0), 0.02);
    QCOMPARE_LE(std::abs(borrowed.fixedS - 0.2), 0.02);
    // Another slave learnt nothing from it.
    QVERIFY(estimator.compute(4, blur).source == EstimateSource::Prior);
    // One timing is not enough to trust.
    estimator.addCompute(5, blur, 2, 7, 1);
    QVERIFY(estimator.compute(5, blur).source == EstimateSource::Prior);
    // The snapshot ages the confidence.
    const SlaveCostEstimate fresh = estimator.slave(3, QStringLiteral("s3"), {}, 1012);
    const SlaveCostEstimate old = estimator.slave(3, QStringLiteral("s3"), {}, 1012 + 3600 * 1000);
    QCOMPARE(fresh.ops.size(), size_t(1));
    QCOMPARE_LE(std::abs(old.ops[0].compute.confidence - fresh.ops[0].compute.confidence / 2),
                1e-9);
}

// A slave that slowed 2x, seen on blur and grey, is planned 2x slower for median too (without
// sharing, median kept the old speed until three of its own strips showed it).
void TestCostEstimator::aChangeIsSharedAcrossTheSlavesOps()
{
    CostEstimator estimator(CostEstimator::Settings{10, 0.9, 0.15, 3600});
    const OpClass blur{QStringLiteral("blur"), 1, 2.0};
    const OpClass median{QStringLiteral("median"), 1, 4.0};
    for (int i = 0; i < 12; ++i) {
        const double mb = 1 + i % 4;
        estimator.addCompute(2, blur, mb, 0.2 + 0.5 * mb, i);
        estimator.addCompute(2, median, mb, 0.4 + 1.5 * mb, i);
    }
    const AffineEstimate before = estimator.compute(2, median);
    QVERIFY(before.source == EstimateSource::Measured);
    // The change shows on blur and grey, one strip each in turn; median does not run.
    const OpClass grey{QStringLiteral("grey"), 1, 0.5};
    for (int i = 0; i < 12; ++i)
        estimator.addCompute(2, grey, 1 + i % 4, 0.1 + 0.1 * (1 + i % 4), 50 + i);
    for (int i = 0; i < AffineCostModel::kChangeRun; ++i) {
        const double mb = 1 + i % 4;
        if (i % 2 == 0)
            estimator.addCompute(2, blur, mb, 2 * (0.2 + 0.5 * mb), 100 + i);
        else
            estimator.addCompute(2, grey, mb, 2 * (0.1 + 0.1 * mb), 100 + i);
    }
    const AffineEstimate after = estimator.compute(2, median);
    QVERIFY(sane(after));
    const double predictedBefore = before.fixedS + 3 * before.perMBS;
    const double predictedAfter = after.fixedS + 3 * after.perMBS;
    QCOMPARE_LE(std::abs(predictedAfter / predictedBefore - 2), 0.1);
}

// One strip size cannot tell the fixed part from the rate: the slave is probed (a small chunk
// first) until its timings did; then it is not. Today nothing says a slave needs probing.
void TestCostEstimator::aSlaveIsProbedUntilItsSizesSeparate()
{
    CostEstimator estimator(CostEstimator::Settings{10, 0.9, 0.15, 3600});
    const OpClass grey{QStringLiteral("grey"), 3, 0.5};
    QVERIFY(estimator.needsProbe(1, grey));
    for (int i = 0; i < 20; ++i)
        estimator.addCompute(1, grey, 80, 1.0 + 0.1 * 80, i);
    QVERIFY(estimator.needsProbe(1, grey)); // confident, but about one size only
    for (int i = 0; i < 4; ++i) {
        estimator.addCompute(1, grey, 25, 1.0 + 0.1 * 25, 100 + 2 * i);
        estimator.addCompute(1, grey, 55, 1.0 + 0.1 * 55, 101 + 2 * i);
    }
    QVERIFY(!estimator.needsProbe(1, grey));
    const AffineEstimate e = estimator.compute(1, grey);
    QCOMPARE_LE(std::abs(e.fixedS - 1.0), 0.05);
    QVERIFY(!estimator.needsProbe(1, grey)); // a separated slave stays so at one size again
    for (int i = 0; i < 20; ++i)
        estimator.addCompute(1, grey, 80, 1.0 + 0.1 * 80, 200 + i);
    QVERIFY(!estimator.needsProbe(1, grey));
    QCOMPARE_LE(std::abs(estimator.compute(1, grey).fixedS - 1.0), 0.05);
}

// Tiny strips (all fixed cost, sizes too alike to tell it from the rate), then one 100x larger:
// the fit never saw that size, so its error says how wrong the extrapolation was. Today it is
// held back as an outlier and the fit keeps predicting 10x too much there.
void TestCostEstimator::aStripFarBeyondTheSizesSeenIsNoOutlier()
{
    AffineCostModel model{AffineCostModel::Settings{}};
    const auto truth = [](double mb) {
        return 0.3 + 20 * mb;
    };
    for (int i = 0; i < 10; ++i) {
        const double mb = i % 2 ? 0.0011 : 0.001;
        model.add(mb, truth(mb), i);
    }
    model.add(0.1, truth(0.1), 20);
    QCOMPARE(model.outliers(), 0);
    const auto fit = model.fit();
    QVERIFY(fit && sane(*fit));
    QCOMPARE_LE(std::abs(fit->fixedS + 0.1 * fit->perMBS - truth(0.1)) / truth(0.1), 0.1);
    QCOMPARE_LE(std::abs(fit->fixedS + 0.001 * fit->perMBS - truth(0.001)) / truth(0.001), 0.1);
}

// One size seen: what exceeds the calibrated rate x MB is fixed, instead of all of the time going
// into the rate (today: the rate 6x too slow, a 50 MB strip predicted at 60 s instead of 11 s).
void TestCostEstimator::oneSizeIsSplitWithTheCalibratedRate()
{
    CostEstimator estimator(CostEstimator::Settings{10, 0.9, 0.15, 3600});
    const OpClass blur{QStringLiteral("blur"), 1, 1.0};
    estimator.setCalibration(1, 2.0); // 2 standard seconds per second: 0.2 s per MB of blur
    for (int i = 0; i < 5; ++i)
        estimator.addCompute(1, blur, 1.0, 1.0 + 0.2 * 1.0, i);
    const AffineEstimate e = estimator.compute(1, blur);
    QVERIFY(sane(e));
    QCOMPARE_LE(std::abs(e.fixedS + 50 * e.perMBS - 11.0) / 11.0, 0.15);
    QCOMPARE_LE(std::abs(e.fixedS + 0.1 * e.perMBS - 1.02) / 1.02, 0.15);
}

// A slave with a large fixed cost and the best rate, first timed on a tiny strip (all fixed
// cost) and calibrated as slow (its calibration strip was mostly fixed cost too), looks 40x
// slower per MB than it is: `optimal` leaves it out, and left out it is never timed at another
// size. Once a plan left it out (setLeftOut) it is planned at the fastest rate the cluster
// showed, gets a share, and its timing there corrects it. Today it stays out for good.
void TestCostEstimator::aSlaveLeftOutOnTinyStripsIsNotStarved()
{
    CostEstimator estimator(CostEstimator::Settings{10, 0.9, 0.15, 3600});
    const OpClass blur{QStringLiteral("blur"), 1, 1.0};
    const auto truth = [](int rank, double mb) {
        return rank == 0 ? 0.02 + 0.1 * mb : 1.0 + 0.05 * mb;
    };
    estimator.setCalibration(0, 1.0);
    estimator.setCalibration(1, 200.0);
    for (int i = 0; i < 6; ++i) {
        const double mb = i % 2 ? 10.0 : 1.0;
        estimator.addCompute(0, blur, mb, truth(0, mb), i);
    }
    estimator.addCompute(1, blur, 0.01, truth(1, 0.01), 10);
    AffineEstimate link;
    link.perMBS = 1.0 / 1000;
    const auto shareOfSlave1 = [&] {
        Platform p;
        p.unitMB = 1.0;
        for (int rank : {0, 1})
            p.slaves.push_back(CostEstimator::slaveSpec(QString::number(rank),
                                                        estimator.compute(rank, blur), link, 1.0));
        const std::vector<int> order = makeSendOrder(p.bandwidths(), SendOrder::Decreasing, 1);
        return OptimalStrategy().wholeShares(p, order, 100)[1];
    };
    QCOMPARE(shareOfSlave1(), 0LL); // its own estimate excludes it
    estimator.setLeftOut(blur, {1});
    const long long share = shareOfSlave1();
    QCOMPARE_GT(share, 0LL);
    estimator.setLeftOut(blur, {});
    estimator.addCompute(1, blur, double(share), truth(1, double(share)), 20);
    const AffineEstimate e = estimator.compute(1, blur);
    QVERIFY(sane(e));
    QCOMPARE_LE(std::abs(e.perMBS - 0.05) / 0.05, 0.1);
    QCOMPARE_LE(std::abs(e.fixedS - 1.0), 0.1);
}

void TestCostEstimator::parametersAreAccurateAfterAMixedSequence()
{
    EstimatorExperiment run(CostTruth::paperWithFixedCosts(), kNoise, 7);
    run.run(draws(60, {0, 1, 2, 3}, 10, 100, 0.5, 10, 11));
    const CostTruth &truth = run.truth();
    for (size_t op = 0; op < truth.ops.size(); ++op) {
        for (int slave = 0; slave < int(truth.names.size()); ++slave) {
            const AffineEstimate e = run.estimator().compute(slave, truth.ops[op].op);
            const AffineEstimate &t = truth.ops[op].compute[size_t(slave)];
            QVERIFY2(sane(e), qPrintable(truth.names[size_t(slave)]));
            QVERIFY(e.source == EstimateSource::Measured);
            QCOMPARE_LE(std::abs(e.perMBS - t.perMBS) / t.perMBS, 0.1);
            // The fixed part is checked against the cost of a typical strip, where it matters.
            QCOMPARE_LE(std::abs(e.fixedS - t.fixedS) / (t.fixedS + 10 * t.perMBS), 0.1);
        }
    }
}

void TestCostEstimator::guarantee_data()
{
    QTest::addColumn<std::vector<JobDraw>>("jobs");
    QTest::addColumn<EstimatorExperiment::Disturbance>("disturbance");
    QTest::addColumn<std::vector<double>>("probeMB");
    using D = EstimatorExperiment::Disturbance;
    const std::vector<int> all{0, 1, 2, 3};
    QTest::newRow("mixed") << draws(40, all, 4, 100, 0.3, 10, 1) << D{} << std::vector{0.5, 8.0};
    QTest::newRow("one size forever")
        << std::vector<JobDraw>(40, JobDraw{1, 60, 2}) << D{} << std::vector{2.0};
    QTest::newRow("alternating ops, sizes 100x apart")
        << draws(40, {1, 2, 1, 2, 0}, 10, 100, 0.1, 10, 4) << D{} << std::vector{0.5, 8.0};
    // Met only with probe rounds (sched::ProbePlanner): see tinyOnlyHistoryNeedsProbes.
    QTest::newRow("tiny jobs only")
        << draws(40, all, 4, 12, 0.05, 0.2, 2) << D{} << std::vector{0.1};
    QTest::newRow("huge jobs only")
        << draws(30, all, 100, 100, 8, 12, 3) << D{} << std::vector{10.0};
    D outliers;
    outliers.outlierRate = 0.05;
    QTest::newRow("outliers 5%") << draws(50, all, 10, 100, 0.5, 10, 5) << outliers
                                 << std::vector{0.5, 8.0};
    D slowed;
    slowed.slowSlave = 0;
    slowed.slowFromJob = 20;
    slowed.slowUntilJob = 1000; // still slow when the guarantee is checked
    QTest::newRow("fastest slave 2x slower")
        << draws(40, all, 10, 100, 0.5, 10, 6) << slowed << std::vector{0.5, 8.0};
    D back = slowed;
    back.slowUntilJob = 30; // slowed for ten jobs, then back
    QTest::newRow("2x slower for a while and back")
        << draws(45, all, 10, 100, 0.5, 10, 7) << back << std::vector{0.5, 8.0};
}

void TestCostEstimator::guarantee()
{
    QFETCH(std::vector<JobDraw>, jobs);
    QFETCH(EstimatorExperiment::Disturbance, disturbance);
    QFETCH(std::vector<double>, probeMB);
    std::vector<int> ops;
    for (const JobDraw &job : jobs) {
        if (std::find(ops.begin(), ops.end(), job.op) == ops.end())
            ops.push_back(job.op);
    }
    // The same sequence under kSeeds noise draws: a row passes when its worst draw does.
    Verdict verdict;
    for (std::uint64_t seed = 42; seed < 42 + kSeeds; ++seed) {
        EstimatorExperiment run(CostTruth::paperWithFixedCosts(), kNoise, seed, disturbance);
        run.run(jobs);
        // Never garbage, whatever the sequence.
        for (int slave = 0; slave < 8; ++slave) {
            for (const CostTruth::Op &op : run.truth().ops)
                QVERIFY(sane(run.estimator().compute(slave, op.op)));
        }
        const Verdict v = judge(run, probes(ops, probeMB), false, int(jobs.size()));
        if (qEnvironmentVariableIsSet("STARLING_DUMP_ESTIMATES")) {
            qInfo("seed %llu regret %.4f, missed %.4f", static_cast<unsigned long long>(seed),
                  v.worstRatio, v.worstMissed);
            dumpEstimates(run, ops, int(jobs.size()));
        }
        verdict.add(v);
    }
    qInfo("worst regret over %d draws: %.4f; worst beyond both bounds: %.4f", int(kSeeds),
          verdict.worstRatio, verdict.worstMissed);
    QVERIFY2(verdict.worstMissed == 0, qPrintable(QStringLiteral("regret %1 beyond %2 and one unit")
                                                      .arg(verdict.worstMissed)
                                                      .arg(kMargin)));
}

// The same check on today's model (one EWMA of slowness and one of link rate per slave):
// it fails, which is what the guarantee test would report on today's code.
void TestCostEstimator::todaysModelBreaksTheGuarantee()
{
    EstimatorExperiment run(CostTruth::paperWithFixedCosts(), kNoise, 42);
    const std::vector<JobDraw> jobs = draws(40, {0, 1, 2, 3}, 4, 100, 0.3, 10, 1);
    run.run(jobs);
    const std::vector<Probe> checked = probes({0, 1, 2, 3}, {0.5, 8.0});
    QCOMPARE_GT(judge(run, checked, true, int(jobs.size())).worstMissed, kMargin);
    QCOMPARE_EQ(judge(run, checked, false, int(jobs.size())).worstMissed, 0.0);
}

namespace {

// The truth with `slaves` unable to run `op` (a million times slower): what a slave never timed
// on `op` may be, for all its timings say.
CostTruth withoutSlaves(CostTruth truth, int op, const std::vector<int> &slaves)
{
    for (int s : slaves) {
        AffineEstimate &c = truth.ops[size_t(op)].compute[size_t(s)];
        c.fixedS *= 1e6;
        c.perMBS *= 1e6;
    }
    return truth;
}

// What any plan that gives `slaves` nothing loses on the truth: the makespan of the best such
// plan over the optimum, and the same in seconds beyond one unit step (> 0: beyond it).
struct Loss
{
    double ratio;
    double beyondStepS;
};

Loss lossWithout(const CostTruth &truth, int op, long long units, double unitMB,
                 const std::vector<int> &slaves)
{
    const Platform real = truth.platform(op, unitMB);
    const Platform without = withoutSlaves(truth, op, slaves).platform(op, unitMB);
    const double planned = EstimatorExperiment::plannedMakespan(real, without, units);
    const double best = EstimatorExperiment::plannedMakespan(real, real, units);
    return {planned / best, planned - best - EstimatorExperiment::unitStepS(real, units)};
}

// The slaves `optimal` on the truth never gives work of `op` over the whole sequence: those even
// a master that knew the truth would never time on it.
std::vector<int> untimedByTheOptimum(const CostTruth &truth, const std::vector<JobDraw> &jobs,
                                     int op)
{
    std::vector<bool> timed(truth.names.size(), false);
    for (const JobDraw &job : jobs) {
        if (job.op != op)
            continue;
        const Platform p = truth.platform(op, job.unitMB);
        const std::vector<int> order = makeSendOrder(p.bandwidths(), SendOrder::Decreasing, 1);
        const std::vector<long long> shares = OptimalStrategy().wholeShares(p, order, job.units);
        for (size_t s = 0; s < shares.size(); ++s)
            timed[s] = timed[s] || shares[s] > 0;
    }
    std::vector<int> untimed;
    for (size_t s = 0; s < timed.size(); ++s) {
        if (!timed[s])
            untimed.push_back(int(s));
    }
    return untimed;
}

} // namespace

// Why "tiny jobs only" needs probe rounds (NOTES of issue 16 in core/sched/README.md). A slave
// never timed on an op may, for all the timings say, be unable to run it: the truth where it
// cannot yields the same timings, so the same estimates and plans. A plan that gives it work is
// then unbounded on that truth; one that does not loses on the real truth what the optimum
// without it loses. Over the tiny sequence, `optimal` planned on the truth itself never gives
// 5-6 of the 8 slaves work of an op, yet a 100-unit job of it needs them: without probes every
// plan of that job misses the margin on one of the truths the timings cannot tell apart. With
// the probe rounds the two truths give different timings, and the estimates tell them apart.
void TestCostEstimator::tinyOnlyHistoryNeedsProbes()
{
    const std::vector<JobDraw> jobs = draws(40, {0, 1, 2, 3}, 4, 12, 0.05, 0.2, 2);
    const CostTruth truth = CostTruth::paperWithFixedCosts();
    constexpr long long kLargeUnits = 100;
    constexpr double kUnitMB = 0.1;
    for (int op = 0; op < int(truth.ops.size()); ++op) {
        const std::vector<int> untimed = untimedByTheOptimum(truth, jobs, op);
        const Loss loss = lossWithout(truth, op, kLargeUnits, kUnitMB, untimed);
        qInfo("op %d: the optimum never times %d slaves; leaving them out of %lld units costs %.4f "
              "(%.3f s beyond one unit step)",
              op, int(untimed.size()), kLargeUnits, loss.ratio, loss.beyondStepS);
        QCOMPARE_GT(loss.ratio, kMargin);
        QCOMPARE_GT(loss.beyondStepS, 0.0);
    }
    // The same on what this estimator's own plans timed, with the claim checked: the truth
    // where those slaves cannot run the op leaves every estimate as it is (the same timings).
    for (std::uint64_t seed = 42; seed < 42 + kSeeds; ++seed) {
        EstimatorExperiment real(truth, kNoise, seed);
        real.setProbing(false);
        real.run(jobs);
        for (int op = 0; op < int(truth.ops.size()); ++op) {
            std::vector<int> untimed;
            for (int s = 0; s < int(truth.names.size()); ++s) {
                if (real.largestStripMB(op, s) == 0)
                    untimed.push_back(s);
            }
            if (untimed.empty())
                continue;
            EstimatorExperiment other(withoutSlaves(truth, op, untimed), kNoise, seed);
            other.setProbing(false);
            other.run(jobs);
            for (int s = 0; s < int(truth.names.size()); ++s) {
                const AffineEstimate a = real.estimator().compute(s, truth.ops[size_t(op)].op);
                const AffineEstimate b = other.estimator().compute(s, truth.ops[size_t(op)].op);
                QCOMPARE(a.fixedS, b.fixedS);
                QCOMPARE(a.perMBS, b.perMBS);
            }
            const Loss loss = lossWithout(truth, op, kLargeUnits, kUnitMB, untimed);
            qInfo("seed %llu op %d: %d slaves never timed; the bound %.4f",
                  static_cast<unsigned long long>(seed), op, int(untimed.size()), loss.ratio);
            // Probed, each of them shows on the other truth as what it is there: unable.
            EstimatorExperiment probedReal(truth, kNoise, seed);
            EstimatorExperiment probedOther(withoutSlaves(truth, op, untimed), kNoise, seed);
            probedReal.run(jobs);
            probedOther.run(jobs);
            for (int s : untimed) {
                const OpClass &opClass = truth.ops[size_t(op)].op;
                QCOMPARE_GT(probedOther.estimator().compute(s, opClass).perMBS,
                            1000 * probedReal.estimator().compute(s, opClass).perMBS);
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestCostEstimator)
#include "tst_costestimator.moc"
