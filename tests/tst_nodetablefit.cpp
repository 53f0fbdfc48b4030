// The console's layout at the sizes operators use (offscreen, a 16-slave feed with estimates,
// a draining and a suspect slave): at 1600x1000 the node table shows every column without a
// horizontal scroll bar and every row without a vertical one, and does not leave half its
// height empty; at 1024x700 it stays usable: the load-rank board folds away so every column
// fits, every header readable and the node names whole, only the widest cells elided (with their
// text in the tooltip), and the charts keep most of the height. The first-start layout (empty
// settings) at 1024x700, 1400x900 and 1600x1000 with 4, 16 and 64 slaves, with and without an
// alert banner, and a replay with its bar: the table's columns whole beside the board (no
// horizontal scroll bar), the board whole and scrolling only when its rows do not fit, the table
// half the height when it needs it. STARLING_SCREENSHOT_DIR=dir saves the windows as PNGs, light
// and dark, to look at.
#include "charts/loadrankboard.h"
#include "consolemodel/replayclustersource.h"
#include "fakeclustersource.h"
#include "models/nodetablemodel.h"
#include "renderchecks.h"
#include "windows/consolesettings.h"
#include "windows/mainwindow.h"
#include "windows/nodetablefit.h"
#include "windows/replaybar.h"

#include <QHeaderView>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using starling::testing::FakeClusterSource;
using starling::ui::NodeTableModel;

namespace {

constexpr int kSlaves = 16;
constexpr qint64 kT0 = 1700000000000;

// fakeSnapshot with what a live cluster shows too: every slave's estimate, one draining (with
// its ETA) and one suspect.
cluster::ClusterSnapshot liveSnapshot(qint64 seq, int slaves = kSlaves)
{
    const qint64 now = kT0 + 500 * seq;
    cluster::ClusterSnapshot s = starling::testing::fakeSnapshot(slaves, seq, now);
    for (cluster::NodeView &n : s.nodes) {
        if (n.role != cluster::NodeRole::Slave)
            continue;
        sched::SlaveCostEstimate estimate;
        estimate.rank = n.rank;
        estimate.name = n.name;
        sched::OpCostEstimate op;
        op.op = QStringLiteral("gaussian_blur");
        op.compute.perMBS = 0.041 * n.rank;
        op.compute.samples = 12;
        op.compute.confidence = 0.92;
        op.compute.lastSampleMs = now - 3000;
        op.compute.source = sched::EstimateSource::Measured;
        estimate.ops.push_back(op);
        n.estimates = estimate;
    }
    s.nodes[4].state = cluster::NodeState::Draining;
    s.nodes[4].drainEtaS = 75;
    s.nodes[7].state = cluster::NodeState::Suspect;
    return s;
}

void saveShot(ui::MainWindow &window, const QString &name)
{
    const QString dir = qEnvironmentVariable("STARLING_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    window.refreshNow();
    // Only for the picture: a refit follows the layout, give it the chance to land.
    [[maybe_unused]] const bool fitted = QTest::qWaitFor(
        [&] { return !window.nodeView()->horizontalScrollBar()->isVisible(); }, 2000);
    const QPixmap shot = window.grab();
    shot.save(dir + QLatin1Char('/') + name);
    // And on a dark desktop's palette, as dark-<name>.
    const QPalette light = window.palette();
    window.setPalette(starling::testing::darkPalette(light));
    window.refreshNow();
    window.grab().save(dir + QStringLiteral("/dark-") + name);
    window.setPalette(light);
}

int rowsHeight(const QTableView *table)
{
    return table->model()->rowCount() * table->verticalHeader()->defaultSectionSize();
}

} // namespace

class TestNodeTableFit final : public QObject
{
    Q_OBJECT

private:
    void showFed(ui::MainWindow &window, FakeClusterSource &source, QSize size)
    {
        window.resize(size);
        window.setSource(&source);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        for (int seq = 1; seq <= 8; ++seq)
            source.push(liveSnapshot(seq));
        QTRY_COMPARE(window.nodeView()->model()->rowCount(), kSlaves + 2);
    }

