// BlockMapWidget (offscreen): a transfer's blocks take the colour of the slave that served
// them (the same colour as that slave everywhere else) or a light tint of the planned owner
// while not served; the legend's served and planned counts; no transfer; indices that do not
// fit; a 300k-block transfer aggregated into fewer cells than kMaxCells, coloured by whole
// cells; and the map renders readably on a light and a dark palette.
#include "charts/blockmapwidget.h"
#include "charts/pngexport.h"
#include "charts/seriespalette.h"
#include "consolemodel/taskactivity.h"
#include "renderchecks.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using starling::consolemodel::LiveTransfer;
using starling::consolemodel::TaskActivity;
using starling::ui::BlockMapWidget;
using starling::ui::SeriesPalette;

using starling::testing::darkPalette;
using starling::testing::differing;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

// The transfer as the bridge tells it: 10 blocks planned 6 to slave-2 and 4 to slave-3;
// blocks 0 and 1 served by slave-2, block 7 by slave-5 (moved after slave-3 was lost).
TaskActivity smallTransfer()
{
    TaskActivity a;
    const auto ev = [](const char *kind, QJsonObject fields, qint64 at) {
        fields.insert(QStringLiteral("kind"), QLatin1String(kind));
        fields.insert(QStringLiteral("transfer_id"), QStringLiteral("t-1"));
        fields.insert(QStringLiteral("time_ms"), double(at));
        return fields;
    };
    a.apply(ev("transfer_planned",
               {{QStringLiteral("path"), QStringLiteral("data/big.bin")},
                {QStringLiteral("size"), 10 * 1048576},
                {QStringLiteral("piece_size"), 1048576},
                {QStringLiteral("blocks"), 10},
                {QStringLiteral("strategy"), QStringLiteral("bw")},
                {QStringLiteral("runs"), QJsonArray{QJsonArray{QStringLiteral("slave-2"), 0, 6},
                                                    QJsonArray{QStringLiteral("slave-3"), 6, 4}}}},
               kT0));
    for (const auto &[block, node] : {std::pair{0, "slave-2"}, {1, "slave-2"}, {7, "slave-5"}})
        a.apply(ev("transfer_block",
                   {{QStringLiteral("block"), block},
                    {QStringLiteral("complete"), true},
                    {QStringLiteral("node"), QLatin1String(node)}},
                   kT0 + 10 + block));
    return a;
}

// A big transfer: `blocks` blocks in two runs (slave-2 then slave-4), the first `served`
// served by their planned owner.
LiveTransfer bigTransfer(int blocks, int served)
{
    LiveTransfer t;
    t.id = QStringLiteral("t-big");
    t.path = QStringLiteral("huge.img");
    t.size = qint64(blocks) * 65536;
    t.pieceSize = 65536;
    t.strategy = QStringLiteral("equal");
    t.slaves = {QStringLiteral("slave-2"), QStringLiteral("slave-4")};
    t.plannedOwner.resize(size_t(blocks));
    t.servedBy.assign(size_t(blocks), -1);
    for (int b = 0; b < blocks; ++b) {
        t.plannedOwner[size_t(b)] = b < blocks / 2 ? 0 : 1;
        if (b < served)
            t.servedBy[size_t(b)] = t.plannedOwner[size_t(b)];
    }
    t.served = served;
    return t;
}

int count(const QImage &image, const QRect &rect, const QColor &colour)
{
    int n = 0;
    const QRect r = rect.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y) {
        for (int x = r.left(); x <= r.right(); ++x)
            n += image.pixel(x, y) == colour.rgb() ? 1 : 0;
    }
    return n;
}

} // namespace

class TestBlockMapWidget final : public QObject
{
    Q_OBJECT

private slots:
    void servedAndPlannedColours_data();
    void servedAndPlannedColours();
    void counts();
    void noTransfer();
    void indicesThatDoNotFit();
    void bigTransferAggregates();
    void rendersOnLightAndDark();
    void fitCells_data();
    void fitCells();
};

void TestBlockMapWidget::servedAndPlannedColours_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

