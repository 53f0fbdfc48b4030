// sched::ProbePlanner (issue 16): which slaves are due a probe round of an op, when a round
// confirms the estimate, and the bound on what probing costs.
#include "sched/costestimator.h"
#include "sched/probeplanner.h"

#include <QTest>

#include <limits>

using namespace starling::sched;

namespace {

const OpClass kBlur{QStringLiteral("blur"), 1, 2.0};
const OpClass kGrey{QStringLiteral("grey"), 3, 0.5};

// A slave's true compute of blur: 0.5 s per strip plus 0.3 s per MB.
double blurS(double mb)
{
    return 0.5 + 0.3 * mb;
}

std::vector<int> ranks(const std::vector<ProbePlanner::Round> &rounds)
{
    std::vector<int> result;
    for (const ProbePlanner::Round &r : rounds)
        result.push_back(r.rank);
    return result;
}

} // namespace

class TestProbePlanner : public QObject
{
    Q_OBJECT

private slots:
    void everyIdleSlaveIsDueOnANewOp();
    void aRoundThatAgreesConfirmsAndEndsProbing();
    void anOutlierInARoundIsProbedAgain();
    void roundsAreBoundedWhenNothingConfirms();
    void aGuessFromElsewhereNeverConfirms();
    void aSlaveThatCannotRunTheOpIsNotProbedAgain();
    void badSettingsFallBackToTheDefaults();
};

void TestProbePlanner::everyIdleSlaveIsDueOnANewOp()
{
    ProbePlanner planner;
    const std::vector<ProbePlanner::Round> due = planner.due(kBlur, {1, 3, 4});
    QCOMPARE(ranks(due), (std::vector<int>{1, 3, 4}));
    for (const ProbePlanner::Round &r : due) {
        // Half a second of a standard slave (8 MB/s) on blur, which costs twice the standard op.
        QCOMPARE(r.largeMB, 0.5 * 8 / 2.0);
        QCOMPARE(r.smallMB, r.largeMB / 16);
    }
    QVERIFY(planner.due(kBlur, {}).empty());
}

void TestProbePlanner::aRoundThatAgreesConfirmsAndEndsProbing()
{
    CostEstimator estimator;
    ProbePlanner planner;
    const ProbePlanner::Round round = planner.due(kBlur, {2}).at(0);
    // First round: the estimate is a guess (a standard slave), the timings teach it.
    QVERIFY(
        !planner.record(estimator, kBlur, round, blurS(round.smallMB), blurS(round.largeMB), 1000));
    QCOMPARE(ranks(planner.due(kBlur, {2})), std::vector<int>{2});
    // Then its own fit predicts the rounds within 10% (two percent of noise here), soon.
    int rounds = 1;
    bool confirmed = false;
    while (!confirmed && rounds < planner.settings().maxRounds) {
        const double noise = rounds % 2 ? 1.02 : 0.98;
        confirmed = planner.record(estimator, kBlur, round, blurS(round.smallMB) * noise,
                                   blurS(round.largeMB) / noise, 1000 * ++rounds);
    }
    QVERIFY(confirmed);
    QCOMPARE_LE(rounds, 3);
    QVERIFY(planner.due(kBlur, {2}).empty());
    // Another op class of the same slave is probed on its own, with strips of the same cost.
    QCOMPARE(ranks(planner.due(kGrey, {2})), std::vector<int>{2});
    QCOMPARE(planner.due(kGrey, {2}).at(0).largeMB, 0.5 * 8 / 0.5);
    QCOMPARE(planner.roundsRun(), rounds);
    QCOMPARE(planner.probedMB(), rounds * (round.smallMB + round.largeMB));
    QVERIFY(planner.probedComputeS() > rounds * blurS(round.smallMB));
    const AffineEstimate e = estimator.compute(2, kBlur);
    QCOMPARE_LE(std::abs(e.perMBS - 0.3) / 0.3, 0.1);
}

