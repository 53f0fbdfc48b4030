// apportion(): largest-remainder split of whole units; smallestIntegerRatio(): paper 2's PR.
#include "randomplatform.h"
#include "sched/apportionment.h"
#include "sched/schedulingerror.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace starling::sched;
using namespace starling::testing;

namespace {

std::vector<double> toStd(const QList<double> &list)
{
    return {list.begin(), list.end()};
}

std::vector<int> toStd(const QList<int> &list)
{
    return {list.begin(), list.end()};
}

std::vector<long long> toStd(const QList<qlonglong> &list)
{
    return {list.begin(), list.end()};
}

std::vector<int> identity(size_t n)
{
    std::vector<int> v(n);
    std::iota(v.begin(), v.end(), 0);
    return v;
}

// The quota exactly as a largest-remainder method computes it: total * w_i / sum(w).
std::vector<double> quotas(const std::vector<double> &weights, long long total)
{
    double sum = 0;
    for (double w : weights)
        sum += w;
    std::vector<double> q;
    for (double w : weights)
        q.push_back(double(total) * w / sum);
    return q;
}

} // namespace

class TestApportionment : public QObject
{
    Q_OBJECT

private slots:
    void paperExample();
    void knownSplits_data();
    void knownSplits();
    void hamiltonProperties_data();
    void hamiltonProperties();
    void tiesFollowPriority_data();
    void tiesFollowPriority();
    void zeroWeightsGetNothing();
    void badInputsThrow_data();
    void badInputsThrow();
    void smallestRatio_data();
    void smallestRatio();
    void smallestRatioBadInputsThrow();
    void proportionalSharesSumToTotal();
};

void TestApportionment::paperExample()
{
    // Paper 2: PF = 1/3 : 1/2 : 1/6, 6 units of data go 2 to N1, 3 to N2, 1 to N3.
    const std::vector<long long> shares = apportion({1.0 / 3, 1.0 / 2, 1.0 / 6}, 6, {0, 1, 2});
    QCOMPARE(shares, (std::vector<long long>{2, 3, 1}));
    // The priority cannot matter when every quota is whole.
    QCOMPARE(apportion({1.0 / 3, 1.0 / 2, 1.0 / 6}, 6, {2, 0, 1}),
             (std::vector<long long>{2, 3, 1}));
    QCOMPARE(apportion({1.0 / 3, 1.0 / 2, 1.0 / 6}, 60, {0, 1, 2}),
             (std::vector<long long>{20, 30, 10}));
}

void TestApportionment::knownSplits_data()
{
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<qlonglong>("total");
    QTest::addColumn<QList<int>>("priority");
    QTest::addColumn<QList<qlonglong>>("expected");

    QTest::newRow("single slave") << QList<double>{2.5} << 7LL << QList<int>{0}
                                  << QList<qlonglong>{7};
    QTest::newRow("total zero") << QList<double>{1, 2, 3} << 0LL << QList<int>{0, 1, 2}
                                << QList<qlonglong>{0, 0, 0};
    // quotas 1.4, 2.1, 3.5 -> floors 1,2,3 (6), one extra to the largest remainder (0.5)
    QTest::newRow("largest remainder")
        << QList<double>{2, 3, 5} << 7LL << QList<int>{0, 1, 2} << QList<qlonglong>{1, 2, 4};
    // quotas 3.6, 2.4 -> remainder 0.6 wins even though slave 1 comes first in priority
    QTest::newRow("remainder beats priority")
        << QList<double>{3, 2} << 6LL << QList<int>{1, 0} << QList<qlonglong>{4, 2};
    // quotas 0.25 each of 1 unit over 4 equal slaves: the first in priority gets it
    QTest::newRow("one unit, equal") << QList<double>{1, 1, 1, 1} << 1LL << QList<int>{2, 3, 0, 1}
                                     << QList<qlonglong>{0, 0, 1, 0};
    // paper 1 style: 10 over 3 equal -> the extra unit to rank 0
    QTest::newRow("equal 10 over 3")
        << QList<double>{1, 1, 1} << 10LL << QList<int>{0, 1, 2} << QList<qlonglong>{4, 3, 3};
    QTest::newRow("equal 11 over 3 reversed")
        << QList<double>{1, 1, 1} << 11LL << QList<int>{2, 1, 0} << QList<qlonglong>{3, 4, 4};
    QTest::newRow("large total") << QList<double>{1, 1} << 1000000000001LL << QList<int>{1, 0}
                                 << QList<qlonglong>{500000000000LL, 500000000001LL};
}

