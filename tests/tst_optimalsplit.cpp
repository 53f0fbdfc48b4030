// OptimalStrategy: divisible-load theory's split on the one-port star, and its exact whole-task
// counterpart, checked against closed forms and brute force.
#include "randomplatform.h"
#include "sched/apportionment.h"
#include "sched/makespanevaluator.h"
#include "sched/optimalstrategy.h"
#include "sched/sendorder.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

using namespace starling::sched;
using namespace starling::testing;

namespace {

std::vector<int> shuffled(std::vector<int> order, std::mt19937_64 &rng)
{
    for (size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[size_t(rng() % i)]);
    return order;
}

double total(const std::vector<double> &v)
{
    return std::accumulate(v.begin(), v.end(), 0.0);
}

std::vector<double> toDouble(const std::vector<long long> &v)
{
    return {v.begin(), v.end()};
}

double makespanOf(const Platform &p, const std::vector<long long> &shares,
                  const std::vector<int> &order)
{
    return evaluateSchedule(p, toDouble(shares), order).makespan;
}

// Every whole split of `load` over the slaves, by brute force: the least makespan.
double bruteForceWhole(const Platform &p, const std::vector<int> &order, long long load)
{
    const size_t n = p.slaves.size();
    std::vector<long long> shares(n, 0);
    double best = std::numeric_limits<double>::infinity();
    // Enumerate compositions of `load` into n non-negative parts.
    std::function<void(size_t, long long)> place = [&](size_t slave, long long left) {
        if (slave + 1 == n) {
            shares[slave] = left;
            best = std::min(best, makespanOf(p, shares, order));
            return;
        }
        for (long long units = 0; units <= left; ++units) {
            shares[slave] = units;
            place(slave + 1, left - units);
        }
    };
    place(0, load);
    return best;
}

// Checks that the chunks of a divisible split all end computing at the makespan.
void checkFinishTogether(const Timeline &timeline)
{
    for (const ChunkRecord &chunk : timeline.chunks) {
        QVERIFY2(qAbs(chunk.computeEnd - timeline.makespan) <=
                     1e-9 * std::max(1.0, timeline.makespan),
                 qPrintable(QStringLiteral("slave %1 ends at %2, makespan %3")
                                .arg(chunk.slave)
                                .arg(chunk.computeEnd, 0, 'g', 17)
                                .arg(timeline.makespan, 0, 'g', 17)));
    }
}

} // namespace

class TestOptimalSplit : public QObject
{
    Q_OBJECT

private slots:
    void linearFinishTogether_data();
    void linearFinishTogether();
    void identicalSlavesClosedForm_data();
    void identicalSlavesClosedForm();
    void decreasingBandwidthOrderIsBest_data();
    void decreasingBandwidthOrderIsBest();
    void affineHandWorked();
    void affineDropsTail_data();
    void affineDropsTail();
    void zeroLoad();
    void wholeMatchesBruteForce_data();
    void wholeMatchesBruteForce();
    void wholeAgainstDivisibleAndRounding_data();
    void wholeAgainstDivisibleAndRounding();
    void perSlaveFixedCosts();
};

void TestOptimalSplit::linearFinishTogether_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<quint64>("seed");
    for (int n = 1; n <= 8; ++n) {
        for (quint64 seed : {1ULL, 2ULL, 3ULL}) {
            QTest::addRow("n=%d seed=%llu", n, seed) << n << quint64(seed * 100 + quint64(n));
        }
    }
}

