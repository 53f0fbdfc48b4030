// `starling status`: one line per node, numbers through console's formatter, operator records
// under the table. Built from a ClusterSnapshot, no cluster needed.
#include "cluster/statustable.h"

#include <QTest>

using namespace starling::cluster;

namespace {

ClusterSnapshot twoSlaves()
{
    ClusterSnapshot s;
    s.sequence = 42;
    NodeView master;
    master.rank = 0;
    master.name = QStringLiteral("master");
    master.role = NodeRole::Master;
    NodeView a;
    a.rank = 2;
    a.name = QStringLiteral("slave-2");
    a.heartbeatAgeMs = 310;
    a.loadRank = 0;
    a.stats.processCpu = 0.61;
    a.stats.nodeCpu = 0.37;
    a.stats.processRssBytes = 50 * 1024 * 1024;
    a.stats.txBytesPerS = 1.5 * 1024 * 1024;
    NodeView b = a;
    b.rank = 3;
    b.name = QStringLiteral("slave-3");
    b.state = NodeState::Draining;
    b.drainEtaS = 3.4;
    b.stateBy = QStringLiteral("alice");
    b.stateReason = QStringLiteral("disk swap");
    b.heartbeatAgeMs = 65000;
    s.nodes = {master, a, b};
    return s;
}

QString lineOf(const QString &table, const QString &name)
{
    for (const QString &line : table.split(QLatin1Char('\n'))) {
        if (line.startsWith(name + QLatin1Char(' ')))
            return line;
    }
    return {};
}

} // namespace

class TestStatusTable : public QObject
{
    Q_OBJECT

private slots:
    void rowsUseTheConsoleFormatter()
    {
        const QString table = formatStatusTable(twoSlaves());
        QVERIFY(table.startsWith(QStringLiteral("strategy pdds")));
        QVERIFY(table.contains(QStringLiteral("2 slaves: 1 ACTIVE, 1 DRAINING")));
        const QString a = lineOf(table, QStringLiteral("slave-2"));
        QVERIFY2(a.contains(QStringLiteral(" 37% ")) && a.contains(QStringLiteral(" 61% ")),
                 qPrintable(a));
        QVERIFY2(a.contains(QStringLiteral("50 MiB")) && a.contains(QStringLiteral("1.5 MiB")),
                 qPrintable(a));
        QVERIFY2(a.endsWith(QStringLiteral("0.3 s")), qPrintable(a));
        const QString b = lineOf(table, QStringLiteral("slave-3"));
        QVERIFY2(b.contains(QStringLiteral("DRAINING ~3s")), qPrintable(b));
        QVERIFY2(b.endsWith(QStringLiteral("1 m 05 s")), qPrintable(b));
        QVERIFY(table.contains(QStringLiteral("slave-3: DRAINING by alice (disk swap)")));
    }

    // T_i: the op measured last, per MB with its confidence; `?` when doubtful (few samples or
    // an old one), `-` before the master has estimated the slave.
    void estimatesShowCostAndConfidence()
    {
        ClusterSnapshot s = twoSlaves();
        s.timeMs = 1'700'000'060'000;
        starling::sched::SlaveCostEstimate e;
        e.rank = 2;
        e.ops.push_back(
            {QStringLiteral("grey"), 3, {0.002, 0.0123, 4, 0.2, s.timeMs - 50'000, {}}});
        e.ops.push_back(
            {QStringLiteral("blur"), 3, {0.004, 0.041, 20, 0.92, s.timeMs - 3'000, {}}});
        s.nodes[1].estimates = e;
        e.ops.pop_back();
        s.nodes[2].estimates = e;
        const QString table = formatStatusTable(s);
        QVERIFY2(table.contains(QStringLiteral("T_i")), qPrintable(table));
        const QString a = lineOf(table, QStringLiteral("slave-2"));
        QVERIFY2(a.contains(QStringLiteral(" 41ms/MB 92% ")), qPrintable(a));
        const QString b = lineOf(table, QStringLiteral("slave-3"));
        QVERIFY2(b.contains(QStringLiteral(" 12ms/MB 20%? ")), qPrintable(b));
        const QString m = lineOf(table, QStringLiteral("master"));
        QVERIFY2(!m.contains(QStringLiteral("ms/MB")), qPrintable(m));
    }

    void masterHasNoMeasurements()
    {
        const QString m = lineOf(formatStatusTable(twoSlaves()), QStringLiteral("master"));
        QVERIFY2(m.contains(QStringLiteral("(master)")), qPrintable(m));
        QVERIFY2(m.endsWith(QStringLiteral("never")), qPrintable(m));
        QVERIFY2(!m.contains(QLatin1Char('%')), qPrintable(m));
    }
};

QTEST_GUILESS_MAIN(TestStatusTable)
#include "tst_statustable.moc"