void TestBlockMapWidget::servedAndPlannedColours()
{
    QFETCH(bool, dark);
    const TaskActivity activity = smallTransfer();
    BlockMapWidget map;
    if (dark)
        map.setPalette(darkPalette(map.palette()));
    map.resize(600, 300);
    map.setTransfer(activity.currentTransfer());
    QCOMPARE(map.blocksPerCell(), 1);
    QCOMPARE(map.cellCount(), 10);
    // Served: the serving slave's own colour, the one it has in every view (rank - 2).
    QCOMPARE(map.blockColour(0), SeriesPalette::colour(0));
    QCOMPARE(map.blockColour(1), SeriesPalette::colour(0));
    QCOMPARE(map.blockColour(7), SeriesPalette::colour(3)); // slave-5, not the planned slave-3
    // Not served: a tint of the planned owner, between its colour and the background.
    const QColor background = SeriesPalette::chartBackground(map.palette());
    for (const auto &[block, owner] : {std::pair{2, 0}, {5, 0}, {6, 1}, {9, 1}}) {
        const QColor tint = map.blockColour(block);
        const QColor full = SeriesPalette::colour(owner);
        QVERIFY(tint != full);
        const auto distance = [](const QColor &a, const QColor &b) {
            return qAbs(a.red() - b.red()) + qAbs(a.green() - b.green()) +
                   qAbs(a.blue() - b.blue());
        };
        QVERIFY(distance(tint, background) < distance(full, background));
        QVERIFY(tint != background);
        QCOMPARE(tint, map.blockColour(owner == 0 ? 3 : 8)); // one tint per owner
    }
    QVERIFY(map.blockColour(2) != map.blockColour(6));
    QVERIFY(!map.blockColour(10).isValid());
    QVERIFY(!map.blockColour(-1).isValid());

    // The cells show those colours where the grid puts them, in file order.
    const QImage image = map.grab().toImage();
    const QRect grid = map.gridArea();
    const int side = map.cellSide();
    QVERIFY(side >= 5);
    const auto cell = [&](int c) {
        return QPoint(grid.left() + c * side + side / 2, grid.top() + side / 2);
    };
    for (int c : {0, 2, 7, 9}) {
        QCOMPARE(image.pixel(cell(c)), map.blockColour(c).rgb());
        QCOMPARE(map.cellAt(cell(c)), c);
    }
    QCOMPARE(map.cellAt(QPoint(grid.left() + 10 * side + 2, grid.top() + 2)), -1);
    QCOMPARE(map.cellAt(QPoint(0, 0)), -1);
    // The tooltip says who served a block and whom the plan gave it to.
    QCOMPARE(map.cellText(7), QStringLiteral("block 7\nplanned for slave-3\nserved by slave-5"));
    QCOMPARE(map.cellText(3), QStringLiteral("block 3\nplanned for slave-2\nnot served yet"));
    QVERIFY(map.cellText(10).isEmpty());
}

void TestBlockMapWidget::counts()
{
    const TaskActivity activity = smallTransfer();
    BlockMapWidget map;
    map.setTransfer(activity.currentTransfer());
    QVERIFY(map.hasTransfer());
    QCOMPARE(map.blockCount(), 10);
    QCOMPARE(map.servedCount(), 3);
    const auto &slaves = map.slaves();
    QCOMPARE(int(slaves.size()), 3);
    QCOMPARE(slaves[0].name, QStringLiteral("slave-2"));
    QCOMPARE(slaves[0].served, 2);
    QCOMPARE(slaves[0].planned, 6);
    QCOMPARE(slaves[1].name, QStringLiteral("slave-3"));
    QCOMPARE(slaves[1].served, 0);
    QCOMPARE(slaves[1].planned, 4);
    QCOMPARE(slaves[2].name, QStringLiteral("slave-5"));
    QCOMPARE(slaves[2].served, 1);
    QCOMPARE(slaves[2].planned, 0);
    QCOMPARE(slaves[2].colour, SeriesPalette::colour(3));
}

void TestBlockMapWidget::noTransfer()
{
    BlockMapWidget map;
    map.resize(500, 200);
    map.setTransfer(nullptr);
    QVERIFY(!map.hasTransfer());
    QCOMPARE(map.cellCount(), 0);
    QVERIFY(map.slaves().empty());
    QVERIFY(!map.blockColour(0).isValid());
    const QImage empty = map.grab().toImage();
    QVERIFY(differing(empty) > 50); // the "no transfer yet" text

    // A transfer, then none again: nothing of it is left.
    const TaskActivity activity = smallTransfer();
    map.setTransfer(activity.currentTransfer());
    QCOMPARE(map.cellCount(), 10);
    map.setTransfer(nullptr);
    QCOMPARE(map.cellCount(), 0);
    QCOMPARE(map.servedCount(), 0);
    QCOMPARE(map.grab().toImage(), empty);
}