void TestOptimalSplit::linearFinishTogether()
{
    QFETCH(int, slaves);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    const Platform p = randomPlatform(rng, slaves);
    const double load = uniform(rng, 1, 500);
    // Any order: all slaves take part and finish together.
    for (const std::vector<int> &order : {decOrder(p), shuffled(decOrder(p), rng)}) {
        const std::vector<double> shares = OptimalStrategy().divisibleShares(p, order, load);
        QCOMPARE(shares.size(), size_t(slaves));
        QVERIFY(qAbs(total(shares) - load) <= 1e-9 * load);
        for (double share : shares)
            QVERIFY(share > 0);
        const Timeline timeline = evaluateSchedule(p, shares, order);
        QCOMPARE(timeline.chunks.size(), size_t(slaves));
        checkFinishTogether(timeline);
        // The recurrence alpha_{k+1} = alpha_k * w_k / (c_{k+1} + w_{k+1}).
        for (size_t k = 0; k + 1 < order.size(); ++k) {
            const int cur = order[k];
            const int next = order[k + 1];
            const double expected = shares[size_t(cur)] * p.unitComputeS(cur) /
                                    (p.unitSendS(next) + p.unitComputeS(next));
            QVERIFY(qAbs(shares[size_t(next)] - expected) <= 1e-9 * load);
        }
        const int first = order.front();
        const double closed = shares[size_t(first)] * (p.unitSendS(first) + p.unitComputeS(first));
        QVERIFY(qAbs(timeline.makespan - closed) <= 1e-9 * closed);
        QVERIFY(qAbs(OptimalStrategy::divisibleMakespan(p, order, load) - closed) <= 1e-9 * closed);
    }
}

void TestOptimalSplit::identicalSlavesClosedForm_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<double>("c");
    QTest::addColumn<double>("w");
    QTest::addColumn<double>("load");
    QTest::newRow("1 slave") << 1 << 0.5 << 2.0 << 10.0;
    QTest::newRow("2 slaves, c = w") << 2 << 1.0 << 1.0 << 3.0;
    QTest::newRow("4 slaves, compute bound") << 4 << 0.08 << 1.0 << 100.0;
    QTest::newRow("4 slaves, link bound") << 4 << 5.0 << 1.0 << 100.0;
    QTest::newRow("8 slaves") << 8 << 0.3 << 2.5 << 60.0;
    QTest::newRow("16 slaves, tiny load") << 16 << 0.01 << 0.2 << 0.5;
}

void TestOptimalSplit::identicalSlavesClosedForm()
{
    QFETCH(int, slaves);
    QFETCH(double, c);
    QFETCH(double, w);
    QFETCH(double, load);
    Platform p;
    p.unitMB = c; // bandwidth 1 MB/s -> c seconds per unit
    for (int i = 0; i < slaves; ++i)
        p.slaves.push_back({QStringLiteral("s%1").arg(i), w, 1.0});
    std::vector<int> order(static_cast<size_t>(slaves));
    std::iota(order.begin(), order.end(), 0);

    // alpha_{k+1} = q alpha_k with q = w / (c + w); the shares sum to the load, so
    // alpha_1 = L (1 - q) / (1 - q^N), and the makespan is alpha_1 (c + w).
    const double q = w / (c + w);
    const double alpha1 = load * (1 - q) / (1 - std::pow(q, slaves));
    const std::vector<double> shares = OptimalStrategy().divisibleShares(p, order, load);
    double expected = alpha1;
    for (int k = 0; k < slaves; ++k) {
        QVERIFY2(qAbs(shares[size_t(k)] - expected) <= 1e-9 * load,
                 qPrintable(QStringLiteral("alpha_%1 = %2, expected %3")
                                .arg(k + 1)
                                .arg(shares[size_t(k)])
                                .arg(expected)));
        expected *= q;
    }
    const double makespan = alpha1 * (c + w);
    QVERIFY(qAbs(OptimalStrategy::divisibleMakespan(p, order, load) - makespan) <= 1e-9 * makespan);
    QVERIFY(qAbs(evaluateSchedule(p, shares, order).makespan - makespan) <= 1e-9 * makespan);
}

void TestOptimalSplit::decreasingBandwidthOrderIsBest_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<quint64>("seed");
    for (int n = 2; n <= 5; ++n) {
        for (quint64 seed = 1; seed <= 4; ++seed)
            QTest::addRow("n=%d seed=%llu", n, seed) << n << quint64(seed * 7919 + quint64(n));
    }
}

