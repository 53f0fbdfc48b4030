// The strategy family: Eq_ds, cpu_ds, bw, PDDS (paper 2), optimal and dynamic.
#include "randomplatform.h"
#include "sched/bandwidthstrategy.h"
#include "sched/cpustrategy.h"
#include "sched/distributionstrategy.h"
#include "sched/dynamicstrategy.h"
#include "sched/equalstrategy.h"
#include "sched/optimalstrategy.h"
#include "sched/pddsstrategy.h"
#include "sched/schedulingerror.h"
#include "sched/sendorder.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>

using namespace starling::sched;
using namespace starling::testing;

Q_DECLARE_METATYPE(starling::sched::StrategyKind)

namespace {

Platform makePlatform(const std::vector<double> &unitS, const std::vector<double> &bandwidth,
                      double unitMB = 1.0)
{
    Platform p;
    p.unitMB = unitMB;
    for (size_t i = 0; i < unitS.size(); ++i)
        p.slaves.push_back({QStringLiteral("s%1").arg(i + 1), unitS[i], bandwidth[i]});
    return p;
}

// Wider spread than the default shape: these tests want strongly heterogeneous slaves.
const RandomPlatformShape kWideShape{1, 50, 0.2, 8, 5, 200};

// The 8-slave platform of SEEDS.md.
Platform seedsPlatform(double unitMB = 8)
{
    return makePlatform({1, 1.5, 2, 2.5, 3, 4, 5, 6}, {100, 50, 80, 20, 60, 10, 40, 30}, unitMB);
}

double sum(const std::vector<double> &v)
{
    return std::accumulate(v.begin(), v.end(), 0.0);
}

long long sum(const std::vector<long long> &v)
{
    return std::accumulate(v.begin(), v.end(), 0LL);
}

} // namespace

class TestStrategies : public QObject
{
    Q_OBJECT

private slots:
    void makeStrategyKinds_data();
    void makeStrategyKinds();
    void kindNames();
    void sharesSumToLoad_data();
    void sharesSumToLoad();
    void equalShares();
    void cpuFollowsSpeed();
    void bandwidthFollowsLinks();
    void pddsPerformanceByHand();
    void pddsPaperRatio();
    void pddsLimitsAreCpuAndBandwidth();
    void pddsInvalidWeights_data();
    void pddsInvalidWeights();
    void dynamicFirstRoundIsOptimalPart();
    void dynamicPlanFinishesTogether();
    void dynamicChunkPricesThePort();
    void dynamicLedgerLearns();
    void dynamicInvalid();
};

void TestStrategies::makeStrategyKinds_data()
{
    QTest::addColumn<StrategyKind>("kind");
    QTest::addColumn<bool>("dynamic");
    QTest::newRow("equal") << StrategyKind::Equal << false;
    QTest::newRow("cpu") << StrategyKind::Cpu << false;
    QTest::newRow("bw") << StrategyKind::Bandwidth << false;
    QTest::newRow("pdds") << StrategyKind::Pdds << false;
    QTest::newRow("optimal") << StrategyKind::Optimal << false;
    QTest::newRow("dynamic") << StrategyKind::Dynamic << true;
}

void TestStrategies::makeStrategyKinds()
{
    QFETCH(StrategyKind, kind);
    QFETCH(bool, dynamic);
    const std::unique_ptr<DistributionStrategy> strategy = makeStrategy(kind);
    QVERIFY(strategy != nullptr);
    QVERIFY(strategy->kind() == kind);
    QCOMPARE(strategy->isDynamic(), dynamic);
    const DistributionStrategy *raw = strategy.get();
    switch (kind) {
    case StrategyKind::Equal:
        QVERIFY(dynamic_cast<const EqualStrategy *>(raw));
        break;
    case StrategyKind::Cpu:
        QVERIFY(dynamic_cast<const CpuStrategy *>(raw));
        break;
    case StrategyKind::Bandwidth:
        QVERIFY(dynamic_cast<const BandwidthStrategy *>(raw));
        break;
    case StrategyKind::Pdds:
        QVERIFY(dynamic_cast<const PddsStrategy *>(raw));
        break;
    case StrategyKind::Optimal:
        QVERIFY(dynamic_cast<const OptimalStrategy *>(raw));
        break;
    case StrategyKind::Dynamic:
        QVERIFY(dynamic_cast<const DynamicStrategy *>(raw));
        break;
    }
}