void TestBlockMapWidget::indicesThatDoNotFit()
{
    LiveTransfer t = bigTransfer(8, 0);
    t.plannedOwner[0] = 7;  // no such slave
    t.servedBy[1] = 9;      // no such slave
    t.plannedOwner[2] = -5; // nobody
    BlockMapWidget map;
    map.resize(400, 200);
    map.setTransfer(&t);
    QCOMPARE(map.servedCount(), 0);
    QCOMPARE(map.slaves()[0].planned, 2); // blocks 1 and 3; 0 and 2 are nobody's
    const QColor nobody = map.blockColour(0);
    QCOMPARE(map.blockColour(2), nobody);
    QVERIFY(map.blockColour(3) != nobody);

    LiveTransfer mismatched = bigTransfer(8, 0);
    mismatched.servedBy.resize(3);
    map.setTransfer(&mismatched);
    QVERIFY(!map.hasTransfer());
    QVERIFY(!map.grab().toImage().isNull());
}

void TestBlockMapWidget::bigTransferAggregates()
{
    constexpr int kBlocks = 300'000;
    // All of slave-2's half served but the last 1000 blocks; none of slave-4's.
    const LiveTransfer t = bigTransfer(kBlocks, kBlocks / 2 - 1000);
    BlockMapWidget map;
    map.resize(900, 420);
    map.setTransfer(&t);
    QVERIFY(map.blocksPerCell() > 1);
    QVERIFY(map.cellCount() <= BlockMapWidget::kMaxCells);
    QCOMPARE(map.cellCount(), (kBlocks + map.blocksPerCell() - 1) / map.blocksPerCell());
    const QRect grid = map.gridArea();
    QVERIFY(map.cellSide() >= 2);
    QVERIFY(map.cellCount() <= (grid.width() / map.cellSide()) * (grid.height() / map.cellSide()));
    QCOMPARE(map.servedCount(), kBlocks / 2 - 1000);
    QCOMPARE(map.slaves()[0].served, kBlocks / 2 - 1000);
    QCOMPARE(map.slaves()[1].planned, kBlocks / 2);

    // A cell counts as served once all its blocks are.
    QCOMPARE(map.blockColour(0), SeriesPalette::colour(0));
    const QColor slave2Tint = map.blockColour(kBlocks / 2 - 1);
    QVERIFY(slave2Tint != SeriesPalette::colour(0));
    QVERIFY(map.blockColour(kBlocks - 1) != SeriesPalette::colour(2));
    QVERIFY(map.blockColour(kBlocks - 1) != slave2Tint);

    // Painted as one image: the served colour fills about the served part of the grid.
    QElapsedTimer timer;
    timer.start();
    const QImage image = map.grab().toImage();
    qInfo("painted %d cells of %d blocks in %lld ms", map.cellCount(), map.blocksPerCell(),
          timer.elapsed());
    const int servedPixels = count(image, grid, SeriesPalette::colour(0));
    const int side = map.cellSide();
    const int expected = (kBlocks / 2 - 1000) / map.blocksPerCell() * side * side;
    QVERIFY2(qAbs(servedPixels - expected) < expected / 50,
             qPrintable(QStringLiteral("%1 vs %2").arg(servedPixels).arg(expected)));

    const int boundary = (kBlocks / 2 - 1000) / map.blocksPerCell();
    QVERIFY2(map.cellText(boundary).contains(QStringLiteral("0 of")) ||
                 map.cellText(boundary).contains(QStringLiteral("not served")),
             qPrintable(map.cellText(boundary)));
    QVERIFY(
        map.cellText(0).startsWith(QStringLiteral("blocks 0 to %1").arg(map.blocksPerCell() - 1)));
    QVERIFY(map.cellText(0).endsWith(
        QStringLiteral("%1 of %1 served, by slave-2").arg(map.blocksPerCell())));

    // A narrower map packs more blocks into each cell.
    const int before = map.blocksPerCell();
    map.resize(450, 300);
    map.grab(); // a hidden widget gets its resize event when it is drawn
    QVERIFY(map.blocksPerCell() > before);
}