void TestOptimalSplit::decreasingBandwidthOrderIsBest()
{
    QFETCH(int, slaves);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    const Platform p = randomPlatform(rng, slaves);
    const double load = uniform(rng, 10, 200);
    const std::vector<int> dec = decOrder(p);
    const double decMakespan = OptimalStrategy::divisibleMakespan(p, dec, load);

    std::vector<int> order(static_cast<size_t>(slaves));
    std::iota(order.begin(), order.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    double worst = 0;
    do {
        const double m = OptimalStrategy::divisibleMakespan(p, order, load);
        best = std::min(best, m);
        worst = std::max(worst, m);
    } while (std::next_permutation(order.begin(), order.end()));
    QVERIFY2(decMakespan <= best * (1 + 1e-9),
             qPrintable(QStringLiteral("dec %1, best %2").arg(decMakespan, 0, 'g', 17).arg(best)));
    QVERIFY(worst > best); // the order matters on this platform, so the check has teeth
}

void TestOptimalSplit::affineHandWorked()
{
    // Four identical slaves, c = w = 1, start-up s = 1, 5 units. The fourth slave's share would
    // be negative, so three take part: alpha = 25/7, 9/7, 1/7, makespan s + alpha_1 (c + w) = 57/7.
    Platform p;
    p.unitMB = 1;
    p.startupS = 1;
    for (int i = 0; i < 4; ++i)
        p.slaves.push_back({QStringLiteral("s%1").arg(i), 1.0, 1.0});
    const std::vector<int> order{0, 1, 2, 3};
    const std::vector<double> shares = OptimalStrategy().divisibleShares(p, order, 5);
    const double expected[] = {25.0 / 7, 9.0 / 7, 1.0 / 7, 0};
    for (size_t i = 0; i < 4; ++i)
        QVERIFY(qAbs(shares[i] - expected[i]) < 1e-12);
    QCOMPARE(shares[3], 0.0);
    QVERIFY(qAbs(OptimalStrategy::divisibleMakespan(p, order, 5) - 57.0 / 7) < 1e-12);
    const Timeline timeline = evaluateSchedule(p, shares, order);
    QCOMPARE(timeline.chunks.size(), size_t(3));
    checkFinishTogether(timeline);
}

void TestOptimalSplit::affineDropsTail_data()
{
    QTest::addColumn<double>("startup");
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<bool>("mustDrop");
    // Big start-up, slow links, small load: some slaves cannot pay for their message.
    QTest::newRow("hand: slow links") << 3.0 << quint64(0) << true;
    for (quint64 seed = 1; seed <= 8; ++seed)
        QTest::addRow("random s=2 seed=%llu", seed) << 2.0 << seed << false;
    for (quint64 seed = 9; seed <= 12; ++seed)
        QTest::addRow("random s=0.05 seed=%llu", seed) << 0.05 << seed << false;
}

void TestOptimalSplit::affineDropsTail()
{
    QFETCH(double, startup);
    QFETCH(quint64, seed);
    QFETCH(bool, mustDrop);
    Platform p;
    double load = 0;
    if (seed == 0) {
        p.unitMB = 10;
        p.startupS = startup;
        const double bandwidth[] = {10, 5, 2, 1, 1}; // c = 1, 2, 5, 10, 10 s per unit
        for (int i = 0; i < 5; ++i)
            p.slaves.push_back({QStringLiteral("s%1").arg(i), 2.0, bandwidth[i]});
        load = 7;
    } else {
        std::mt19937_64 rng(seed);
        p = randomPlatform(rng, 2 + int(seed % 6), startup);
        load = uniform(rng, 1, 20);
    }
    const std::vector<int> order = decOrder(p);
    const std::vector<double> shares = OptimalStrategy().divisibleShares(p, order, load);
    QVERIFY(qAbs(total(shares) - load) <= 1e-9 * load);

    // Participants are a prefix of the send order; every one of them has a positive share.
    size_t participants = 0;
    while (participants < order.size() && shares[size_t(order[participants])] > 0)
        ++participants;
    QVERIFY(participants >= 1);
    for (size_t k = participants; k < order.size(); ++k)
        QCOMPARE(shares[size_t(order[k])], 0.0);
    if (mustDrop)
        QVERIFY(participants < order.size());

    const Timeline timeline = evaluateSchedule(p, shares, order);
    QCOMPARE(timeline.chunks.size(), participants);
    checkFinishTogether(timeline);
    const int first = order.front();
    const double closed =
        p.startupS + shares[size_t(first)] * (p.unitSendS(first) + p.unitComputeS(first));
    QVERIFY(qAbs(timeline.makespan - closed) <= 1e-9 * closed);
    QVERIFY(qAbs(OptimalStrategy::divisibleMakespan(p, order, load) - closed) <= 1e-9 * closed);

    // Why the next slave was dropped: with it, the equal-finish shares are not all positive.
    // Solve alpha_{k+1} = (alpha_k w_k - s) / (c_{k+1} + w_{k+1}) with alpha_1 free.
    if (participants < order.size()) {
        const size_t m = participants + 1;
        std::vector<double> a(m), b(m);
        a[0] = 1;
        b[0] = 0;
        for (size_t k = 0; k + 1 < m; ++k) {
            const double den = p.unitSendS(order[k + 1]) + p.unitComputeS(order[k + 1]);
            a[k + 1] = a[k] * p.unitComputeS(order[k]) / den;
            b[k + 1] = (b[k] * p.unitComputeS(order[k]) - p.startupS) / den;
        }
        const double alpha1 = (load - total(b)) / total(a);
        QVERIFY(a[m - 1] * alpha1 + b[m - 1] <= 1e-12);
    }
}

void TestOptimalSplit::zeroLoad()
{
    std::mt19937_64 rng(5);
    const Platform p = randomPlatform(rng, 4);
    const std::vector<int> order = decOrder(p);
    QCOMPARE(OptimalStrategy().divisibleShares(p, order, 0), std::vector<double>(4, 0.0));
    QCOMPARE(OptimalStrategy().wholeShares(p, order, 0), std::vector<long long>(4, 0));
    QCOMPARE(OptimalStrategy::divisibleMakespan(p, order, 0), 0.0);
}

void TestOptimalSplit::wholeMatchesBruteForce_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<qlonglong>("load");
    QTest::addColumn<double>("startup");
    QTest::addColumn<quint64>("seed");
    for (int n = 2; n <= 3; ++n) {
        for (long long load : {1LL, 2LL, 5LL, 8LL, 12LL}) {
            for (quint64 seed = 1; seed <= 3; ++seed) {
                QTest::addRow("n=%d L=%lld seed=%llu", n, load, seed)
                    << n << qlonglong(load) << 0.0 << quint64(seed * 31 + quint64(load * 3 + n));
            }
            QTest::addRow("n=%d L=%lld startup", n, load)
                << n << qlonglong(load) << 0.7 << quint64(load * 5 + n);
        }
    }
}

