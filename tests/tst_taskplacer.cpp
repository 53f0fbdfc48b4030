// TaskPlacer: paper 1's dispatch, each task to the node it leaves least loaded per unit weight,
// with seeded random tie-breaking.
#include "cluster/taskplacer.h"

#include <QTest>

#include <algorithm>
#include <map>
#include <set>

using namespace starling::cluster;

using Candidates = std::vector<TaskPlacer::Candidate>;
Q_DECLARE_METATYPE(Candidates)

namespace {

std::map<int, int> countByRank(const std::vector<int> &placement)
{
    std::map<int, int> counts;
    for (int rank : placement)
        ++counts[rank];
    return counts;
}

Candidates equalNodes(int count)
{
    Candidates candidates;
    for (int i = 0; i < count; ++i)
        candidates.push_back({2 + i, 0.0, 1.0});
    return candidates;
}

} // namespace

class TestTaskPlacer : public QObject
{
    Q_OBJECT

private slots:
    void exactPlacement_data();
    void exactPlacement();
    void evenSpread_data();
    void evenSpread();
    void weightThreeGetsThreeTimesAsMany();
    void sameSeedSameTies();
    void differentSeedsBreakTiesDifferently();
    void tiesAreFair();
    void nearTiesAreNotTies();
    void emptyInput();
};

void TestTaskPlacer::exactPlacement_data()
{
    QTest::addColumn<Candidates>("candidates");
    QTest::addColumn<QList<double>>("costs");
    QTest::addColumn<QList<int>>("expected");

    // Weight 3 vs weight 1; slave-3 starts 0.01 s ahead so that no step is a tie:
    // slave-2's load goes 1/3, 2/3, 1 (< 1.01), then slave-3 takes one, and so on.
    QTest::newRow("weight 3 vs 1") << Candidates{{2, 0.0, 3.0}, {3, 0.01, 1.0}}
                                   << QList<double>(8, 1.0) << QList<int>{2, 2, 2, 3, 2, 2, 2, 3};
    // A pre-loaded node gets nothing until the others reach its load.
    QTest::newRow("pre-loaded node waits")
        << Candidates{{2, 2.5, 1.0}, {3, 0.0, 1.0}, {4, 0.25, 1.0}} << QList<double>(7, 1.0)
        << QList<int>{3, 4, 3, 4, 3, 4, 2};
    // The load is what the task would leave: a big task goes where cost/weight is smallest.
    QTest::newRow("big task to the strong node")
        << Candidates{{2, 0.0, 1.0}, {3, 0.5, 4.0}} << QList<double>{4.0, 0.1}
        << QList<int>{3, 2}; // 0.5 + 4/4 = 1.5 < 4; then 0.1 < 1.5 + 0.025
    QTest::newRow("costs differ") << Candidates{{5, 0.0, 1.0}, {6, 0.001, 1.0}}
                                  << QList<double>{3.0, 1.0, 1.0, 1.0, 1.0}
                                  << QList<int>{5, 6, 6, 6, 5};
    QTest::newRow("one candidate")
        << Candidates{{7, 9.0, 0.5}} << QList<double>{1.0, 2.0, 3.0} << QList<int>{7, 7, 7};
    QTest::newRow("no costs") << Candidates{{2, 0.0, 1.0}} << QList<double>{} << QList<int>{};
}

void TestTaskPlacer::exactPlacement()
{
    QFETCH(Candidates, candidates);
    QFETCH(QList<double>, costs);
    QFETCH(QList<int>, expected);
    TaskPlacer placer(1);
    const auto placement = placer.place(candidates, {costs.begin(), costs.end()});
    QCOMPARE(QList<int>(placement.begin(), placement.end()), expected);
}

void TestTaskPlacer::evenSpread_data()
{
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("tasks");
    QTest::newRow("3 nodes, 9 tasks") << 3 << 9;
    QTest::newRow("4 nodes, 10 tasks") << 4 << 10;
    QTest::newRow("4 nodes, 3 tasks") << 4 << 3;
    QTest::newRow("5 nodes, 1000 tasks") << 5 << 1000;
    QTest::newRow("7 nodes, 50 tasks") << 7 << 50;
}

