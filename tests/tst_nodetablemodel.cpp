// NodeTableModel: rows follow the snapshot's node set (inserted and removed, kept in rank
// order), updates signal only changed rows, cells read through the console formatter, raw
// sort values, CPU/memory thresholds, state colours readable on light and dark palettes, and
// stale data greyed out. Every test runs the model under QAbstractItemModelTester.
#include "models/nodetablemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <cmath>
#include <memory>
#include <set>

using namespace starling::cluster;
using starling::ui::NodeTableModel;

namespace {

constexpr double MiB = 1024.0 * 1024;

NodeView node(int rank)
{
    NodeView n;
    n.rank = rank;
    n.role = roleForRank(rank);
    n.name = rank == 0   ? QStringLiteral("master")
             : rank == 1 ? QStringLiteral("monitor")
                         : QStringLiteral("slave-%1").arg(rank);
    n.host = QStringLiteral("node-a");
    if (n.role == NodeRole::Slave) {
        n.heartbeatAgeMs = 310;
        n.stats.sequence = 7;
        n.stats.processCpu = 0.2;
        n.stats.processRssBytes = 40 * 1024 * 1024;
        n.loadRank = rank - 2;
    }
    return n;
}

ClusterSnapshot snapshot(std::initializer_list<int> ranks)
{
    ClusterSnapshot s;
    for (const int rank : ranks)
        s.nodes.push_back(node(rank));
    return s;
}

QStringList names(const QAbstractItemModel &model)
{
    QStringList list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row, NodeTableModel::Name).data().toString();
    return list;
}