void TestStrategies::kindNames()
{
    const std::vector<StrategyKind> kinds = allStrategyKinds();
    QCOMPARE(kinds.size(), size_t(6));
    std::set<QString> names;
    for (StrategyKind kind : kinds) {
        const QString name = toString(kind);
        QVERIFY(!name.isEmpty());
        names.insert(name);
        const std::optional<StrategyKind> back = strategyKindFromString(name);
        QVERIFY(back.has_value());
        QVERIFY(*back == kind);
    }
    QCOMPARE(names, (std::set<QString>{QStringLiteral("equal"), QStringLiteral("cpu"),
                                       QStringLiteral("bw"), QStringLiteral("pdds"),
                                       QStringLiteral("optimal"), QStringLiteral("dynamic")}));
    for (const QString &bad : {QString(), QStringLiteral("PDDS"), QStringLiteral("Eq_ds"),
                               QStringLiteral("cpu_ds"), QStringLiteral("bandwidth")})
        QVERIFY(!strategyKindFromString(bad).has_value());
}

void TestStrategies::sharesSumToLoad_data()
{
    QTest::addColumn<StrategyKind>("kind");
    QTest::addColumn<int>("slaves");
    QTest::addColumn<qlonglong>("load");
    for (StrategyKind kind : allStrategyKinds()) {
        for (int n : {1, 3, 8}) {
            for (long long load : {0LL, 1LL, 7LL, 100LL, 1001LL}) {
                if (kind == StrategyKind::Optimal && load > 100)
                    continue; // the exact whole-task search is quadratic in the load
                const QByteArray tag = toString(kind).toLatin1() + " n=" + QByteArray::number(n) +
                                       " L=" + QByteArray::number(load);
                QTest::newRow(tag.constData()) << kind << n << qlonglong(load);
            }
        }
    }
}

void TestStrategies::sharesSumToLoad()
{
    QFETCH(StrategyKind, kind);
    QFETCH(int, slaves);
    QFETCH(qlonglong, load);
    std::mt19937_64 rng(std::uint64_t(slaves * 1000 + load));
    const Platform p = randomPlatform(rng, slaves, 0, 0, kWideShape);
    const std::vector<int> order = decOrder(p);
    const auto strategy = makeStrategy(kind);

    const std::vector<double> divisible = strategy->divisibleShares(p, order, double(load));
    QCOMPARE(divisible.size(), size_t(slaves));
    QVERIFY(qAbs(sum(divisible) - double(load)) <= 1e-9 * std::max(1.0, double(load)));
    for (double share : divisible)
        QVERIFY(share >= 0);

    const std::vector<long long> whole = strategy->wholeShares(p, order, load);
    QCOMPARE(whole.size(), size_t(slaves));
    QCOMPARE(sum(whole), load);
    for (long long share : whole)
        QVERIFY(share >= 0);
}

void TestStrategies::equalShares()
{
    const Platform p = seedsPlatform();
    const std::vector<int> order = decOrder(p); // 0,2,4,1,6,7,3,5
    const EqualStrategy equal;
    for (double share : equal.divisibleShares(p, order, 20))
        QVERIFY(qAbs(share - 2.5) < 1e-12);
    // 20 over 8: 2 each and the 4 extra units to the first four in send order.
    QCOMPARE(equal.wholeShares(p, order, 20), (std::vector<long long>{3, 3, 3, 2, 3, 2, 2, 2}));
    const std::vector<int> inc = makeSendOrder(p.bandwidths(), SendOrder::Increasing);
    QCOMPARE(equal.wholeShares(p, inc, 20), (std::vector<long long>{2, 2, 2, 3, 2, 3, 3, 3}));
}

