// LoadRankBoard (offscreen): rows follow the monitor's load rank with unranked (not ACTIVE)
// slaves at the bottom, configured weight shares of ACTIVE slaves and achieved shares of work
// each sum to 1, garbage from the wire is survived, and the board renders readable pixels on a
// light and a dark palette.
#include "charts/loadrankboard.h"
#include "charts/pngexport.h"
#include "charts/seriespalette.h"
#include "consolemodel/nodehistory.h"
#include "renderchecks.h"

#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using starling::cluster::ClusterSnapshot;
using starling::cluster::NodeRole;
using starling::cluster::NodeState;
using starling::cluster::NodeView;
using starling::consolemodel::NodeHistory;
using starling::ui::LoadRankBoard;

using starling::testing::darkPalette;
using starling::testing::differing;

namespace {

constexpr qint64 kStart = 1'700'000'000'000;

struct Slave
{
    int rank;
    NodeState state;
    double weight;
    int loadRank;
    double load;
    int tasksPerStep; // tasks finished every snapshot
};

NodeView node(const Slave &s, int step)
{
    NodeView n;
    n.rank = s.rank;
    n.name = QStringLiteral("slave-%1").arg(s.rank);
    n.role = NodeRole::Slave;
    n.state = s.state;
    n.weight = s.weight;
    n.loadRank = s.loadRank;
    n.load = s.load;
    n.stats.sequence = step + 1;
    n.stats.pid = 10 + s.rank;
    n.stats.sampledAtMs = kStart + step * 250;
    n.stats.tasksDone = qint64(step) * s.tasksPerStep;
    return n;
}

// `steps` snapshots of the slaves into `history`; returns the last one.
ClusterSnapshot run(NodeHistory &history, const std::vector<Slave> &slaves, int steps)
{
    ClusterSnapshot s;
    for (int i = 0; i < steps; ++i) {
        s = ClusterSnapshot{};
        s.timeMs = kStart + i * 250;
        NodeView master;
        master.rank = 0;
        master.role = NodeRole::Master;
        master.name = QStringLiteral("master");
        s.nodes.push_back(master);
        for (const Slave &slave : slaves)
            s.nodes.push_back(node(slave, i));
        history.append(s);
    }
    return s;
}

const std::vector<Slave> kCluster = {
    {2, NodeState::Active, 1.0, 2, 0.9, 1}, {3, NodeState::Draining, 1.0, -1, 0.2, 1},
    {4, NodeState::Active, 2.0, 0, 0.1, 2}, {5, NodeState::Down, 1.0, -1, 0.0, 0},
    {6, NodeState::Active, 1.0, 1, 0.4, 0}, {7, NodeState::Drained, 3.0, 4, 0.0, 0},
    {8, NodeState::Suspect, 1.0, -1, 0, 0},
};

} // namespace

class TestLoadRankBoard final : public QObject
{
    Q_OBJECT

private slots:
    void orderByRank();
    void sharesSumToOne();
    void sharesFollowTheWindow();
    void garbageAndEmpty();
    void rendersToPng();
    void layoutPlacesColumnsAndScales();
    void minimumHeightHoldsEveryRow_data();
    void minimumHeightHoldsEveryRow();
};