void TestTaskPlacer::evenSpread()
{
    QFETCH(int, nodes);
    QFETCH(int, tasks);
    for (std::uint64_t seed : {1, 2, 99}) {
        TaskPlacer placer(seed);
        const auto placement =
            placer.place(equalNodes(nodes), std::vector<double>(size_t(tasks), 0.2));
        QCOMPARE(placement.size(), size_t(tasks));
        const auto counts = countByRank(placement);
        // Every node gets floor(tasks/nodes) or one more, and the extras are tasks % nodes.
        int extra = 0;
        for (const auto &[rank, count] : counts) {
            QVERIFY(rank >= 2 && rank < 2 + nodes);
            QVERIFY2(count == tasks / nodes || count == tasks / nodes + 1,
                     qPrintable(QStringLiteral("rank %1 got %2").arg(rank).arg(count)));
            extra += count - tasks / nodes;
        }
        if (tasks >= nodes)
            QCOMPARE(int(counts.size()), nodes);
        QCOMPARE(extra, tasks % nodes);
        // Round by round: the first `nodes` tasks go to `nodes` different nodes.
        const std::set<int> firstRound(placement.begin(),
                                       placement.begin() + std::min(tasks, nodes));
        QCOMPARE(int(firstRound.size()), std::min(tasks, nodes));
    }
}

void TestTaskPlacer::weightThreeGetsThreeTimesAsMany()
{
    // Three nodes: weights 3, 1, 1 with tiny tie-breaking offsets; 500 equal tasks.
    TaskPlacer placer(5);
    const Candidates candidates{{2, 0.0, 3.0}, {3, 0.01, 1.0}, {4, 0.02, 1.0}};
    const auto counts = countByRank(placer.place(candidates, std::vector<double>(500, 1.0)));
    QCOMPARE(counts.at(2), 300);
    QCOMPARE(counts.at(3), 100);
    QCOMPARE(counts.at(4), 100);
}

void TestTaskPlacer::sameSeedSameTies()
{
    TaskPlacer a(42);
    TaskPlacer b(42);
    const std::vector<double> costs(40, 1.0);
    const auto first = a.place(equalNodes(6), costs);
    QCOMPARE(b.place(equalNodes(6), costs), first);
    // The generator moves on: the next batch is again identical for both.
    QCOMPARE(a.place(equalNodes(6), costs), b.place(equalNodes(6), costs));
}

void TestTaskPlacer::differentSeedsBreakTiesDifferently()
{
    const std::vector<double> costs(40, 1.0);
    std::set<std::vector<int>> distinct;
    std::set<int> firstPicks;
    for (std::uint64_t seed = 1; seed <= 32; ++seed) {
        TaskPlacer placer(seed);
        const auto placement = placer.place(equalNodes(4), costs);
        distinct.insert(placement);
        firstPicks.insert(placement.front());
    }
    QVERIFY2(distinct.size() > 16, qPrintable(QString::number(distinct.size())));
    // Every tied node gets to be first for some seed: no node is favoured by its position.
    QCOMPARE(firstPicks, (std::set<int>{2, 3, 4, 5}));
}

void TestTaskPlacer::tiesAreFair()
{
    // One task at a time onto four idle nodes: each tied node is equally likely.
    TaskPlacer placer(7);
    std::map<int, int> counts;
    const int trials = 4000;
    for (int i = 0; i < trials; ++i)
        ++counts[placer.place(equalNodes(4), {1.0}).front()];
    QCOMPARE(int(counts.size()), 4);
    for (const auto &[rank, count] : counts) {
        // Binomial(4000, 1/4): mean 1000, sd ~27; 150 is more than 5 sd.
        QVERIFY2(count > 850 && count < 1150,
                 qPrintable(QStringLiteral("rank %1 picked %2 times").arg(rank).arg(count)));
    }
}

void TestTaskPlacer::nearTiesAreNotTies()
{
    // A load lower by far more than the tie tolerance always wins, whatever the seed.
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        TaskPlacer placer(seed);
        const auto placement = placer.place({{2, 1e-9, 1.0}, {3, 0.0, 1.0}, {4, 1e-9, 1.0}}, {1.0});
        QCOMPARE(placement, std::vector<int>{3});
    }
}

void TestTaskPlacer::emptyInput()
{
    TaskPlacer placer;
    QVERIFY(placer.place({}, {1.0, 2.0, 3.0}).empty());
    QVERIFY(placer.place({}, {}).empty());
    QVERIFY(placer.place(equalNodes(3), {}).empty());
}

QTEST_GUILESS_MAIN(TestTaskPlacer)
#include "tst_taskplacer.moc"