void TestStrategies::cpuFollowsSpeed()
{
    const Platform p = makePlatform({1, 2, 4, 0.5}, {10, 10, 10, 10});
    const std::vector<double> shares = CpuStrategy().divisibleShares(p, {0, 1, 2, 3}, 30);
    // 1/T = 1 : 0.5 : 0.25 : 2 -> 8 : 4 : 2 : 16 of 30
    const std::vector<double> expected{8, 4, 2, 16};
    for (size_t i = 0; i < shares.size(); ++i)
        QVERIFY(qAbs(shares[i] - expected[i]) < 1e-12);
    std::mt19937_64 rng(11);
    for (int trial = 0; trial < 20; ++trial) {
        const Platform r = randomPlatform(rng, 6, 0, 0, kWideShape);
        const std::vector<double> s = CpuStrategy().divisibleShares(r, decOrder(r), 57.5);
        for (int i = 1; i < r.size(); ++i) // share_i * T_i is the same for every slave
            QVERIFY(qAbs(s[size_t(i)] * r.unitComputeS(i) - s[0] * r.unitComputeS(0)) < 1e-9);
    }
}

void TestStrategies::bandwidthFollowsLinks()
{
    // Paper 2's bandwidths 3:1:2.
    const Platform p = makePlatform({1, 1, 1}, {30, 10, 20});
    const std::vector<double> shares = BandwidthStrategy().divisibleShares(p, {0, 2, 1}, 12);
    QVERIFY(qAbs(shares[0] - 6) < 1e-12);
    QVERIFY(qAbs(shares[1] - 2) < 1e-12);
    QVERIFY(qAbs(shares[2] - 4) < 1e-12);
    QCOMPARE(BandwidthStrategy().wholeShares(p, {0, 2, 1}, 6), (std::vector<long long>{3, 1, 2}));
    std::mt19937_64 rng(12);
    for (int trial = 0; trial < 20; ++trial) {
        const Platform r = randomPlatform(rng, 5, 0, 0, kWideShape);
        const std::vector<double> s = BandwidthStrategy().divisibleShares(r, decOrder(r), 33);
        for (int i = 1; i < r.size(); ++i) // share_i / B_i is the same for every slave
            QVERIFY(qAbs(s[size_t(i)] / r.slaves[size_t(i)].bandwidthMBps -
                         s[0] / r.slaves[0].bandwidthMBps) < 1e-9);
    }
}

void TestStrategies::pddsPerformanceByHand()
{
    // T = 1, 2, 4 s; B = 30, 10, 60 MB/s. sum(1/T) = 1.75, sum(B) = 100.
    const Platform p = makePlatform({1, 2, 4}, {30, 10, 60});
    const PddsStrategy pdds; // paper's W1 = 1.5, W2 = 0.8
    const std::vector<double> pf = pdds.performance(p);
    QCOMPARE(pf.size(), size_t(3));
    const double expected[] = {1.5 * (1.0 / 1.75) + 0.8 * (30.0 / 100),
                               1.5 * (0.5 / 1.75) + 0.8 * (10.0 / 100),
                               1.5 * (0.25 / 1.75) + 0.8 * (60.0 / 100)};
    for (size_t i = 0; i < 3; ++i)
        QVERIFY2(qAbs(pf[i] - expected[i]) < 1e-12, qPrintable(QString::number(pf[i])));
    QVERIFY(qAbs(sum(pf) - 2.3) < 1e-12); // W1 + W2

    // Shares follow PF: load * PF_i / sum(PF).
    const std::vector<double> shares = pdds.divisibleShares(p, {2, 0, 1}, 23);
    for (size_t i = 0; i < 3; ++i)
        QVERIFY(qAbs(shares[i] - 23 * expected[i] / 2.3) < 1e-9);
    QCOMPARE(pdds.weights(p), pf);

    // Other weights, other platform: PF still sums to W1 + W2.
    std::mt19937_64 rng(13);
    const PddsStrategy custom(PddsWeights{0.3, 2.2});
    for (int trial = 0; trial < 10; ++trial) {
        const Platform r = randomPlatform(rng, 1 + trial % 8, 0, 0, kWideShape);
        QVERIFY(qAbs(sum(custom.performance(r)) - 2.5) < 1e-12);
    }
}