void TestApportionment::knownSplits()
{
    QFETCH(QList<double>, weights);
    QFETCH(qlonglong, total);
    QFETCH(QList<int>, priority);
    QFETCH(QList<qlonglong>, expected);
    QCOMPARE(apportion(toStd(weights), total, toStd(priority)), toStd(expected));
}

void TestApportionment::hamiltonProperties_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<qlonglong>("total");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("2 slaves, 1 unit") << 2 << 1LL << quint64(1);
    QTest::newRow("3 slaves, 6 units") << 3 << 6LL << quint64(2);
    QTest::newRow("5 slaves, 17 units") << 5 << 17LL << quint64(3);
    QTest::newRow("8 slaves, 100 units") << 8 << 100LL << quint64(4);
    QTest::newRow("8 slaves, 3 units") << 8 << 3LL << quint64(5);
    QTest::newRow("13 slaves, 997 units") << 13 << 997LL << quint64(6);
    QTest::newRow("64 slaves, 12345 units") << 64 << 12345LL << quint64(7);
}

void TestApportionment::hamiltonProperties()
{
    QFETCH(int, slaves);
    QFETCH(qlonglong, total);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<double> weights;
        for (int i = 0; i < slaves; ++i)
            weights.push_back(0.01 + 10 * uniform(rng));
        std::vector<int> priority = identity(size_t(slaves));
        for (size_t i = priority.size(); i > 1; --i)
            std::swap(priority[i - 1], priority[size_t(rng() % i)]);

        const std::vector<long long> shares = apportion(weights, total, priority);
        QCOMPARE(shares.size(), size_t(slaves));
        QCOMPARE(std::accumulate(shares.begin(), shares.end(), 0LL), total);
        const std::vector<double> q = quotas(weights, total);
        double smallestRoundedUp = std::numeric_limits<double>::infinity();
        double largestRoundedDown = -std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < shares.size(); ++i) {
            const double fl = std::floor(q[i]);
            QVERIFY2(double(shares[i]) == fl || double(shares[i]) == std::ceil(q[i]),
                     qPrintable(QStringLiteral("share %1 of quota %2").arg(shares[i]).arg(q[i])));
            if (double(shares[i]) > fl)
                smallestRoundedUp = std::min(smallestRoundedUp, q[i] - fl);
            else
                largestRoundedDown = std::max(largestRoundedDown, q[i] - fl);
        }
        // Largest remainder: everyone rounded up had a remainder at least as large as anyone
        // rounded down.
        QVERIFY(smallestRoundedUp >= largestRoundedDown - 1e-9);
    }
}

void TestApportionment::tiesFollowPriority_data()
{
    QTest::addColumn<QList<int>>("priority");
    QTest::addColumn<qlonglong>("total");
    QTest::addColumn<QList<qlonglong>>("expected");
    // Four equal weights: total mod 4 extra units go to the first slaves in priority.
    QTest::newRow("5, order 0123") << QList<int>{0, 1, 2, 3} << 5LL << QList<qlonglong>{2, 1, 1, 1};
    QTest::newRow("5, order 3210") << QList<int>{3, 2, 1, 0} << 5LL << QList<qlonglong>{1, 1, 1, 2};
    QTest::newRow("6, order 2031") << QList<int>{2, 0, 3, 1} << 6LL << QList<qlonglong>{2, 1, 2, 1};
    QTest::newRow("7, order 1302") << QList<int>{1, 3, 0, 2} << 7LL << QList<qlonglong>{2, 2, 1, 2};
    QTest::newRow("3, order 3120") << QList<int>{3, 1, 2, 0} << 3LL << QList<qlonglong>{0, 1, 1, 1};
}

void TestApportionment::tiesFollowPriority()
{
    QFETCH(QList<int>, priority);
    QFETCH(qlonglong, total);
    QFETCH(QList<qlonglong>, expected);
    QCOMPARE(apportion({1, 1, 1, 1}, total, toStd(priority)), toStd(expected));
    // Scaling the weights changes nothing.
    QCOMPARE(apportion({0.3, 0.3, 0.3, 0.3}, total, toStd(priority)), toStd(expected));
}