// A 5x hiccup on the small strip makes time look flat in size (a rate near zero): the next
// round's timings disagree with that, so it does not confirm and probing goes on.
void TestProbePlanner::anOutlierInARoundIsProbedAgain()
{
    CostEstimator estimator;
    ProbePlanner planner;
    const ProbePlanner::Round round = planner.due(kBlur, {0}).at(0);
    planner.record(estimator, kBlur, round, 5 * blurS(round.smallMB), blurS(round.largeMB), 1000);
    QVERIFY(
        !planner.record(estimator, kBlur, round, blurS(round.smallMB), blurS(round.largeMB), 2000));
    QCOMPARE(ranks(planner.due(kBlur, {0})), std::vector<int>{0});
    bool confirmed = false;
    for (int i = 0; i < planner.settings().maxRounds - 2 && !confirmed; ++i)
        confirmed = planner.record(estimator, kBlur, round, blurS(round.smallMB),
                                   blurS(round.largeMB), 3000 + i);
    QVERIFY(confirmed);
    const AffineEstimate e = estimator.compute(0, kBlur);
    QCOMPARE_LE(std::abs(e.fixedS + 10 * e.perMBS - blurS(10)) / blurS(10), 0.1);
}

void TestProbePlanner::roundsAreBoundedWhenNothingConfirms()
{
    CostEstimator estimator;
    ProbePlanner planner;
    const ProbePlanner::Round round = planner.due(kBlur, {5}).at(0);
    // Timings that swing 3x from round to round never agree with the fit before them.
    for (int i = 0; i < planner.settings().maxRounds; ++i) {
        const double swing = i % 2 ? 3.0 : 1.0;
        QVERIFY(!planner.record(estimator, kBlur, round, swing * blurS(round.smallMB),
                                swing * blurS(round.largeMB), 1000 * (i + 1)));
    }
    QVERIFY(planner.due(kBlur, {5}).empty());
    QCOMPARE(planner.roundsRun(), planner.settings().maxRounds);
    QCOMPARE(planner.probedMB(), planner.settings().maxRounds * (round.smallMB + round.largeMB));
}

// A round that happens to match the standard-slave guess is still no confirmation: the guess
// is not the slave's own fit.
void TestProbePlanner::aGuessFromElsewhereNeverConfirms()
{
    CostEstimator estimator;
    ProbePlanner planner;
    const ProbePlanner::Round round = planner.due(kBlur, {1}).at(0);
    const AffineEstimate guess = estimator.compute(1, kBlur);
    QVERIFY(guess.source != EstimateSource::Measured);
    QVERIFY(!planner.record(estimator, kBlur, round, guess.fixedS + round.smallMB * guess.perMBS,
                            guess.fixedS + round.largeMB * guess.perMBS, 1000));
}

void TestProbePlanner::aSlaveThatCannotRunTheOpIsNotProbedAgain()
{
    ProbePlanner planner;
    QCOMPARE(ranks(planner.due(kBlur, {1, 2})), (std::vector<int>{1, 2}));
    planner.failed(1, kBlur);
    QCOMPARE(ranks(planner.due(kBlur, {1, 2})), std::vector<int>{2});
    QCOMPARE(ranks(planner.due(kGrey, {1})), std::vector<int>{1}); // another op is its own
    QCOMPARE(planner.roundsRun(), 0);
}

void TestProbePlanner::badSettingsFallBackToTheDefaults()
{
    const ProbePlanner::Settings defaults;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const ProbePlanner::Settings bad :
         {ProbePlanner::Settings{0, 8, 6, 0.1}, ProbePlanner::Settings{-1, 8, 6, 0.1},
          ProbePlanner::Settings{nan, 8, 6, 0.1}, ProbePlanner::Settings{0.5, 0, 6, 0.1},
          ProbePlanner::Settings{0.5, 8, 0, 0.1}, ProbePlanner::Settings{0.5, 8, 6, 0}}) {
        const ProbePlanner planner(bad);
        QCOMPARE(planner.settings().largeStandardS, defaults.largeStandardS);
        QCOMPARE(planner.settings().standardMBps, defaults.standardMBps);
        QCOMPARE(planner.settings().maxRounds, defaults.maxRounds);
        QCOMPARE(planner.settings().agreement, defaults.agreement);
    }
}

QTEST_GUILESS_MAIN(TestProbePlanner)
#include "tst_probeplanner.moc"
