// BlockAllocator: paper 1's block distribution and the weighted, aligned variant.
#include "sched/blockallocator.h"
#include "sched/schedulingerror.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>

using namespace starling::sched;

namespace {

std::vector<double> toStd(const QList<double> &list)
{
    return {list.begin(), list.end()};
}

// Contiguous from 0, in order, no gap, no overlap, exact sum.
void checkTiling(const std::vector<ByteRange> &ranges, qint64 fileSize)
{
    qint64 expectedOffset = 0;
    qint64 sum = 0;
    for (const ByteRange &range : ranges) {
        QCOMPARE(range.offset, expectedOffset);
        QVERIFY(range.length >= 0);
        QCOMPARE(range.end(), range.offset + range.length);
        expectedOffset = range.end();
        sum += range.length;
    }
    QCOMPARE(sum, fileSize);
    QCOMPARE(expectedOffset, fileSize);
}

} // namespace

class TestBlockAllocator : public QObject
{
    Q_OBJECT

private slots:
    void equalBlocks_data();
    void equalBlocks();
    void equalBlocksBadInputs();
    void equalCounts_data();
    void equalCounts();
    void equalCountsBadInputs();
    void weightedKnown_data();
    void weightedKnown();
    void weightedProportional_data();
    void weightedProportional();
    void weightedZeroShares();
    void weightedAligned_data();
    void weightedAligned();
    void weightedHugeFile();
    void weightedBadInputs_data();
    void weightedBadInputs();
};

void TestBlockAllocator::equalBlocks_data()
{
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<QList<qint64>>("lengths");
    // Paper 1: floor(size / n) each, the remainder to rank 0, which comes first in the file.
    QTest::newRow("10 over 3") << qint64(10) << 3 << QList<qint64>{4, 3, 3};
    QTest::newRow("2 over 4") << qint64(2) << 4 << QList<qint64>{2, 0, 0, 0};
    QTest::newRow("0 over 3") << qint64(0) << 3 << QList<qint64>{0, 0, 0};
    QTest::newRow("12 over 4") << qint64(12) << 4 << QList<qint64>{3, 3, 3, 3};
    QTest::newRow("15 over 4") << qint64(15) << 4 << QList<qint64>{6, 3, 3, 3};
    QTest::newRow("7 over 1") << qint64(7) << 1 << QList<qint64>{7};
    QTest::newRow("1 over 1") << qint64(1) << 1 << QList<qint64>{1};
    QTest::newRow("0 over 1") << qint64(0) << 1 << QList<qint64>{0};
    QTest::newRow("4 GiB + 3 over 4")
        << qint64(4294967299LL) << 4
        << QList<qint64>{1073741827LL, 1073741824LL, 1073741824LL, 1073741824LL};
    QTest::newRow("5e12 + 5 over 6")
        << qint64(5000000000005LL) << 6
        << QList<qint64>{833333333335LL, 833333333334LL, 833333333334LL,
                         833333333334LL, 833333333334LL, 833333333334LL};
}

void TestBlockAllocator::equalBlocks()
{
    QFETCH(qint64, fileSize);
    QFETCH(int, nodes);
    QFETCH(QList<qint64>, lengths);
    const std::vector<ByteRange> ranges = BlockAllocator::equalBlocks(fileSize, nodes);
    QCOMPARE(ranges.size(), size_t(nodes));
    QCOMPARE(ranges.front().offset, qint64(0)); // rank 0 starts the file
    for (int r = 0; r < nodes; ++r)
        QCOMPARE(ranges[size_t(r)].length, lengths[r]);
    checkTiling(ranges, fileSize);
}

void TestBlockAllocator::equalBlocksBadInputs()
{
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalBlocks(-1, 3));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalBlocks(10, 0));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalBlocks(10, -2));
}