    // Every title whole: as wide as the style needs for it, and for the sort arrow on the
    // sorted column.
    static bool headersReadable(const QTableView *table)
    {
        const auto *fit = table->findChild<ui::NodeTableFit *>();
        const QHeaderView *header = table->horizontalHeader();
        for (int c = 0; c < header->count(); ++c) {
            if (!fit || header->sectionSize(c) < fit->headerWidth(c))
                return false;
        }
        return true;
    }

    // Empty when every column has its full width, else what is short. Where the board beside
    // leaves too little, a drain's ETA and the estimate are elided (their text in the tooltip),
    // never below their title.
    static QString columnsShort(const QTableView *table)
    {
        const auto *fit = table->findChild<ui::NodeTableFit *>();
        const QAbstractItemView *view = table;
        QString why;
        for (int c = 0; c < NodeTableModel::ColumnCount; ++c) {
            const bool elidable = c == NodeTableModel::State || c == NodeTableModel::Estimate;
            const int need = elidable ? fit->headerWidth(c)
                                      : std::max(view->sizeHintForColumn(c), fit->headerWidth(c));
            if (table->columnWidth(c) < need)
                why += QStringLiteral(" column %1: %2 < %3;")
                           .arg(c)
                           .arg(table->columnWidth(c))
                           .arg(need);
        }
        if (table->horizontalHeader()->length() > table->viewport()->width())
            why += QStringLiteral(" header %1 > viewport %2")
                       .arg(table->horizontalHeader()->length())
                       .arg(table->viewport()->width());
        return why;
    }

    // The board beside the table, as wide as its layout needs and none of it under its scroll
    // bar, which shows only when its rows do not fit; rows that fit in half the views' height
    // are not scrolled (`rowsHaveTheirHeight`: no banner took that height since).
    static void verifyBoardWhole(ui::MainWindow &window, int slaves, bool rowsHaveTheirHeight)
    {
        const auto *beside = qobject_cast<const QSplitter *>(window.nodeView()->parentWidget());
        QVERIFY2(beside->sizes().value(1) > 0, "the board folded away");
        const auto *scroller = window.findChild<QScrollArea *>(QStringLiteral("loadRankScroller"));
        ui::LoadRankBoard *board = window.loadRankBoard();
        QTRY_COMPARE(int(board->rows().size()), slaves);
        QTRY_VERIFY(board->height() >= board->minimumSizeHint().height());
        QVERIFY2(board->width() >= board->minimumSizeHint().width(),
                 qPrintable(QString::number(board->width())));
        QVERIFY2(
            board->width() <= scroller->viewport()->width(),
            qPrintable(
                QStringLiteral("%1 > %2").arg(board->width()).arg(scroller->viewport()->width())));
        const bool rowsFit = board->minimumSizeHint().height() <= scroller->height();
        QCOMPARE(scroller->verticalScrollBar()->isVisible(), !rowsFit);
        const auto *main = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
        if (rowsHaveTheirHeight && board->minimumSizeHint().height() <= main->height() / 2)
            QVERIFY2(rowsFit, qPrintable(QString::number(scroller->height())));
    }

private slots:
    void wideWindowShowsEveryColumnAndRow()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        showFed(window, source, QSize(1600, 1000));
        QTableView *table = window.nodeView();
        // No horizontal scroll bar once the table is laid out; every number whole: only the
        // estimate and a state with its ETA may be elided (their text is in the tooltip).
        QTRY_VERIFY(table->horizontalHeader()->length() <= table->viewport()->width());
        QTRY_VERIFY(!table->horizontalScrollBar()->isVisible());
        const QAbstractItemView *view = table;
        for (int c = 0; c < NodeTableModel::ColumnCount - 1; ++c) {
            if (c == NodeTableModel::State || c == NodeTableModel::Estimate)
                continue;
            QVERIFY2(table->columnWidth(c) >= view->sizeHintForColumn(c),
                     qPrintable(QStringLiteral("column %1: %2 < %3")
                                    .arg(c)
                                    .arg(table->columnWidth(c))
                                    .arg(view->sizeHintForColumn(c))));
        }
        QVERIFY(headersReadable(table));
        saveShot(window, QStringLiteral("console-1600x1000.png"));
        // Every row shown, and not in a table twice their height: at most 3 rows' height empty,
        // or as tall as the board beside needs for its (taller) rows.
        QVERIFY(!table->verticalScrollBar()->isVisible());
        const int empty = table->viewport()->height() - rowsHeight(table);
        const int boardNeeds = ui::LoadRankBoard::layoutFor(0, kSlaves, 1, 1).height;
        QVERIFY2(empty >= 0 && (empty < 3 * table->verticalHeader()->defaultSectionSize() ||
                                table->height() <= boardNeeds),
                 qPrintable(QStringLiteral("%1 px empty under the rows, table %2, board %3")
                                .arg(empty)
                                .arg(table->height())
                                .arg(boardNeeds)));
    }