void TestStrategies::pddsPaperRatio()
{
    // With W1 = 1, W2 = 0 and T = 3, 2, 6 s, PF = 1/3 : 1/2 : 1/6 exactly as in paper 2, and
    // 6 units go 2, 3, 1.
    const Platform p = makePlatform({3, 2, 6}, {3, 1, 2});
    const PddsStrategy pdds(PddsWeights{1, 0});
    const std::vector<double> pf = pdds.performance(p);
    QVERIFY(qAbs(pf[0] - 1.0 / 3) < 1e-12);
    QVERIFY(qAbs(pf[1] - 1.0 / 2) < 1e-12);
    QVERIFY(qAbs(pf[2] - 1.0 / 6) < 1e-12);
    const std::vector<int> order = decOrder(p);
    QCOMPARE(order, (std::vector<int>{0, 2, 1}));
    QCOMPARE(pdds.wholeShares(p, order, 6), (std::vector<long long>{2, 3, 1}));
}

void TestStrategies::pddsLimitsAreCpuAndBandwidth()
{
    std::mt19937_64 rng(14);
    const PddsStrategy cpuLike(PddsWeights{1, 0});
    const PddsStrategy bwLike(PddsWeights{0, 1});
    for (int trial = 0; trial < 20; ++trial) {
        const Platform r = randomPlatform(rng, 2 + trial % 7, 0, 0, kWideShape);
        const std::vector<int> order = decOrder(r);
        const std::vector<double> a = cpuLike.divisibleShares(r, order, 100);
        const std::vector<double> b = CpuStrategy().divisibleShares(r, order, 100);
        const std::vector<double> c = bwLike.divisibleShares(r, order, 100);
        const std::vector<double> d = BandwidthStrategy().divisibleShares(r, order, 100);
        for (size_t i = 0; i < a.size(); ++i) {
            QVERIFY(qAbs(a[i] - b[i]) < 1e-9);
            QVERIFY(qAbs(c[i] - d[i]) < 1e-9);
        }
        QCOMPARE(cpuLike.wholeShares(r, order, 97), CpuStrategy().wholeShares(r, order, 97));
        QCOMPARE(bwLike.wholeShares(r, order, 97), BandwidthStrategy().wholeShares(r, order, 97));
    }
}

void TestStrategies::pddsInvalidWeights_data()
{
    QTest::addColumn<double>("w1");
    QTest::addColumn<double>("w2");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QTest::newRow("both zero") << 0.0 << 0.0;
    QTest::newRow("negative w1") << -1.0 << 0.8;
    QTest::newRow("negative w2") << 1.5 << -0.1;
    QTest::newRow("NaN w1") << nan << 0.8;
    QTest::newRow("NaN w2") << 1.5 << nan;
}