// WCAG relative luminance and contrast ratio.
double luminance(const QColor &c)
{
    const auto channel = [](double v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor over(const QColor &tint, const QColor &base)
{
    const double a = tint.alphaF();
    return QColor::fromRgbF(float(tint.redF() * a + base.redF() * (1 - a)),
                            float(tint.greenF() * a + base.greenF() * (1 - a)),
                            float(tint.blueF() * a + base.blueF() * (1 - a)));
}

} // namespace

class TestAdminStateTableModel final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<NodeTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QVariant cell(int rank, int column, int role = Qt::DisplayRole) const
    {
        return m_model->index(m_model->rowOfRank(rank), column).data(role);
    }

private slots:
    void init()
    {
        m_model = std::make_unique<NodeTableModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    // A host link of its own shows its rates; a shared one (one machine, loopback) would show
    // every node's traffic on every row, so the process's own rates show instead.
    void ratesFollowTheLink()
    {
        ClusterSnapshot first = snapshot({0, 1, 2, 3});
        for (NodeView &n : first.nodes) {
            n.stats.sampledAtMs = 10000;
            n.stats.txBytesTotal = 1000000;
            n.stats.rxBytesTotal = 2000000;
            n.stats.txBytesPerS = 50 * MiB; // the interface's, the same for everyone
            n.stats.rxBytesPerS = 60 * MiB;
            n.stats.linkShared = n.rank != 3;
            n.stats.linkInterface = n.rank == 3 ? QStringLiteral("stl-h3") : QStringLiteral("lo");
        }
        m_model->setSnapshot(first);
        ClusterSnapshot second = first;
        for (NodeView &n : second.nodes) {
            n.stats.sampledAtMs = 12000; // 2 s later
            n.stats.txBytesTotal += qint64(n.rank) * 2 * 1000000;
            n.stats.rxBytesTotal += 4000000;
        }
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->setSnapshot(second);
        QVERIFY(changed.count() > 0);
        // slave-2 shares lo: 4 MB sent in 2 s by itself.
        QCOMPARE(cell(2, NodeTableModel::Tx, NodeTableModel::SortRole).toDouble(), 2e6);
        QCOMPARE(cell(2, NodeTableModel::Rx, NodeTableModel::SortRole).toDouble(), 2e6);
        QVERIFY(cell(2, NodeTableModel::Tx, Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("shared")));
        // slave-3 has a link of its own: the interface's rates.
        QCOMPARE(cell(3, NodeTableModel::Tx, NodeTableModel::SortRole).toDouble(), 50 * MiB);
        QVERIFY(cell(3, NodeTableModel::Tx, Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("stl-h3")));
        // A restarted process (counters back to small numbers) is a new baseline, not negative.
        ClusterSnapshot third = second;
        third.nodes[2].stats.sampledAtMs = 13000;
        third.nodes[2].stats.txBytesTotal = 10;
        m_model->setSnapshot(third);
        QCOMPARE(cell(2, NodeTableModel::Tx, NodeTableModel::SortRole).toDouble(), 0.0);
    }

    void rowsFollowTheNodeSet()
    {
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        m_model->setSnapshot(snapshot({0, 1, 2, 3, 4}));
        QCOMPARE(m_model->rowCount(), 5);
        QCOMPARE(inserted.count(), 5);
        QCOMPARE(names(*m_model), (QStringList{QStringLiteral("master"), QStringLiteral("monitor"),
                                               QStringLiteral("slave-2"), QStringLiteral("slave-3"),
                                               QStringLiteral("slave-4")}));

        // slave-3 and slave-4 leave, slave-6 and slave-5 arrive (out of order on the wire).
        inserted.clear();
        m_model->setSnapshot(snapshot({0, 1, 2, 6, 5}));
        QCOMPARE(removed.count(), 1); // one contiguous run
        QCOMPARE(removed.at(0).at(1).toInt(), 3);
        QCOMPARE(removed.at(0).at(2).toInt(), 4);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(0).at(1).toInt(), 3); // slave-5 first: rank order
        QCOMPARE(inserted.at(1).at(1).toInt(), 4);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(names(*m_model), (QStringList{QStringLiteral("master"), QStringLiteral("monitor"),
                                               QStringLiteral("slave-2"), QStringLiteral("slave-5"),
                                               QStringLiteral("slave-6")}));

        // The rank <-> row helpers follow.
        QCOMPARE(m_model->rowOfRank(5), 3);
        QCOMPARE(m_model->rowOfRank(3), -1);
        QCOMPARE(m_model->rankAt(4), 6);
        QCOMPARE(m_model->rankAt(5), -1);
        QCOMPARE(m_model->rankAt(-1), -1);
        QCOMPARE(m_model->nameAt(2), QStringLiteral("slave-2"));
        QCOMPARE(m_model->nameAt(9), QString());
        QVERIFY(m_model->nodeAt(9) == nullptr);
        QCOMPARE(m_model->nodeAt(3)->name, QStringLiteral("slave-5"));

        // Removals that are not contiguous, and a cluster that goes away entirely.
        removed.clear();
        m_model->setSnapshot(snapshot({0, 2, 6}));
        QCOMPARE(removed.count(), 2);
        QCOMPARE(names(*m_model), (QStringList{QStringLiteral("master"), QStringLiteral("slave-2"),
                                               QStringLiteral("slave-6")}));
        m_model->setSnapshot(ClusterSnapshot{});
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(m_model->rowOfRank(0), -1);
    }

    void duplicateRanksKeepTheFirst()
    {
        ClusterSnapshot s = snapshot({0, 1, 2});
        NodeView twin = node(2);
        twin.name = QStringLiteral("impostor");
        s.nodes.push_back(twin);
        m_model->setSnapshot(s);
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->nameAt(2), QStringLiteral("slave-2"));
    }

    void onlyChangedRowsSignal()
    {
        ClusterSnapshot s = snapshot({0, 1, 2, 3, 4, 5});
        m_model->setSnapshot(s);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

        m_model->setSnapshot(s);
        QCOMPARE(changed.count(), 0); // nothing new, nothing repainted

        s.nodes[4].stats.processCpu = 0.9; // slave-4
        m_model->setSnapshot(s);
        QCOMPARE(changed.count(), 1);
        const QModelIndex from = changed.at(0).at(0).value<QModelIndex>();
        const QModelIndex to = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(from.row(), m_model->rowOfRank(4));
        QCOMPARE(to.row(), m_model->rowOfRank(4));
        QCOMPARE(from.column(), 0);
        QCOMPARE(to.column(), NodeTableModel::ColumnCount - 1);
        QCOMPARE(cell(4, NodeTableModel::Cpu).toString(), QStringLiteral("90%"));

        // Two rows of six: two signals.
        changed.clear();
        s.nodes[2].weight = 2;
        s.nodes[5].state = NodeState::Drained;
        m_model->setSnapshot(s);
        QCOMPARE(changed.count(), 2);
        std::set<int> rows;
        for (const QList<QVariant> &args : changed)
            rows.insert(args.at(0).value<QModelIndex>().row());
        QCOMPARE(rows, (std::set<int>{m_model->rowOfRank(2), m_model->rowOfRank(5)}));

        // Most rows (every heartbeat age moved): one signal for the whole table.
        changed.clear();
        for (NodeView &n : s.nodes)
            n.heartbeatAgeMs += 250;
        m_model->setSnapshot(s);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), m_model->index(0, 0));
        QCOMPARE(changed.at(0).at(1).value<QModelIndex>(),
                 m_model->index(5, NodeTableModel::ColumnCount - 1));
    }

    // The PROTOCOL.md example node, through fromJson, reads as the console shows it.
    void cellsReadThroughTheFormatter_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("text");
        QTest::newRow("name") << int(NodeTableModel::Name) << QStringLiteral("slave-2");
        QTest::newRow("role") << int(NodeTableModel::Role) << QStringLiteral("slave");
        QTest::newRow("state with ETA")
            << int(NodeTableModel::State) << QStringLiteral("DRAINING ~3 s");
        QTest::newRow("weight") << int(NodeTableModel::Weight) << QStringLiteral("1.5");
        QTest::newRow("load") << int(NodeTableModel::Load) << QStringLiteral("0.42");
        QTest::newRow("not ranked") << int(NodeTableModel::LoadRank) << QStringLiteral("-");
        QTest::newRow("process CPU") << int(NodeTableModel::Cpu) << QStringLiteral("61%");
        QTest::newRow("RSS") << int(NodeTableModel::Memory) << QStringLiteral("50 MiB");
        QTest::newRow("tx") << int(NodeTableModel::Tx) << QStringLiteral("12 MiB/s");
        QTest::newRow("rx") << int(NodeTableModel::Rx) << QStringLiteral("176 KiB/s");
        QTest::newRow("connections") << int(NodeTableModel::Connections) << QStringLiteral("3");
        QTest::newRow("queue") << int(NodeTableModel::Queue) << QStringLiteral("0");
        QTest::newRow("in flight") << int(NodeTableModel::InFlight) << QStringLiteral("2");
        QTest::newRow("T_i") << int(NodeTableModel::UnitCompute) << QStringLiteral("0.85 s");
        QTest::newRow("B_i") << int(NodeTableModel::Bandwidth) << QStringLiteral("11 MiB/s");
        QTest::newRow("heartbeat") << int(NodeTableModel::HeartbeatAge) << QStringLiteral("0.3 s");
    }
    void cellsReadThroughTheFormatter()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        const QByteArray json =
            "{'seq':812,'time_ms':1718000000123,'nodes':["
            "{'rank':0,'name':'master','role':'master','state':'ACTIVE','heartbeat_age_ms':-1},"
            "{'rank':2,'name':'slave-2','role':'slave','host':'node-b','state':'DRAINING',"
            "'weight':1.5,'epoch':4,'load':0.42,'load_rank':-1,'heartbeat_age_ms':310,"
            "'assigned':2,'drain_eta_s':3.4,'state_reason':'disk swap','state_by':'alice-cli',"
            "'state_since_ms':1717999990000,'stats':{'seq':977,'node_cpu':0.37,"
            "'process_cpu':0.61,'node_mem_used_bytes':3221225472,"
            "'node_mem_total_bytes':8589934592,'process_rss_bytes':52428800,"
            "'tx_bytes_per_s':12500000,'rx_bytes_per_s':180000,'connections':3,'queue':0,"
            "'in_flight':2,'unit_compute_s':0.85,'bandwidth_MBps':11.9}}]}";
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json).replace('\'', '"'));
        QVERIFY(doc.isObject());
        m_model->setSnapshot(ClusterSnapshot::fromJson(doc.object()));
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(cell(2, column).toString(), text);
        // The master sends no heartbeats: its measurements are "-", not zeros.
        if (column >= NodeTableModel::Weight)
            QCOMPARE(cell(0, column).toString(), QStringLiteral("-"));
    }

    void customRoles()
    {
        ClusterSnapshot s = snapshot({0, 1, 3});
        s.nodes[2].state = NodeState::Suspect;
        m_model->setSnapshot(s);
        const QModelIndex i = m_model->index(2, NodeTableModel::Weight);
        QCOMPARE(i.data(NodeTableModel::RankRole).toInt(), 3);
        QCOMPARE(i.data(NodeTableModel::NameRole).toString(), QStringLiteral("slave-3"));
        QCOMPARE(i.data(NodeTableModel::StateRole).toInt(), int(NodeState::Suspect));
        QCOMPARE(i.data(NodeTableModel::SortRole).toDouble(), 1.0);
    }

    // Sorting on raw values: displayed text would put "10 MiB" before "900 KiB".
    void sortsOnRawValues()
    {
        ClusterSnapshot s = snapshot({0, 1, 2, 3, 4, 10, 9});
        s.nodes[2].stats.processRssBytes = 900 * 1024;
        s.nodes[3].stats.processRssBytes = 10 * 1024 * 1024;
        s.nodes[4].stats.processRssBytes = std::int64_t(2) * 1024 * 1024 * 1024;
        s.nodes[5].stats.processRssBytes = 5 * 1024 * 1024;
        s.nodes[6].stats.processRssBytes = 300;
        m_model->setSnapshot(s);
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(m_model.get());
        proxy.setSortRole(NodeTableModel::SortRole);

        proxy.sort(NodeTableModel::Memory, Qt::DescendingOrder);
        QCOMPARE(names(proxy).mid(0, 5),
                 (QStringList{QStringLiteral("slave-4"), QStringLiteral("slave-3"),
                              QStringLiteral("slave-10"), QStringLiteral("slave-2"),
                              QStringLiteral("slave-9")}));

        // Names sort by rank: slave-10 after slave-9.
        proxy.sort(NodeTableModel::Name, Qt::AscendingOrder);
        QCOMPARE(names(proxy).mid(5),
                 (QStringList{QStringLiteral("slave-9"), QStringLiteral("slave-10")}));

        // The proxy follows updates: slave-2 becomes the heaviest.
        proxy.sort(NodeTableModel::Memory, Qt::DescendingOrder);
        s.nodes[2].stats.processRssBytes = std::int64_t(3) * 1024 * 1024 * 1024;
        m_model->setSnapshot(s);
        QCOMPARE(names(proxy).first(), QStringLiteral("slave-2"));
    }

    void thresholdsColourCpuAndMemory_data()
    {
        QTest::addColumn<double>("cpu");
        QTest::addColumn<double>("rssMiB");
        QTest::addColumn<int>("cpuLevel"); // 0 none, 1 warn, 2 critical
        QTest::addColumn<int>("memLevel");
        QTest::newRow("quiet") << 0.5 << 100.0 << 0 << 0;
        QTest::newRow("cpu at warn") << 0.75 << 100.0 << 1 << 0;
        QTest::newRow("cpu critical") << 0.97 << 100.0 << 2 << 0;
        QTest::newRow("memory warn") << 0.1 << 1500.0 << 0 << 1;
        QTest::newRow("memory critical") << 0.1 << 4096.0 << 0 << 2;
        QTest::newRow("both critical") << 1.2 << 2048.0 << 2 << 2;
    }
    void thresholdsColourCpuAndMemory()
    {
        QFETCH(double, cpu);
        QFETCH(double, rssMiB);
        QFETCH(int, cpuLevel);
        QFETCH(int, memLevel);
        ClusterSnapshot s = snapshot({0, 2});
        s.nodes[1].stats.processCpu = cpu;
        s.nodes[1].stats.processRssBytes = std::int64_t(rssMiB * MiB);
        m_model->setSnapshot(s);
        const auto expected = [](int level) {
            return level == 0   ? QVariant()
                   : level == 1 ? QVariant(NodeTableModel::warnColour())
                                : QVariant(NodeTableModel::criticalColour());
        };
        QCOMPARE(cell(2, NodeTableModel::Cpu, Qt::BackgroundRole), expected(cpuLevel));
        QCOMPARE(cell(2, NodeTableModel::Memory, Qt::BackgroundRole), expected(memLevel));
        // The master has no measurements, so never a warning.
        QVERIFY(!cell(0, NodeTableModel::Cpu, Qt::BackgroundRole).isValid());
        QVERIFY(!cell(2, NodeTableModel::Load, Qt::BackgroundRole).isValid());
    }

    void newThresholdsRepaint()
    {
        ClusterSnapshot s = snapshot({2});
        s.nodes[0].stats.processCpu = 0.5;
        s.nodes[0].stats.processRssBytes = 600 * 1024 * 1024;
        m_model->setSnapshot(s);
        QVERIFY(!cell(2, NodeTableModel::Cpu, Qt::BackgroundRole).isValid());
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        NodeTableModel::Thresholds t;
        t.cpuWarn = 0.4;
        t.cpuCritical = 0.6;
        t.memWarnBytes = 100 * MiB;
        t.memCriticalBytes = 500 * MiB;
        m_model->setThresholds(t);
        QCOMPARE(changed.count(), 1);
        QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(Qt::BackgroundRole));
        QCOMPARE(m_model->thresholds().cpuWarn, 0.4);
        QCOMPARE(cell(2, NodeTableModel::Cpu, Qt::BackgroundRole),
                 QVariant(NodeTableModel::warnColour()));
        QCOMPARE(cell(2, NodeTableModel::Memory, Qt::BackgroundRole),
                 QVariant(NodeTableModel::criticalColour()));
    }

    void stateColoursDifferAndStayReadable()
    {
        const std::vector<NodeState> states{NodeState::Active, NodeState::Draining,
                                            NodeState::Drained, NodeState::Suspect,
                                            NodeState::Down};
        ClusterSnapshot s;
        for (size_t i = 0; i < states.size(); ++i) {
            s.nodes.push_back(node(int(i) + 2));
            s.nodes.back().state = states[i];
        }
        m_model->setSnapshot(s);
        std::set<QRgb> seen;
        const QColor lightBase(255, 255, 255), darkBase(32, 32, 32);
        for (size_t i = 0; i < states.size(); ++i) {
            const QColor colour = NodeTableModel::stateColour(states[i]);
            QVERIFY(colour.isValid());
            QCOMPARE(cell(int(i) + 2, NodeTableModel::State, Qt::BackgroundRole), QVariant(colour));
            seen.insert(colour.rgba());
            // The palette's own text colour (black on light, white on dark) stays readable.
            QVERIFY2(contrast(over(colour, lightBase), Qt::black) >= 4.5,
                     qPrintable(toString(states[i])));
            QVERIFY2(contrast(over(colour, darkBase), Qt::white) >= 4.5,
                     qPrintable(toString(states[i])));
            // The colour changes nothing about the text: the palette decides it.
            QVERIFY(!cell(int(i) + 2, NodeTableModel::State, Qt::ForegroundRole).isValid());
        }
        QCOMPARE(seen.size(), states.size());
        // Master and monitor have no operator state to colour.
        m_model->setSnapshot(snapshot({0, 1}));
        QVERIFY(!cell(0, NodeTableModel::State, Qt::BackgroundRole).isValid());
        QCOMPARE(cell(0, NodeTableModel::State).toString(), QStringLiteral("-"));
    }

    void stateToolTipSaysWhoWhyAndSince()
    {
        ClusterSnapshot s = snapshot({2});
        NodeView &n = s.nodes[0];
        n.state = NodeState::Draining;
        n.stateBy = QStringLiteral("alice");
        n.stateReason = QStringLiteral("disk swap");
        n.stateSinceMs = QDateTime(QDate(2026, 3, 4), QTime(12, 30, 5)).toMSecsSinceEpoch();
        n.assigned = 3;
        n.drainEtaS = 75;
        m_model->setSnapshot(s);
        QCOMPARE(cell(2, NodeTableModel::State).toString(), QStringLiteral("DRAINING ~1 m 15 s"));
        const QString tip = cell(2, NodeTableModel::State, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("since 2026-03-04 12:30:05")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("by alice")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("why: disk swap")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("3 task(s)")), qPrintable(tip));
    }

    void staleDataIsGreyed()
    {
        ClusterSnapshot s = snapshot({0, 2, 3});
        s.nodes[1].stats.processCpu = 0.99;
        m_model->setSnapshot(s);
        QVERIFY(!m_model->isStale());
        QVERIFY(cell(2, NodeTableModel::Cpu, Qt::BackgroundRole).isValid());
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

        m_model->setStale(true);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), m_model->index(0, 0));
        QCOMPARE(changed.at(0).at(1).value<QModelIndex>(),
                 m_model->index(2, NodeTableModel::ColumnCount - 1));
        for (int row = 0; row < m_model->rowCount(); ++row) {
            for (int column = 0; column < NodeTableModel::ColumnCount; ++column) {
                const QModelIndex i = m_model->index(row, column);
                QCOMPARE(i.data(Qt::ForegroundRole), QVariant(NodeTableModel::staleTextColour()));
                QVERIFY(i.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Stale")));
                QVERIFY(!i.data(Qt::BackgroundRole).isValid());
            }
        }
        m_model->setStale(true);
        QCOMPARE(changed.count(), 1); // no change, no signal

        m_model->setStale(false);
        QCOMPARE(changed.count(), 2);
        QVERIFY(!cell(2, NodeTableModel::Cpu, Qt::ForegroundRole).isValid());
        QVERIFY(!cell(2, NodeTableModel::Cpu, Qt::ToolTipRole)
                     .toString()
                     .startsWith(QStringLiteral("Stale")));
        QCOMPARE(cell(2, NodeTableModel::Cpu, Qt::BackgroundRole),
                 QVariant(NodeTableModel::criticalColour()));
    }

    // Issue 16: the master's estimate for the op measured last, with confidence and age against
    // the snapshot's time; dimmed when the confidence is low or the sample old; the tooltip
    // names every op class and the link; "-" and no colour before any estimate.
    void estimateShowsConfidenceAndAge()
    {
        using starling::sched::EstimateSource;
        ClusterSnapshot s = snapshot({0, 2, 3, 4});
        s.timeMs = 1'700'000'100'000;
        starling::sched::SlaveCostEstimate e;
        e.ops.push_back({QStringLiteral("grey"),
                         1,
                         {0, 0.0125, 2, 0.25, s.timeMs - 50'000, EstimateSource::OtherOp}});
        e.ops.push_back({QStringLiteral("median"),
                         3,
                         {0.004, 0.041, 20, 0.92, s.timeMs - 3'000, EstimateSource::Measured}});
        e.link = {0.0005, 0.08, 30, 0.8, s.timeMs - 1'000, EstimateSource::Measured};
        s.nodes[1].estimates = e;
        e.ops.pop_back(); // only the low-confidence grey one
        s.nodes[2].estimates = e;
        e.ops = {{QStringLiteral("blur"),
                  1,
                  {0, 0.02, 40, 0.95, s.timeMs - 3'600'000, EstimateSource::Measured}}};
        s.nodes[3].estimates = e; // confident, but an hour old
        m_model->setSnapshot(s);

        QCOMPARE(cell(2, NodeTableModel::Estimate).toString(),
                 QStringLiteral("41 ms/MB · 92% · 3.0 s"));
        QVERIFY(!cell(2, NodeTableModel::Estimate, Qt::ForegroundRole).isValid());
        QCOMPARE(cell(3, NodeTableModel::Estimate).toString(),
                 QStringLiteral("13 ms/MB · 25% · 50 s"));
        QCOMPARE(cell(3, NodeTableModel::Estimate, Qt::ForegroundRole),
                 QVariant(NodeTableModel::doubtfulTextColour()));
        QCOMPARE(cell(4, NodeTableModel::Estimate, Qt::ForegroundRole),
                 QVariant(NodeTableModel::doubtfulTextColour()));
        QVERIFY(cell(4, NodeTableModel::Estimate, Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("Old")));
        QCOMPARE(cell(0, NodeTableModel::Estimate).toString(), QStringLiteral("-"));
        QVERIFY(!cell(0, NodeTableModel::Estimate, Qt::ForegroundRole).isValid());

        const QString tip = cell(2, NodeTableModel::Estimate, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("median (3 ch): 4.0 ms + 41 ms/MB, 92% confident, "
                                             "20 samples, 3.0 s old, measured")),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("grey (grey): ")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("link: 0.5 ms + ")) &&
                     tip.contains(QStringLiteral("80% confident")),
                 qPrintable(tip));
        QVERIFY(cell(3, NodeTableModel::Estimate, Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("Low confidence")));
        QCOMPARE(cell(2, NodeTableModel::Estimate, NodeTableModel::SortRole).toDouble(), 0.041);
        QCOMPARE(cell(0, NodeTableModel::Estimate, NodeTableModel::SortRole).toDouble(), -1.0);

        // The same estimates 10 s later: only the ages change, and the view hears of it.
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        s.timeMs += 10'000;
        m_model->setSnapshot(s);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().column(), int(NodeTableModel::Estimate));
        QCOMPARE(cell(2, NodeTableModel::Estimate).toString(),
                 QStringLiteral("41 ms/MB · 92% · 13 s"));

        // The thresholds are the operator's: a lower bar takes the grey estimate as it is.
        NodeTableModel::Thresholds t = m_model->thresholds();
        t.estimate.lowConfidence = 0.2;
        m_model->setThresholds(t);
        QVERIFY(!cell(3, NodeTableModel::Estimate, Qt::ForegroundRole).isValid());
    }

    void headersExplainEachColumn()
    {
        std::set<QString> titles;
        for (int column = 0; column < NodeTableModel::ColumnCount; ++column) {
            const QString title = m_model->headerData(column, Qt::Horizontal).toString();
            QVERIFY(!title.isEmpty());
            QVERIFY(title.size() <= 10);
            titles.insert(title);
            QVERIFY(m_model->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().size() >
                    title.size());
        }
        QCOMPARE(titles.size(), size_t(NodeTableModel::ColumnCount));
        QVERIFY(m_model->headerData(NodeTableModel::UnitCompute, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("seconds per unit task")));
        QCOMPARE(m_model->headerData(NodeTableModel::Cpu, Qt::Horizontal).toString(),
                 QStringLiteral("CPU"));
    }
};

QTEST_MAIN(TestAdminStateTableModel)
#include "tst_nodetablemodel.moc"