void TestBlockAllocator::equalCounts_data()
{
    QTest::addColumn<long long>("units");
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<QList<long long>>("counts");
    // Equal weights: equalBlocks' rule in pieces.
    QTest::newRow("10 over 3") << 10LL << QList<double>{1, 1, 1} << QList<long long>{4, 3, 3};
    QTest::newRow("2 over 4") << 2LL << QList<double>{1, 1, 1, 1} << QList<long long>{2, 0, 0, 0};
    QTest::newRow("0 over 2") << 0LL << QList<double>{1, 1} << QList<long long>{0, 0};
    QTest::newRow("15 over 4") << 15LL << QList<double>{0.25, 0.25, 0.25, 0.25}
                               << QList<long long>{6, 3, 3, 3};
    // W_i: floor of each quota, every leftover to rank 0 (not to the largest remainder).
    QTest::newRow("7 by 2:1:1") << 7LL << QList<double>{2, 1, 1} << QList<long long>{5, 1, 1};
    QTest::newRow("7 by 2:2") << 7LL << QList<double>{2, 2} << QList<long long>{4, 3};
    QTest::newRow("10 by 1:3") << 10LL << QList<double>{1, 3} << QList<long long>{3, 7};
    QTest::newRow("5 by 1:1:8") << 5LL << QList<double>{1, 1, 8} << QList<long long>{1, 0, 4};
    QTest::newRow("zero weight") << 5LL << QList<double>{0, 1} << QList<long long>{0, 5};
}

void TestBlockAllocator::equalCounts()
{
    QFETCH(long long, units);
    QFETCH(QList<double>, weights);
    QFETCH(QList<long long>, counts);
    const std::vector<long long> got = BlockAllocator::equalCounts(units, toStd(weights));
    QCOMPARE(QList<long long>(got.begin(), got.end()), counts);
}

