// makeSendOrder(): paper 2's non-increasing bandwidth order and its baselines.
#include "sched/sendorder.h"

#include <QTest>

#include <algorithm>
#include <set>

using namespace starling::sched;

Q_DECLARE_METATYPE(starling::sched::SendOrder)

namespace {

std::vector<double> toStd(const QList<double> &list)
{
    return {list.begin(), list.end()};
}

std::vector<int> toStd(const QList<int> &list)
{
    return {list.begin(), list.end()};
}

bool isPermutation(const std::vector<int> &order, size_t n)
{
    if (order.size() != n)
        return false;
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < n; ++i) {
        if (sorted[i] != int(i))
            return false;
    }
    return true;
}

} // namespace

class TestSendOrder : public QObject
{
    Q_OBJECT

private slots:
    void sortedOrders_data();
    void sortedOrders();
    void randomIsSeededPermutation_data();
    void randomIsSeededPermutation();
    void randomDependsOnSeed();
    void randomVisitsEveryFirstPlace();
    void stringRoundTrip_data();
    void stringRoundTrip();
    void unknownStrings_data();
    void unknownStrings();
};

void TestSendOrder::sortedOrders_data()
{
    QTest::addColumn<QList<double>>("bandwidths");
    QTest::addColumn<SendOrder>("order");
    QTest::addColumn<QList<int>>("expected");

    // Paper 2: B1:B2:B3 = 3:1:2 gives the send order N1, N3, N2.
    QTest::newRow("paper dec") << QList<double>{3, 1, 2} << SendOrder::Decreasing
                               << QList<int>{0, 2, 1};
    QTest::newRow("paper inc") << QList<double>{3, 1, 2} << SendOrder::Increasing
                               << QList<int>{1, 2, 0};
    QTest::newRow("paper MB/s dec")
        << QList<double>{300, 100, 200} << SendOrder::Decreasing << QList<int>{0, 2, 1};
    QTest::newRow("empty dec") << QList<double>{} << SendOrder::Decreasing << QList<int>{};
    QTest::newRow("single inc") << QList<double>{5} << SendOrder::Increasing << QList<int>{0};
    QTest::newRow("all tied dec") << QList<double>{7, 7, 7, 7} << SendOrder::Decreasing
                                  << QList<int>{0, 1, 2, 3};
    QTest::newRow("all tied inc") << QList<double>{7, 7, 7, 7} << SendOrder::Increasing
                                  << QList<int>{0, 1, 2, 3};
    QTest::newRow("ties keep platform order dec")
        << QList<double>{10, 50, 10, 50, 30} << SendOrder::Decreasing << QList<int>{1, 3, 4, 0, 2};
    QTest::newRow("ties keep platform order inc")
        << QList<double>{10, 50, 10, 50, 30} << SendOrder::Increasing << QList<int>{0, 2, 4, 1, 3};
    QTest::newRow("seeds platform dec")
        << QList<double>{100, 50, 80, 20, 60, 10, 40, 30} << SendOrder::Decreasing
        << QList<int>{0, 2, 4, 1, 6, 7, 3, 5};
    QTest::newRow("seeds platform inc")
        << QList<double>{100, 50, 80, 20, 60, 10, 40, 30} << SendOrder::Increasing
        << QList<int>{5, 3, 7, 6, 1, 4, 2, 0};
}

void TestSendOrder::sortedOrders()
{
    QFETCH(QList<double>, bandwidths);
    QFETCH(SendOrder, order);
    QFETCH(QList<int>, expected);
    const std::vector<int> result = makeSendOrder(toStd(bandwidths), order);
    QCOMPARE(result, toStd(expected));
    // The seed only matters for the random order.
    QCOMPARE(makeSendOrder(toStd(bandwidths), order, 12345), result);
}

void TestSendOrder::randomIsSeededPermutation_data()
{
    QTest::addColumn<int>("slaves");
    QTest::newRow("1") << 1;
    QTest::newRow("2") << 2;
    QTest::newRow("3") << 3;
    QTest::newRow("8") << 8;
    QTest::newRow("100") << 100;
}

void TestSendOrder::randomIsSeededPermutation()
{
    QFETCH(int, slaves);
    std::vector<double> bandwidths;
    for (int i = 0; i < slaves; ++i)
        bandwidths.push_back(double((i * 37) % 11 + 1));
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const std::vector<int> order = makeSendOrder(bandwidths, SendOrder::Random, seed);
        QVERIFY(isPermutation(order, size_t(slaves)));
        QCOMPARE(makeSendOrder(bandwidths, SendOrder::Random, seed), order);
    }
}

void TestSendOrder::randomDependsOnSeed()
{
    const std::vector<double> bandwidths{100, 50, 80, 20, 60, 10, 40, 30};
    const std::vector<int> first = makeSendOrder(bandwidths, SendOrder::Random, 1);
    std::set<std::vector<int>> distinct;
    bool anyDifferent = false;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        const std::vector<int> order = makeSendOrder(bandwidths, SendOrder::Random, seed);
        distinct.insert(order);
        anyDifferent = anyDifferent || order != first;
    }
    QVERIFY(anyDifferent);
    // 8! orders: ten seeds should nearly never collide; demand at least a handful of distinct.
    QVERIFY(distinct.size() >= 5);
}

void TestSendOrder::randomVisitsEveryFirstPlace()
{
    // A shuffle, not a rotation or a fixed pattern: every slave is sent first for some seed.
    const std::vector<double> bandwidths{1, 2, 3, 4};
    std::set<int> firsts;
    for (std::uint64_t seed = 1; seed <= 200; ++seed)
        firsts.insert(makeSendOrder(bandwidths, SendOrder::Random, seed).front());
    QCOMPARE(firsts.size(), size_t(4));
}

void TestSendOrder::stringRoundTrip_data()
{
    QTest::addColumn<SendOrder>("order");
    QTest::addColumn<QString>("text");
    QTest::newRow("dec") << SendOrder::Decreasing << QStringLiteral("dec");
    QTest::newRow("inc") << SendOrder::Increasing << QStringLiteral("inc");
    QTest::newRow("rand") << SendOrder::Random << QStringLiteral("rand");
}

void TestSendOrder::stringRoundTrip()
{
    QFETCH(SendOrder, order);
    QFETCH(QString, text);
    QCOMPARE(toString(order), text);
    const std::optional<SendOrder> parsed = sendOrderFromString(text);
    QVERIFY(parsed.has_value());
    QVERIFY(*parsed == order);
    QVERIFY(sendOrderFromString(toString(order)) == std::optional<SendOrder>(order));
}

void TestSendOrder::unknownStrings_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << QStringLiteral("DEC");
    QTest::newRow("long name") << QStringLiteral("decreasing");
    QTest::newRow("padded") << QStringLiteral(" inc");
    QTest::newRow("other") << QStringLiteral("random");
}

void TestSendOrder::unknownStrings()
{
    QFETCH(QString, text);
    QVERIFY(!sendOrderFromString(text).has_value());
}

QTEST_APPLESS_MAIN(TestSendOrder)
#include "tst_sendorder.moc"