void TestLoadRankBoard::orderByRank()
{
    NodeHistory history;
    const ClusterSnapshot s = run(history, kCluster, 20);
    LoadRankBoard board;
    board.update(s, history, 60'000);
    const std::vector<LoadRankBoard::Row> &rows = board.rows();
    QCOMPARE(int(rows.size()), 7); // the master is no row
    std::vector<int> order;
    for (const LoadRankBoard::Row &r : rows)
        order.push_back(r.rank);
    // Ranked 0, 1, 2; then the not-ACTIVE ones by MPI rank (slave-7's stale rank ignored).
    QCOMPARE(order, (std::vector<int>{4, 6, 2, 3, 5, 7, 8}));
    QCOMPARE(rows[0].loadRank, 0);
    QCOMPARE(rows[0].name, QStringLiteral("slave-4"));
    QCOMPARE(rows[2].load, 0.9);
    for (size_t i = 3; i < rows.size(); ++i)
        QCOMPARE(rows[i].loadRank, -1);
    QVERIFY(rows[3].state == NodeState::Draining);
    QVERIFY(rows[6].state == NodeState::Suspect);
    QCOMPARE(board.loadScale(), 1.0); // the heaviest, 0.9, on a round scale
}

void TestLoadRankBoard::sharesSumToOne()
{
    NodeHistory history;
    const ClusterSnapshot s = run(history, kCluster, 41);
    LoadRankBoard board;
    board.update(s, history, 3'600'000);
    double weights = 0;
    double achieved = 0;
    for (const LoadRankBoard::Row &r : board.rows()) {
        weights += r.weightShare;
        achieved += r.achievedShare;
        if (r.state != NodeState::Active)
            QCOMPARE(r.weightShare, 0.0);
    }
    QCOMPARE(weights, 1.0);
    QCOMPARE(achieved, 1.0);
    // Weights 1, 2, 1 of the ACTIVE slaves; tasks 1, 1, 2 per step from slave-2, -3, -4.
    const auto row = [&](int rank) {
        for (const LoadRankBoard::Row &r : board.rows()) {
            if (r.rank == rank)
                return r;
        }
        return LoadRankBoard::Row{};
    };
    QCOMPARE(row(4).weightShare, 0.5);
    QCOMPARE(row(2).weightShare, 0.25);
    QCOMPARE(row(6).weightShare, 0.25);
    QCOMPARE(row(4).achievedShare, 0.5);
    QCOMPARE(row(3).achievedShare, 0.25); // draining, still finishing its tasks
    QCOMPARE(row(6).achievedShare, 0.0);
    QCOMPARE(board.shareScale(), 0.5);
}

void TestLoadRankBoard::sharesFollowTheWindow()
{
    NodeHistory history;
    // For 20 s slave-2 does all the work, then for 10 s slave-3 does.
    std::vector<Slave> slaves = {{2, NodeState::Active, 1, 0, 0.1, 1},
                                 {3, NodeState::Active, 1, 1, 0.2, 0}};
    run(history, slaves, 80);
    ClusterSnapshot s;
    for (int i = 80; i < 120; ++i) {
        s = ClusterSnapshot{};
        s.timeMs = kStart + i * 250;
        NodeView a = node(slaves[0], i);
        a.stats.tasksDone = 79;
        NodeView b = node(slaves[1], i);
        b.stats.tasksDone = i - 79;
        s.nodes = {a, b};
        history.append(s);
    }
    LoadRankBoard board;
    board.update(s, history, 10'000);
    QCOMPARE(board.rows()[0].achievedShare, 0.0);
    QCOMPARE(board.rows()[1].achievedShare, 1.0);
    board.update(s, history, 3'600'000);
    QCOMPARE(board.rows()[0].achievedShare, 79.0 / (79.0 + 40.0));
    QCOMPARE(board.windowMs(), 3'600'000);
}

void TestLoadRankBoard::garbageAndEmpty()
{
    NodeHistory history;
    LoadRankBoard board;
    board.update(ClusterSnapshot{}, history, 60'000);
    QVERIFY(board.rows().empty());
    QVERIFY(!board.grab().toImage().isNull());

    ClusterSnapshot s;
    s.timeMs = kStart;
    NodeView bad;
    bad.rank = 2; // no name, no stats
    bad.weight = std::numeric_limits<double>::quiet_NaN();
    bad.load = -4;
    bad.loadRank = 0;
    NodeView good =
        node({3, NodeState::Active, 2.0, 1, std::numeric_limits<double>::infinity(), 0}, 0);
    s.nodes = {bad, good};
    history.append(s);
    board.update(s, history, -5);
    QCOMPARE(int(board.rows().size()), 2);
    QCOMPARE(board.rows()[0].name, QStringLiteral("slave-2"));
    QCOMPARE(board.rows()[0].weight, 0.0);
    QCOMPARE(board.rows()[0].load, 0.0);
    QCOMPARE(board.rows()[1].load, 0.0);
    QCOMPARE(board.rows()[1].weightShare, 1.0);
    QCOMPARE(board.rows()[0].achievedShare, 0.0);
    QCOMPARE(board.loadScale(), 1.0);
    board.resize(700, 200);
    QVERIFY(!board.grab().toImage().isNull());
}

void TestLoadRankBoard::rendersToPng()
{
    NodeHistory history;
    std::vector<Slave> slaves = kCluster;
    for (int r = 9; r < 18; ++r)
        slaves.push_back({r, NodeState::Active, 1.0 + r % 3, r - 6, 0.05 * r, r % 4});
    const ClusterSnapshot s = run(history, slaves, 60);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const bool dark : {false, true}) {
        LoadRankBoard board;
        if (dark) {
            QPalette p = board.palette();
            p.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
            p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
            board.setPalette(p);
        }
        board.update(s, history, 300'000);
        const QString path = dir.filePath(dark ? QStringLiteral("board-dark.png")
                                               : QStringLiteral("board-light.png"));
        QCOMPARE(starling::ui::saveWidgetPng(&board, board.sizeHint(), path), QString());
        const QImage image(path);
        QCOMPARE(image.size(), board.sizeHint());
        QCOMPARE(QColor(image.pixel(0, 0)), board.palette().color(QPalette::Window));
        QVERIFY2(differing(image) > 3000, qPrintable(QString::number(differing(image))));
        // Text in the palette's text colour is there to be read.
        int text = 0;
        const QColor want = board.palette().color(QPalette::WindowText);
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < 130; ++x)
                text += QColor(image.pixel(x, y)) == want ? 1 : 0;
        }
        QVERIFY2(text > 100, qPrintable(QString::number(text)));
        if (qEnvironmentVariableIsSet("STARLING_KEEP_PNG"))
            QFile::copy(path, qEnvironmentVariable("STARLING_KEEP_PNG") + QLatin1Char('/') +
                                  QFileInfo(path).fileName());
    }
}

void TestLoadRankBoard::layoutPlacesColumnsAndScales()
{
    const LoadRankBoard::Layout l = LoadRankBoard::layoutFor(900, 7, 1.0, 0.5);
    QCOMPARE(l.rankX, 98);
    QCOMPARE(l.loadX, 194);
    QCOMPARE(l.shareX, 700);    // the share columns keep their width at the right
    QCOMPARE(l.loadWidth, 430); // the load bars take what is left
    QCOMPARE(l.gridBottom, 62 + 7 * 24);
    QCOMPARE(l.loadStep, 0.25);
    QCOMPARE(l.rowTop(2), 110);
    QCOMPARE(l.loadLength(0.5), 215);
    QCOMPARE(l.loadLength(2.0), 430); // past the scale: clipped
    QCOMPARE(l.shareLength(0.25), 48);
    QCOMPARE(l.shareLength(0.9), 96);
    QCOMPARE(l.shareLength(-1), 0);

    // Narrow and empty: the load bars keep a minimum, one label, the lines one row down.
    const LoadRankBoard::Layout narrow = LoadRankBoard::layoutFor(520, 0, 1.0, 1.0);
    QCOMPARE(narrow.loadWidth, 50);
    QCOMPARE(narrow.loadStep, 1.0);
    QCOMPARE(narrow.gridBottom, 62 + 24);
    QCOMPARE(LoadRankBoard::layoutFor(300, 3, 1.0, 1.0).loadWidth, 40);
}

// The board reports the height of all its rows, so the scroll area around it in the console
// scrolls to the last one instead of cutting it off (16 slaves at 1600x1000 lost their last).
void TestLoadRankBoard::minimumHeightHoldsEveryRow_data()
{
    QTest::addColumn<int>("slaves");
    QTest::newRow("none") << 0;
    QTest::newRow("one") << 1;
    QTest::newRow("sixteen") << 16;
    QTest::newRow("sixty-four") << 64;
}

void TestLoadRankBoard::minimumHeightHoldsEveryRow()
{
    QFETCH(int, slaves);
    std::vector<Slave> cluster;
    for (int i = 0; i < slaves; ++i)
        cluster.push_back({2 + i, NodeState::Active, 1.0, i, 0.1 * i, 1});
    NodeHistory history;
    const ClusterSnapshot s = run(history, cluster, 3);
    LoadRankBoard board;
    board.update(s, history, 60'000);
    QCOMPARE(int(board.rows().size()), slaves);
    const LoadRankBoard::Layout l = LoadRankBoard::layoutFor(520, slaves, 1.0, 1.0);
    const int lastRowBottom = l.rowTop(std::max(slaves, 2)); // "no slaves yet" takes two
    QVERIFY2(l.height > lastRowBottom, qPrintable(QString::number(l.height)));
    QCOMPARE(board.minimumSizeHint().height(), l.height);
    QCOMPARE(board.sizeHint().height(), l.height);
    QCOMPARE(board.minimumSizeHint().width(), 520);
}

QTEST_MAIN(TestLoadRankBoard)
#include "tst_loadrankboard.moc"