void TestBlockAllocator::equalCountsBadInputs()
{
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalCounts(-1, {1.0}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalCounts(3, {}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalCounts(3, {0.0, 0.0}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalCounts(3, {1.0, -1.0}));
    QVERIFY_THROWS_EXCEPTION(SchedulingError, BlockAllocator::equalCounts(3, {std::nan(""), 1.0}));
}

void TestBlockAllocator::weightedKnown_data()
{
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<QList<double>>("shares");
    QTest::addColumn<QList<qint64>>("lengths");
    QTest::newRow("halves") << qint64(10) << QList<double>{1, 1} << QList<qint64>{5, 5};
    QTest::newRow("1:3") << qint64(100) << QList<double>{1, 3} << QList<qint64>{25, 75};
    QTest::newRow("paper PR 2:3:1")
        << qint64(600) << QList<double>{2, 3, 1} << QList<qint64>{200, 300, 100};
    QTest::newRow("fractions") << qint64(60) << QList<double>{1.0 / 3, 1.0 / 2, 1.0 / 6}
                               << QList<qint64>{20, 30, 10};
    QTest::newRow("empty file") << qint64(0) << QList<double>{1, 2} << QList<qint64>{0, 0};
    QTest::newRow("single") << qint64(77) << QList<double>{0.1} << QList<qint64>{77};
    QTest::newRow("one positive") << qint64(9) << QList<double>{0, 5, 0} << QList<qint64>{0, 9, 0};
}

void TestBlockAllocator::weightedKnown()
{
    QFETCH(qint64, fileSize);
    QFETCH(QList<double>, shares);
    QFETCH(QList<qint64>, lengths);
    const std::vector<ByteRange> ranges = BlockAllocator::weightedBlocks(fileSize, toStd(shares));
    QCOMPARE(ranges.size(), size_t(shares.size()));
    for (qsizetype i = 0; i < lengths.size(); ++i)
        QCOMPARE(ranges[size_t(i)].length, lengths[i]);
    checkTiling(ranges, fileSize);
}

void TestBlockAllocator::weightedProportional_data()
{
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("tiny file, many nodes") << qint64(5) << 8 << quint64(1);
    QTest::newRow("1 KiB over 3") << qint64(1024) << 3 << quint64(2);
    QTest::newRow("prime size over 7") << qint64(1000003) << 7 << quint64(3);
    QTest::newRow("1 GiB over 16") << qint64(1) * 1024 * 1024 * 1024 << 16 << quint64(4);
    QTest::newRow("odd size over 64") << qint64(987654321987LL) << 64 << quint64(5);
}

void TestBlockAllocator::weightedProportional()
{
    QFETCH(qint64, fileSize);
    QFETCH(int, nodes);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    for (int trial = 0; trial < 30; ++trial) {
        std::vector<double> shares;
        long double total = 0;
        for (int i = 0; i < nodes; ++i) {
            shares.push_back(double(rng() % 1000 + 1) / 7.0);
            total += shares.back();
        }
        const std::vector<ByteRange> ranges = BlockAllocator::weightedBlocks(fileSize, shares);
        QCOMPARE(ranges.size(), size_t(nodes));
        checkTiling(ranges, fileSize);
        long double cumulative = 0;
        for (size_t i = 0; i < ranges.size(); ++i) {
            cumulative += shares[i];
            const long double quota = (long double)fileSize * shares[i] / total;
            // Each boundary is the rounded cumulative quota, so each length is within a byte.
            QVERIFY2(std::fabs((long double)ranges[i].length - quota) <= 1.0L + 1e-6L,
                     qPrintable(QStringLiteral("node %1 got %2 bytes for quota %3")
                                    .arg(i)
                                    .arg(ranges[i].length)
                                    .arg(double(quota))));
            const long double ideal = (long double)fileSize * cumulative / total;
            QVERIFY(std::fabs((long double)ranges[i].end() - ideal) <= 0.5L + 1e-6L);
        }
        // Monotone in the share: doubling node 0's share never shrinks its range.
        std::vector<double> more = shares;
        more[0] *= 2;
        QVERIFY(BlockAllocator::weightedBlocks(fileSize, more)[0].length >= ranges[0].length);
    }
}

void TestBlockAllocator::weightedZeroShares()
{
    const qint64 size = 1000;
    const std::vector<ByteRange> ranges =
        BlockAllocator::weightedBlocks(size, {0, 1, 0, 0, 3, 0, 0});
    QCOMPARE(ranges.size(), size_t(7));
    checkTiling(ranges, size);
    QCOMPARE(ranges[0], (ByteRange{0, 0}));
    QCOMPARE(ranges[1], (ByteRange{0, 250}));
    QCOMPARE(ranges[2], (ByteRange{250, 0}));
    QCOMPARE(ranges[3], (ByteRange{250, 0}));
    QCOMPARE(ranges[4], (ByteRange{250, 750}));
    // Trailing zero shares: empty ranges at the end of the file.
    QCOMPARE(ranges[5], (ByteRange{1000, 0}));
    QCOMPARE(ranges[6], (ByteRange{1000, 0}));

    // Same with alignment: zero shares stay empty, the last positive share takes the tail.
    const std::vector<ByteRange> aligned =
        BlockAllocator::weightedBlocks(10 * 65536 + 17, {2, 0, 3, 0}, 65536);
    checkTiling(aligned, 10 * 65536 + 17);
    QCOMPARE(aligned[0].length, qint64(4 * 65536));
    QCOMPARE(aligned[1].length, qint64(0));
    QCOMPARE(aligned[2].length, qint64(6 * 65536 + 17));
    QCOMPARE(aligned[3], (ByteRange{10 * 65536 + 17, 0}));
}

void TestBlockAllocator::weightedAligned_data()
{
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<QList<double>>("shares");
    QTest::newRow("10 MB over 1:2:3:4") << qint64(10000000) << QList<double>{1, 2, 3, 4};
    QTest::newRow("PDDS-like") << qint64(123456789)
                               << QList<double>{0.41, 0.27, 0.33, 0.19, 0.22, 0.09, 0.14, 0.11};
    QTest::newRow("smaller than one block") << qint64(1000) << QList<double>{1, 1, 1};
    QTest::newRow("exact blocks") << qint64(8 * 65536) << QList<double>{1, 1, 1, 1};
    QTest::newRow("5e12 bytes") << qint64(5000000000000LL) << QList<double>{3, 1, 2};
    QTest::newRow("with zeros") << qint64(50000000) << QList<double>{0, 1, 0, 2, 0};
}

void TestBlockAllocator::weightedAligned()
{
    QFETCH(qint64, fileSize);
    QFETCH(QList<double>, shares);
    const qint64 alignment = 65536;
    const std::vector<ByteRange> ranges =
        BlockAllocator::weightedBlocks(fileSize, toStd(shares), alignment);
    QCOMPARE(ranges.size(), size_t(shares.size()));
    checkTiling(ranges, fileSize);
    long double total = 0;
    for (double s : shares)
        total += s;
    long double cumulative = 0;
    for (size_t i = 0; i < ranges.size(); ++i) {
        cumulative += shares[qsizetype(i)];
        const qint64 boundary = ranges[i].end();
        if (boundary == fileSize)
            continue; // the file's end needs no alignment
        QVERIFY2(boundary % alignment == 0,
                 qPrintable(QStringLiteral("boundary %1 after node %2").arg(boundary).arg(i)));
        // Still the nearest block boundary to the ideal cut.
        const long double ideal = (long double)fileSize * cumulative / total;
        QVERIFY(std::fabs((long double)boundary - ideal) <= alignment / 2.0L + 1e-6L);
    }
}

void TestBlockAllocator::weightedHugeFile()
{
    const qint64 size = 5000000000000LL; // 5e12 bytes, far beyond double's byte-exact comfort
    for (qint64 extra : {qint64(0), qint64(1), qint64(7), qint64(65535)}) {
        const std::vector<double> shares{1.0 / 3, 1.0 / 3, 1.0 / 3, 0.7, 1e-3};
        const std::vector<ByteRange> ranges = BlockAllocator::weightedBlocks(size + extra, shares);
        checkTiling(ranges, size + extra);
        const std::vector<ByteRange> aligned =
            BlockAllocator::weightedBlocks(size + extra, shares, 65536);
        checkTiling(aligned, size + extra);
        for (size_t i = 0; i + 1 < aligned.size(); ++i)
            QCOMPARE(aligned[i].end() % 65536, qint64(0));
    }
    // Equal shares over a huge file: lengths differ by at most one byte.
    const std::vector<ByteRange> thirds = BlockAllocator::weightedBlocks(size + 2, {1, 1, 1});
    checkTiling(thirds, size + 2);
    for (const ByteRange &r : thirds)
        QVERIFY(qAbs(r.length - (size + 2) / 3) <= 1);
}

void TestBlockAllocator::weightedBadInputs_data()
{
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<QList<double>>("shares");
    QTest::addColumn<qint64>("alignment");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("negative size") << qint64(-1) << QList<double>{1} << qint64(1);
    QTest::newRow("no shares") << qint64(10) << QList<double>{} << qint64(1);
    QTest::newRow("alignment 0") << qint64(10) << QList<double>{1} << qint64(0);
    QTest::newRow("negative alignment") << qint64(10) << QList<double>{1} << qint64(-4096);
    QTest::newRow("negative share") << qint64(10) << QList<double>{1, -1} << qint64(1);
    QTest::newRow("NaN share") << qint64(10) << QList<double>{1, nan} << qint64(1);
    QTest::newRow("infinite share") << qint64(10) << QList<double>{inf, 1} << qint64(1);
    QTest::newRow("all zero") << qint64(10) << QList<double>{0, 0} << qint64(1);
}

void TestBlockAllocator::weightedBadInputs()
{
    QFETCH(qint64, fileSize);
    QFETCH(QList<double>, shares);
    QFETCH(qint64, alignment);
    QVERIFY_THROWS_EXCEPTION(SchedulingError,
                             BlockAllocator::weightedBlocks(fileSize, toStd(shares), alignment));
}

QTEST_APPLESS_MAIN(TestBlockAllocator)
#include "tst_blockallocator.moc"