void TestOptimalSplit::wholeMatchesBruteForce()
{
    QFETCH(int, slaves);
    QFETCH(qlonglong, load);
    QFETCH(double, startup);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    const Platform p = randomPlatform(rng, slaves, startup);
    // The optimum is for the given order, whatever it is.
    for (const std::vector<int> &order : {decOrder(p), shuffled(decOrder(p), rng)}) {
        const std::vector<long long> shares = OptimalStrategy().wholeShares(p, order, load);
        QCOMPARE(std::accumulate(shares.begin(), shares.end(), 0LL), load);
        for (long long s : shares)
            QVERIFY(s >= 0);
        const double found = makespanOf(p, shares, order);
        const double best = bruteForceWhole(p, order, load);
        QVERIFY2(qAbs(found - best) <= 1e-9 * best,
                 qPrintable(QStringLiteral("whole optimum %1, brute force %2")
                                .arg(found, 0, 'g', 17)
                                .arg(best, 0, 'g', 17)));
    }
}

void TestOptimalSplit::wholeAgainstDivisibleAndRounding_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<qlonglong>("load");
    QTest::addColumn<quint64>("seed");
    for (int n : {1, 2, 4, 6, 8}) {
        for (long long load : {1LL, 7LL, 20LL, 60LL, 100LL})
            QTest::addRow("n=%d L=%lld", n, load)
                << n << qlonglong(load) << quint64(n * 1000 + load);
    }
}

