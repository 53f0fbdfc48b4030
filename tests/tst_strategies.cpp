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
    void dynamicChunkRows_data();
    void dynamicChunkRows();
    void dynamicChunkProperties();
    void dynamicDivisibleChunk();
    void dynamicExpectedShares();
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

void TestStrategies::dynamicChunkRows_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<qlonglong>("minChunk");
    QTest::addColumn<qlonglong>("remaining");
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("total");
    QTest::addColumn<qlonglong>("expected");
    // ceil(remaining / factor * rate / total), clamped to [min(minChunk, remaining), remaining]
    QTest::newRow("quarter of half") << 2.0 << 1LL << 100LL << 1.0 << 4.0 << 13LL;
    QTest::newRow("only slave") << 2.0 << 1LL << 100LL << 3.0 << 3.0 << 50LL;
    QTest::newRow("rounds up") << 2.0 << 1LL << 5LL << 4.0 << 4.0 << 3LL;
    QTest::newRow("at least one") << 2.0 << 1LL << 3LL << 0.1 << 10.0 << 1LL;
    QTest::newRow("last unit") << 2.0 << 1LL << 1LL << 1.0 << 8.0 << 1LL;
    QTest::newRow("nothing left") << 2.0 << 1LL << 0LL << 1.0 << 8.0 << 0LL;
    QTest::newRow("factor 1, one slave") << 1.0 << 1LL << 40LL << 2.0 << 2.0 << 40LL;
    QTest::newRow("min chunk 5") << 4.0 << 5LL << 100LL << 1.0 << 100.0 << 5LL;
    QTest::newRow("min chunk above remaining") << 4.0 << 5LL << 3LL << 1.0 << 100.0 << 3LL;
}

void TestStrategies::dynamicChunkRows()
{
    QFETCH(double, factor);
    QFETCH(qlonglong, minChunk);
    QFETCH(qlonglong, remaining);
    QFETCH(double, rate);
    QFETCH(double, total);
    QFETCH(qlonglong, expected);
    QCOMPARE(DynamicStrategy(factor, minChunk).chunkSize(remaining, rate, total), expected);
}

void TestStrategies::dynamicChunkProperties()
{
    const DynamicStrategy dynamic; // factor 2, minimum chunk 1
    const double total = 10;
    for (double rate : {0.01, 0.5, 1.0, 2.5, 10.0}) {
        long long previous = std::numeric_limits<long long>::max();
        for (long long remaining = 5000; remaining >= 0; --remaining) {
            const long long chunk = dynamic.chunkSize(remaining, rate, total);
            QVERIFY(chunk <= remaining);
            QVERIFY(chunk >= std::min(1LL, remaining));
            QVERIFY(chunk <= previous); // shrinks as the work runs out
            previous = chunk;
            const double raw = double(remaining) / 2 * rate / total;
            if (raw >= 1) // proportional to the slave's share of the rate, up to rounding
                QVERIFY(double(chunk) >= raw && double(chunk) < raw + 1);
        }
    }
    // Twice the rate, about twice the chunk.
    const long long slow = dynamic.chunkSize(100000, 1, 10);
    const long long fast = dynamic.chunkSize(100000, 2, 10);
    QVERIFY(qAbs(double(fast) - 2.0 * double(slow)) <= 2);
}

void TestStrategies::dynamicDivisibleChunk()
{
    const DynamicStrategy dynamic;
    QVERIFY(qAbs(dynamic.divisibleChunk(100, 1, 4) - 12.5) < 1e-12);
    QVERIFY(qAbs(dynamic.divisibleChunk(0.3, 2, 2) - 0.15) < 1e-12);
    for (double remaining : {1e-6, 0.5, 1.0, 17.0, 1e6}) {
        for (double rate : {1e-9, 0.1, 3.0}) {
            const double chunk = dynamic.divisibleChunk(remaining, rate, 3.0);
            QVERIFY(chunk <= remaining);
            QVERIFY(chunk > 0);
        }
    }
    QVERIFY_THROWS_EXCEPTION(SchedulingError, dynamic.divisibleChunk(10, 0, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, dynamic.divisibleChunk(10, 2, 1));
}

void TestStrategies::dynamicExpectedShares()
{
    // Expected outcome: shares in proportion to 1 / (c_i + w_i).
    const Platform p = makePlatform({1, 3, 0.5}, {1, 1, 2}); // c = 1, 1, 0.5
    const DynamicStrategy dynamic;
    const std::vector<double> shares = dynamic.divisibleShares(p, {2, 0, 1}, 35);
    // rates 1/2, 1/4, 1 -> 2 : 1 : 4 of 35
    QVERIFY(qAbs(shares[0] - 10) < 1e-12);
    QVERIFY(qAbs(shares[1] - 5) < 1e-12);
    QVERIFY(qAbs(shares[2] - 20) < 1e-12);
    QCOMPARE(dynamic.wholeShares(p, {2, 0, 1}, 35), (std::vector<long long>{10, 5, 20}));
}

void TestStrategies::dynamicInvalid()
{
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicStrategy(0.5, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, DynamicStrategy(2, 0));
    QVERIFY_THROWS_EXCEPTION(SchedulingError,
                             DynamicStrategy(std::numeric_limits<double>::quiet_NaN(), 1));
    const DynamicStrategy dynamic;
    QVERIFY_THROWS_EXCEPTION(SchedulingError, dynamic.chunkSize(10, 0, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, dynamic.chunkSize(10, -1, 1));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, dynamic.chunkSize(10, 2, 1)); // part above total
}

QTEST_APPLESS_MAIN(TestStrategies)
#include "tst_strategies.moc"