void TestApportionment::zeroWeightsGetNothing()
{
    const std::vector<double> weights{0, 1, 0, 1, 0};
    // The zero-weight slaves come first in priority and still get nothing.
    const std::vector<long long> shares = apportion(weights, 7, {0, 2, 4, 3, 1});
    QCOMPARE(shares, (std::vector<long long>{0, 3, 0, 4, 0}));
    for (long long total : {0LL, 1LL, 2LL, 9LL, 1000LL}) {
        const auto s = apportion(weights, total, {4, 2, 0, 1, 3});
        QCOMPARE(s[0], 0LL);
        QCOMPARE(s[2], 0LL);
        QCOMPARE(s[4], 0LL);
        QCOMPARE(s[1] + s[3], total);
    }
    QCOMPARE(apportion({0, 0, 3}, 11, {0, 1, 2}), (std::vector<long long>{0, 0, 11}));
}

void TestApportionment::badInputsThrow_data()
{
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<qlonglong>("total");
    QTest::addColumn<QList<int>>("priority");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("negative weight") << QList<double>{1, -0.5, 2} << 6LL << QList<int>{0, 1, 2};
    QTest::newRow("NaN weight") << QList<double>{1, nan, 2} << 6LL << QList<int>{0, 1, 2};
    QTest::newRow("infinite weight") << QList<double>{1, inf} << 6LL << QList<int>{0, 1};
    QTest::newRow("all zeros") << QList<double>{0, 0, 0} << 6LL << QList<int>{0, 1, 2};
    QTest::newRow("all zeros, total 0") << QList<double>{0, 0} << 0LL << QList<int>{0, 1};
    QTest::newRow("priority too short") << QList<double>{1, 1, 1} << 6LL << QList<int>{0, 1};
    QTest::newRow("priority too long") << QList<double>{1, 1} << 6LL << QList<int>{0, 1, 2};
    QTest::newRow("no slaves") << QList<double>{} << 6LL << QList<int>{};
    QTest::newRow("negative total") << QList<double>{1, 1} << -1LL << QList<int>{0, 1};
}

void TestApportionment::badInputsThrow()
{
    QFETCH(QList<double>, weights);
    QFETCH(qlonglong, total);
    QFETCH(QList<int>, priority);
    QVERIFY_THROWS_EXCEPTION(SchedulingError, apportion(toStd(weights), total, toStd(priority)));
}

void TestApportionment::smallestRatio_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<QList<qlonglong>>("expected");
    QTest::newRow("paper PF 1/3:1/2:1/6")
        << QList<double>{1.0 / 3, 1.0 / 2, 1.0 / 6} << QList<qlonglong>{2, 3, 1};
    QTest::newRow("halves") << QList<double>{0.5, 0.5} << QList<qlonglong>{1, 1};
    QTest::newRow("already whole") << QList<double>{1, 2, 4} << QList<qlonglong>{1, 2, 4};
    QTest::newRow("paper bandwidths 3:1:2") << QList<double>{3, 1, 2} << QList<qlonglong>{3, 1, 2};
    QTest::newRow("bandwidths in MB/s")
        << QList<double>{300, 100, 200} << QList<qlonglong>{3, 1, 2};
    QTest::newRow("common factor") << QList<double>{4, 6, 10} << QList<qlonglong>{2, 3, 5};
    QTest::newRow("fractions 0.5:0.2") << QList<double>{0.5, 0.2} << QList<qlonglong>{5, 2};
    QTest::newRow("with a zero") << QList<double>{0, 0.25, 0.75} << QList<qlonglong>{0, 1, 3};
    QTest::newRow("single") << QList<double>{0.37} << QList<qlonglong>{1};
}

void TestApportionment::smallestRatio()
{
    QFETCH(QList<double>, values);
    QFETCH(QList<qlonglong>, expected);
    QCOMPARE(smallestIntegerRatio(toStd(values)), toStd(expected));
}

void TestApportionment::smallestRatioBadInputsThrow()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QVERIFY_THROWS_EXCEPTION(SchedulingError, smallestIntegerRatio({1, -1}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, smallestIntegerRatio({1, nan}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, smallestIntegerRatio({0, 0}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, smallestIntegerRatio({}));
}

void TestApportionment::proportionalSharesSumToTotal()
{
    const std::vector<double> shares = proportionalShares({1, 3, 4}, 10);
    QCOMPARE(shares.size(), size_t(3));
    QVERIFY(qAbs(shares[0] - 1.25) < 1e-12);
    QVERIFY(qAbs(shares[1] - 3.75) < 1e-12);
    QVERIFY(qAbs(shares[2] - 5.0) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(SchedulingError, proportionalShares({0, 0}, 10));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, proportionalShares({}, 10));
}

QTEST_APPLESS_MAIN(TestApportionment)
#include "tst_apportionment.moc"