void TestOptimalSplit::wholeAgainstDivisibleAndRounding()
{
    QFETCH(int, slaves);
    QFETCH(qlonglong, load);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    const Platform p = randomPlatform(rng, slaves);
    const std::vector<int> order = decOrder(p);
    const OptimalStrategy optimal;

    const std::vector<long long> whole = optimal.wholeShares(p, order, load);
    QCOMPARE(std::accumulate(whole.begin(), whole.end(), 0LL), load);
    for (long long s : whole)
        QVERIFY(s >= 0);
    const double wholeMakespan = makespanOf(p, whole, order);
    const double divisibleMakespan = OptimalStrategy::divisibleMakespan(p, order, double(load));
    const double bound = makespanLowerBound(p, double(load));
    QVERIFY(bound > 0);
    QVERIFY(bound <= divisibleMakespan * (1 + 1e-9));
    QVERIFY(wholeMakespan >= divisibleMakespan - 1e-9);

    // Never worse than rounding the divisible split, by largest remainder ...
    const std::vector<double> divisible = optimal.divisibleShares(p, order, double(load));
    const std::vector<long long> hamilton = apportion(divisible, load, order);
    QVERIFY(wholeMakespan <= makespanOf(p, hamilton, order) + 1e-9);
    // ... or to nearest with the last slave in the order taking up the difference.
    std::vector<long long> nearest(divisible.size());
    long long placed = 0;
    for (size_t i = 0; i < divisible.size(); ++i) {
        nearest[i] = std::llround(divisible[i]);
        placed += nearest[i];
    }
    for (auto it = order.rbegin(); it != order.rend() && placed != load; ++it) {
        const long long change = std::max(-nearest[size_t(*it)], load - placed);
        nearest[size_t(*it)] += change;
        placed += change;
    }
    QCOMPARE(placed, load);
    QVERIFY(wholeMakespan <= makespanOf(p, nearest, order) + 1e-9);
    // ... or putting everything on the first slave.
    std::vector<long long> single(size_t(slaves), 0);
    single[size_t(order.front())] = load;
    QVERIFY(wholeMakespan <= makespanOf(p, single, order) + 1e-9);
}

// Issue 16: per-slave fixed compute per chunk and latency per message. The divisible split still
// has every participant finish together (evaluated with the fixed costs), and the whole-task
// DP is still the exact optimum for the order (brute force).
void TestOptimalSplit::perSlaveFixedCosts()
{
    std::mt19937_64 rng(16);
    for (int trial = 0; trial < 30; ++trial) {
        const int n = 2 + int(rng() % 3);
        Platform p = randomPlatform(rng, n, 0, 0);
        for (SlaveSpec &s : p.slaves) {
            s.fixedComputeS = uniform(rng, 0, 3) * s.unitComputeS;
            s.latencyS = uniform(rng, 0, 0.5) * p.unitSendS(0);
        }
        std::vector<int> order(static_cast<size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        const double load = 40;
        const std::vector<double> shares = OptimalStrategy().divisibleShares(p, order, load);
        QVERIFY(std::abs(total(shares) - load) < 1e-9 * load);
        const Timeline t = evaluateSchedule(p, shares, order);
        for (const ChunkRecord &c : t.chunks)
            QVERIFY2(std::abs(c.computeEnd - t.makespan) < 1e-9 * t.makespan,
                     qPrintable(QStringLiteral("trial %1 slave %2").arg(trial).arg(c.slave)));
        const long long whole = 6;
        const std::vector<long long> split = OptimalStrategy().wholeShares(p, order, whole);
        QVERIFY(std::abs(makespanOf(p, split, order) - bruteForceWhole(p, order, whole)) <
                1e-9 * makespanOf(p, split, order));
    }
}

QTEST_APPLESS_MAIN(TestOptimalSplit)
#include "tst_optimalsplit.moc"