void TestStrategies::pddsInvalidWeights()
{
    QFETCH(double, w1);
    QFETCH(double, w2);
    QVERIFY_THROWS_EXCEPTION(SchedulingError, PddsStrategy(PddsWeights{w1, w2}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, makeStrategy(StrategyKind::Pdds, {w1, w2}));
}

void TestStrategies::dynamicFirstRoundIsOptimalPart()
{
    // The first round is the one-round optimum of half the load, in the send order.
    const Platform p = makePlatform({1, 1.5, 2, 2.5}, {100, 50, 80, 20});
    const std::vector<int> order{0, 2, 1, 3};
    const DynamicStrategy dynamic;
    const std::vector<double> divisible = dynamic.firstRound(p, order, 100, true);
    const std::vector<double> optimal = OptimalStrategy().divisibleShares(p, order, 50);
    for (size_t i = 0; i < optimal.size(); ++i)
        QVERIFY(qAbs(divisible[i] - optimal[i]) < 1e-9);
    const std::vector<double> whole = dynamic.firstRound(p, order, 21, false); // floor(10.5)
    const std::vector<long long> optimalWhole = OptimalStrategy().wholeShares(p, order, 10);
    QCOMPARE(whole, (std::vector<double>(optimalWhole.begin(), optimalWhole.end())));
    // The expected outcome shown for a dynamic job is the optimum of the whole load.
    QCOMPARE(dynamic.wholeShares(p, order, 35), OptimalStrategy().wholeShares(p, order, 35));
}

void TestStrategies::dynamicPlanFinishesTogether()
{
    // From an idle start the remainder's plan is the one-round optimum (all end together);
    // with one slave busy until t = 50 that slave gets nothing it could not finish by then.
    Platform p = makePlatform({1, 1.5, 2, 2.5}, {100, 50, 80, 20});
    p.unitMB = 50;
    const std::vector<int> order{0, 2, 1, 3};
    DynamicLedger ledger(p, 0.5);
    const std::vector<double> plan = DynamicStrategy::remainderPlan(ledger, order, 0, 40);
    const std::vector<double> optimal = OptimalStrategy().divisibleShares(p, order, 40);
    for (size_t i = 0; i < optimal.size(); ++i)
        QVERIFY2(qAbs(plan[i] - optimal[i]) < 1e-6 * 40,
                 qPrintable(QStringLiteral("%1 vs %2").arg(plan[i]).arg(optimal[i])));
    ledger.sent(2, 25, 25 * p.unitSendS(2), 0); // slave 2 holds 25 units: busy until 50 s
    const std::vector<double> busy = DynamicStrategy::remainderPlan(ledger, order, 0, 40);
    QCOMPARE(busy[2], 0.0);
    QVERIFY(qAbs(std::accumulate(busy.begin(), busy.end(), 0.0) - 40) < 1e-9);
    QVERIFY(busy[0] > plan[0]); // the others take what slave 2 cannot
}

void TestStrategies::dynamicChunkPricesThePort()
{
    // Communication-dominated: slave 3's link (4 s of port per unit, against 0.2..0.4 s for
    // the others) makes a chunk worth less than its port time, so it gets none; the slave on
    // the best link gets half its planned part.
    Platform p = makePlatform({1, 1.5, 2, 2.5}, {100, 50, 80, 5});
    p.unitMB = 20; // c = 0.2, 0.4, 0.25, 4 s per unit
    const std::vector<int> order{0, 2, 1, 3};
    const DynamicLedger ledger(p, 0.5);
    const DynamicStrategy dynamic; // first round 0.5, factor 2, minimum chunk 1
    QCOMPARE(dynamic.nextChunk(ledger, order, 3, 0, 4, false, true), 0.0);
    // ... unless nobody else will ask again: then someone must take the work.
    QCOMPARE(dynamic.nextChunk(ledger, order, 3, 0, 4, false, false), 1.0);
    const double planned = DynamicStrategy::remainderPlan(ledger, order, 0, 40)[0];
    const double chunk = dynamic.nextChunk(ledger, order, 0, 0, 40, false, true);
    QCOMPARE(chunk, std::round(planned / 2));
    QVERIFY(chunk >= 1 && chunk < 40);
    // Whole tasks, never more than what is left, all of a last unit.
    QCOMPARE(dynamic.nextChunk(ledger, order, 0, 0, 1, false, false), 1.0);
    QCOMPARE(dynamic.nextChunk(ledger, order, 0, 0, 0, false, true), 0.0);
    const double piece = dynamic.nextChunk(ledger, order, 0, 0, 7.3, true, true);
    QVERIFY(piece > 0 && piece <= 7.3);
}

void TestStrategies::dynamicLedgerLearns()
{
    const Platform p = makePlatform({2, 4}, {10, 10}); // c = 0.1 s per unit
    DynamicLedger ledger(p, 0.5);
    ledger.sent(0, 10, 3.0, 3.0); // observed 0.3 s per unit: averaged to 0.2
    QVERIFY(qAbs(ledger.unitSendS(0) - 0.2) < 1e-12);
    QVERIFY(qAbs(ledger.readyAt(0, 3.0) - 23.0) < 1e-12); // 10 units x 2 s from 3 s
    ledger.computed(0, 10, 40, 43);                       // 4 s per unit: averaged to 3
    QVERIFY(qAbs(ledger.unitComputeS(0) - 3.0) < 1e-12);
    QCOMPARE(ledger.readyAt(0, 50), 50.0); // it holds nothing
    ledger.lose(1);
    QVERIFY(!ledger.isLive(1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicLedger(p, 0));
}

void TestStrategies::dynamicInvalid()
{
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicStrategy(0, 2, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicStrategy(1.5, 2, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicStrategy(0.7, 0.5, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicStrategy(0.7, 2, 0));
    QVERIFY_THROWS_EXCEPTION(SchedulingError,
                             DynamicStrategy(std::numeric_limits<double>::quiet_NaN(), 2, 1));
}

QTEST_APPLESS_MAIN(TestStrategies)
#include "tst_strategies.moc"