    void narrowWindowStaysUsable()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        showFed(window, source, QSize(1024, 700));
        QTableView *table = window.nodeView();
        QTRY_VERIFY(headersReadable(table));
        saveShot(window, QStringLiteral("console-1024x700.png"));
        const QAbstractItemView *view = table;
        QVERIFY(table->columnWidth(NodeTableModel::Name) >=
                view->sizeHintForColumn(NodeTableModel::Name));
        // Too narrow for the board beside the table: the board folds away and the columns fit.
        QTRY_VERIFY(!table->horizontalScrollBar()->isVisible());
        const auto *beside = qobject_cast<const QSplitter *>(table->parentWidget());
        QVERIFY(beside);
        QCOMPARE(beside->sizes().value(1), 0);
        // The table takes at most half the height; the charts the rest.
        const int tableHeight = table->height();
        QVERIFY2(tableHeight <= window.centralWidget()->height() / 2 + 10,
                 qPrintable(QString::number(tableHeight)));
        QVERIFY(table->viewport()->height() >= 6 * table->verticalHeader()->defaultSectionSize());
    }

    void defaultLayoutShowsTableAndBoardWhole_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<int>("slaves");
        QTest::addColumn<bool>("alert");
        for (const QSize size : {QSize(1024, 700), QSize(1400, 900), QSize(1600, 1000)}) {
            for (const int slaves : {4, 16, 64}) {
                for (const bool alert : {false, true}) {
                    QTest::addRow("%dx%d, %d slaves%s", size.width(), size.height(), slaves,
                                  alert ? ", a DOWN alert" : "")
                        << size << slaves << alert;
                }
            }
        }
    }

    // The window as a first start opens it (settings read from an empty file), with the board
    // beside the table (folded away at 1024x700): every column at its full width, so no horizontal
    // scroll bar; the board at least as wide as its layout needs, none of it under its scroll bar,
    // which shows only when its rows do not fit; an alert banner above takes height from the charts
    // only.
    void defaultLayoutShowsTableAndBoardWhole()
    {
        QFETCH(QSize, size);
        QFETCH(int, slaves);
        QFETCH(bool, alert);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QSettings store(dir.filePath(QStringLiteral("console.conf")), QSettings::IniFormat);
        ui::ConsoleSettings settings(store);
        FakeClusterSource source;
        ui::MainWindow window;
        QCOMPARE(settings.restore(window), QStringList());
        window.resize(size);
        window.setSource(&source);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        for (int seq = 1; seq <= 8; ++seq) {
            cluster::ClusterSnapshot s = liveSnapshot(seq, slaves);
            if (alert && seq >= 6)
                s.nodes[3].state = cluster::NodeState::Down;
            source.push(s);
        }
        QTableView *table = window.nodeView();
        QTRY_COMPARE(table->model()->rowCount(), slaves + 2);
        window.refreshNow();
        if (alert)
            QTRY_VERIFY(window.findChild<QWidget *>(QStringLiteral("alertBanner"))->isVisible());
        const auto *fit = table->findChild<ui::NodeTableFit *>();
        QVERIFY(fit && !fit->isOperatorSized());
        QTRY_VERIFY2(columnsShort(table).isEmpty(), qPrintable(columnsShort(table)));
        QVERIFY(!table->horizontalScrollBar()->isVisible());
        // The top row as tall as the table's rows need, up to half the views' height: an alert
        // banner above takes its height from the charts, not from the table.
        const auto *main = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
        QTRY_VERIFY2(table->height() >= std::min(fit->heightForRows(), main->height() / 2) - 2,
                     qPrintable(QStringLiteral("table %1 of %2, its rows %3")
                                    .arg(table->height())
                                    .arg(main->height())
                                    .arg(fit->heightForRows())));
        // The charts below keep at least half the window's central height.
        QVERIFY(table->height() <= window.centralWidget()->height() / 2 + 10);
        const auto *beside = qobject_cast<const QSplitter *>(table->parentWidget());
        QVERIFY(beside);
        // In 1024 px the board would leave the table too little: it folds away.
        if (size.width() < 1200)
            QCOMPARE(beside->sizes().value(1), 0);
        else
            verifyBoardWhole(window, slaves, !alert);
        if (QTest::currentTestFailed())
            return;
        saveShot(window, QStringLiteral("default-%1x%2-%3%4.png")
                             .arg(size.width())
                             .arg(size.height())
                             .arg(slaves)
                             .arg(alert ? QStringLiteral("-alert") : QString()));
    }

    void replayWithItsBarSqueezesNothing_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addRow("1024x700") << QSize(1024, 700);
        QTest::addRow("1400x900") << QSize(1400, 900);
    }

    // A replay (the bar at the bottom) of 64 slaves, one of them going DOWN (the banner on top):
    // the columns whole where the board is beside, no horizontal scroll bar, the table half the
    // views' height; the link item says it is a replay, not where it was recorded.
    void replayWithItsBarSqueezesNothing()
    {
        QFETCH(QSize, size);
        const int slaves = 64;
        consolemodel::Recording recording;
        recording.path = QStringLiteral("/elsewhere/run.strec");
        recording.header.startMs = kT0;
        recording.records.push_back(consolemodel::Record::make(
            0, consolemodel::RecordKind::Link,
            consolemodel::RecordedLink{consolemodel::LinkState::Connected,
                                       QStringLiteral("connected to the cluster in /tmp/x")}
                .toJson()));
        for (int seq = 1; seq <= 8; ++seq) {
            cluster::ClusterSnapshot s = liveSnapshot(seq, slaves);
            if (seq >= 6)
                s.nodes[3].state = cluster::NodeState::Down;
            recording.records.push_back(consolemodel::Record::make(
                seq * 500LL, consolemodel::RecordKind::Snapshot, s.toJson()));
        }
        consolemodel::ReplayClusterSource replay(std::move(recording));
        replay.setPaused(true);
        replay.seek(replay.durationMs());
        ui::MainWindow window;
        window.resize(size);
        window.addToolBar(Qt::BottomToolBarArea, new ui::ReplayBar(&replay, &window));
        window.setSource(&replay);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTableView *table = window.nodeView();
        QTRY_COMPARE(table->model()->rowCount(), slaves + 2);
        window.refreshNow();
        QTRY_VERIFY(window.findChild<QWidget *>(QStringLiteral("alertBanner"))->isVisible());
        QVERIFY(!window.statusText().contains(QStringLiteral("/tmp/x")));
        QVERIFY2(window.statusText().contains(QStringLiteral("replay of run.strec: connected")),
                 qPrintable(window.statusText()));
        const auto *fit = table->findChild<ui::NodeTableFit *>();
        QTRY_VERIFY(!table->horizontalScrollBar()->isVisible() &&
                    table->horizontalHeader()->length() <= table->viewport()->width());
        QVERIFY(headersReadable(table));
        const auto *main = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
        QTRY_VERIFY2(
            table->height() >= std::min(fit->heightForRows(), main->height() / 2) - 2,
            qPrintable(QStringLiteral("table %1 of %2").arg(table->height()).arg(main->height())));
        saveShot(window, QStringLiteral("replay-%1x%2.png").arg(size.width()).arg(size.height()));
    }

    // The window resized after the data came: the top row is shared again for the new width,
    // the board folding away in the narrow window and coming back in the wide one.
    void resizedWindowRefitsTheTopRow()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        showFed(window, source, QSize(1400, 900));
        QTableView *table = window.nodeView();
        const auto *beside = qobject_cast<const QSplitter *>(table->parentWidget());
        QTRY_VERIFY(beside->sizes().value(1) > 0);
        window.resize(1024, 700);
        QTRY_COMPARE(beside->sizes().value(1), 0);
        QTRY_VERIFY(!table->horizontalScrollBar()->isVisible());
        window.resize(1600, 1000);
        QTRY_VERIFY(beside->sizes().value(1) >= window.loadRankBoard()->minimumSizeHint().width());
        QTRY_VERIFY(!table->horizontalScrollBar()->isVisible());
        QVERIFY(table->horizontalHeader()->length() <= table->viewport()->width());
        // Splitters the operator arranged are theirs: a resize leaves the board beside.
        window.setSplittersByOperator(true);
        window.resize(1024, 700);
        QTRY_COMPARE(window.width(), 1024);
        QCoreApplication::processEvents(); // a queued refit would run here
        QVERIFY(beside->sizes().value(1) > 0);
    }

    // A column edge dragged by the operator is theirs: later fits leave every width alone.
    void operatorResizeIsKept()
    {
        NodeTableModel model;
        model.setSnapshot(liveSnapshot(1));
        QTableView table;
        table.setModel(&model);
        ui::NodeTableFit fit(&table);
        table.resize(1200, 500);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        fit.fitNow();
        QVERIFY(!fit.isOperatorSized());
        table.horizontalHeader()->resizeSection(NodeTableModel::Estimate, 300);
        QVERIFY(fit.isOperatorSized());
        model.setSnapshot(liveSnapshot(2));
        table.resize(700, 500);
        fit.fitNow();
        QCOMPARE(table.columnWidth(NodeTableModel::Estimate), 300);
    }

    // Beside the 16 rows at 1600x1000 the board is shorter than its rows: it scrolls to the
    // last one instead of cutting it off.
    void loadRankBoardReachesEveryRow()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        showFed(window, source, QSize(1600, 1000));
        window.refreshNow();
        ui::LoadRankBoard *board = window.loadRankBoard();
        QTRY_COMPARE(int(board->rows().size()), kSlaves);
        const int lastRowBottom =
            ui::LoadRankBoard::layoutFor(board->width(), kSlaves, board->loadScale(),
                                         board->shareScale())
                .rowTop(kSlaves);
        QTRY_VERIFY2(board->height() >= lastRowBottom,
                     qPrintable(QString::number(board->height())));
        const auto *scroller = window.findChild<QScrollArea *>(QStringLiteral("loadRankScroller"));
        QVERIFY(scroller);
        const int reach = scroller->viewport()->height() + scroller->verticalScrollBar()->maximum();
        QVERIFY2(reach >= lastRowBottom,
                 qPrintable(QStringLiteral("%1 < %2").arg(reach).arg(lastRowBottom)));
        QVERIFY(scroller->horizontalScrollBar()->maximum() == 0 ||
                !scroller->horizontalScrollBar()->isVisible());
    }
};

QTEST_MAIN(TestNodeTableFit)
#include "tst_nodetablefit.moc"