void TestBlockMapWidget::rendersOnLightAndDark()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString keep = qEnvironmentVariable("STARLING_KEEP_PNG");
    const TaskActivity activity = smallTransfer();
    LiveTransfer medium = bigTransfer(2000, 1400);
    // slave-4's blocks 1200..1399 were served by slave-6 instead.
    medium.slaves << QStringLiteral("slave-6");
    for (int b = 1200; b < 1400; ++b)
        medium.servedBy[size_t(b)] = 2;
    const LiveTransfer big = bigTransfer(300'000, 120'000);
    const std::vector<std::pair<QString, const LiveTransfer *>> cases = {
        {QStringLiteral("small"), activity.currentTransfer()},
        {QStringLiteral("medium"), &medium},
        {QStringLiteral("big"), &big},
        {QStringLiteral("none"), nullptr}};
    for (const bool dark : {false, true}) {
        for (const auto &[label, transfer] : cases) {
            BlockMapWidget map;
            if (dark)
                map.setPalette(darkPalette(map.palette()));
            map.setTransfer(transfer);
            const QString name =
                QStringLiteral("blockmap-%1-%2.png")
                    .arg(label, dark ? QStringLiteral("dark") : QStringLiteral("light"));
            const QString path = dir.filePath(name);
            QCOMPARE(starling::ui::saveWidgetPng(&map, map.sizeHint(), path), QString());
            const QImage image(path);
            QCOMPARE(image.size(), map.sizeHint());
            const QColor background = SeriesPalette::chartBackground(map.palette());
            const QColor text = SeriesPalette::chartText(map.palette());
            QCOMPARE(image.pixelColor(0, 0), background);
            QVERIFY(dark == (background.lightness() < 128));
            QVERIFY(qAbs(text.lightness() - background.lightness()) > 150);
            QVERIFY2(differing(image) > (transfer ? 5000 : 50), qPrintable(name));
            if (transfer)
                QVERIFY2(count(image, QRect(0, 0, image.width(), 80), text) > 100,
                         qPrintable(name));
            if (!keep.isEmpty())
                QFile::copy(path, keep + QLatin1Char('/') + name);
        }
    }
}

void TestBlockMapWidget::fitCells_data()
{
    QTest::addColumn<QSize>("area");
    QTest::addColumn<int>("blocks");
    QTest::addColumn<int>("perCell");
    QTest::addColumn<int>("cells");
    QTest::addColumn<int>("side");
    QTest::addColumn<int>("columns");
    QTest::newRow("no blocks") << QSize(884, 300) << 0 << 1 << 0 << 1 << 1;
    QTest::newRow("few: biggest cells") << QSize(884, 300) << 10 << 1 << 10 << 40 << 22;
    QTest::newRow("just fit at 3 px") << QSize(10, 10) << 5 << 1 << 5 << 3 << 3;
    QTest::newRow("one pixel") << QSize(1, 1) << 1 << 1 << 1 << 1 << 1;
    // More than fit at 2 px: 5 blocks a cell (300k over 442 x 150 cells), drawn at 2 px.
    QTest::newRow("past 2 px") << QSize(884, 300) << 300'000 << 5 << 60'000 << 2 << 442;
    // Room for all, but never more than kMaxCells cells.
    QTest::newRow("past kMaxCells") << QSize(2000, 2000) << 250'000 << 3 << 83'334 << 6 << 333;
}

void TestBlockMapWidget::fitCells()
{
    QFETCH(QSize, area);
    QFETCH(int, blocks);
    QFETCH(int, perCell);
    QFETCH(int, cells);
    QFETCH(int, side);
    QFETCH(int, columns);
    const BlockMapWidget::CellGrid grid = BlockMapWidget::fitCells(area, blocks);
    QCOMPARE(grid.perCell, perCell);
    QCOMPARE(grid.cells, cells);
    QCOMPARE(grid.side, side);
    QCOMPARE(grid.columns, columns);
    QVERIFY(grid.cells <= BlockMapWidget::kMaxCells);

    // The widget lays its cells out by the same rule.
    if (blocks == 0 || blocks > 100'000)
        return;
    const LiveTransfer t = bigTransfer(blocks, blocks / 2);
    BlockMapWidget map;
    map.resize(area + QSize(16, 200));
    map.setTransfer(&t);
    const BlockMapWidget::CellGrid shown = BlockMapWidget::fitCells(map.gridArea().size(), blocks);
    QCOMPARE(map.cellCount(), shown.cells);
    QCOMPARE(map.cellSide(), shown.side);
    QCOMPARE(map.blocksPerCell(), shown.perCell);
}

QTEST_MAIN(TestBlockMapWidget)
#include "tst_blockmapwidget.moc"
