// The node panel (offscreen), in the main window fed by a fake 16-slave cluster: double-clicking
// a row opens that node's panel (again: the same one), which shows its header, numbers,
// history, the master's estimates, its audit trail only, its strips and blocks; a node that
// leaves the snapshot (or a cluster change) leaves the panel saying so; the panel renders with
// readable text on light and dark palettes.
#include "charts/nodesparkline.h"
#include "charts/pngexport.h"
#include "charts/seriespalette.h"
#include "models/eventlogmodel.h"
#include "models/nodetablemodel.h"
#include "nodepanelfeed.h"
#include "renderchecks.h"
#include "util/valueformat.h"
#include "windows/mainwindow.h"
#include "windows/nodepanel.h"
#include "windows/nodepanelset.h"

#include <QFileInfo>
#include <QImage>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using starling::testing::FakeClusterSource;
using starling::testing::panelEvents;
using starling::testing::panelSnapshot;
using ui::NodePanel;

namespace {

constexpr int kSlaves = 16;

void feed(FakeClusterSource &source, int first, int count, bool withSlave3 = true)
{
    for (int seq = first; seq < first + count; ++seq)
        source.push(panelSnapshot(kSlaves, seq, withSlave3));
}

// The node table's cell of `node` (column 0), as the view shows it.
QModelIndex rowOf(QTableView *view, const QString &node)
{
    QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data().toString() == node)
            return index;
    }
    return {};
}

bool doubleClick(QTableView *view, const QString &node)
{
    const QModelIndex index = rowOf(view, node);
    if (!index.isValid())
        return false;
    view->scrollTo(index);
    const QPoint at = view->visualRect(index).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
    return true;
}

QStringList column(const QAbstractItemModel *model, int column)
{
    QStringList cells;
    for (int row = 0; row < model->rowCount(); ++row)
        cells << model->index(row, column).data().toString();
    return cells;
}

} // namespace

class TestNodePanel final : public QObject
{
    Q_OBJECT

private slots:
    void doubleClickOpensTheNodesPanel();
    void panelShowsEverythingAboutTheNode();
    void aNodeThatLeavesIsGone();
    void rendersOnLightAndDark();
    void benchmarkRefreshWithAnHourOfHistory();
};

void TestNodePanel::doubleClickOpensTheNodesPanel()
{
    FakeClusterSource source;
    ui::MainWindow window;
    window.setSource(&source);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    feed(source, 1, 10);
    QTRY_COMPARE(window.nodeView()->model()->rowCount(), kSlaves + 2);
    QVERIFY(window.nodePanels()->panels().empty());

    QVERIFY(doubleClick(window.nodeView(), QStringLiteral("slave-7")));
    QTRY_COMPARE(window.nodePanels()->panels().size(), size_t(1));
    NodePanel *first = window.nodePanels()->panels().front();
    QCOMPARE(first->nodeName(), QStringLiteral("slave-7"));
    QVERIFY(first->headerText().contains(QLatin1String("slave-7 - slave, rank 7")));
    QTRY_VERIFY(first->isVisible());

    // The same row again raises the same panel; another row opens a second one.
    QVERIFY(doubleClick(window.nodeView(), QStringLiteral("slave-7")));
    QCOMPARE(window.nodePanels()->panels().size(), size_t(1));
    // Sorted differently, the row under the mouse is still the node it shows.
    window.nodeView()->sortByColumn(0, Qt::DescendingOrder);
    QVERIFY(doubleClick(window.nodeView(), QStringLiteral("master")));
    QTRY_COMPARE(window.nodePanels()->panels().size(), size_t(2));
    QCOMPARE(window.nodePanels()->panels().back()->nodeName(), QStringLiteral("master"));
    QVERIFY(window.nodePanels()->panels().back()->headerText().contains(QLatin1String("master")));

    // Closing deletes it; the set forgets it.
    QPointer<NodePanel> closing = first;
    first->close();
    QTRY_VERIFY(closing.isNull());
    QCOMPARE(window.nodePanels()->panels().size(), size_t(1));
}

void TestNodePanel::panelShowsEverythingAboutTheNode()
{
    FakeClusterSource source;
    ui::MainWindow window;
    window.setSource(&source);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    feed(source, 1, 30);
    for (const QJsonObject &e : panelEvents())
        source.pushEvent(e);
    QVERIFY(doubleClick(window.nodeView(), QStringLiteral("slave-3")));
    QTRY_COMPARE(window.nodePanels()->panels().size(), size_t(1));
    NodePanel *panel = window.nodePanels()->panels().front();
    feed(source, 31, 2); // a live update after opening
    window.refreshNow();

    const QString header = panel->headerText();
    for (const char *want : {"slave-3 - slave, rank 3", "host 10.0.0.1", "http://10.0.0.1:9003",
                             "link: not paced", "DRAINING", "by alice", "why: disk swap"})
        QVERIFY2(header.contains(QLatin1String(want)),
                 qPrintable(QLatin1String(want) + u'\n' + header));
    const cluster::ClusterSnapshot last = panelSnapshot(kSlaves, 32);
    const cluster::NodeView &n = *last.node(3);
    QCOMPARE(panel->numberText(NodePanel::Weight), QStringLiteral("1.5"));
    QVERIFY(panel->numberText(NodePanel::Cpu).startsWith(util::formatPercent(n.stats.processCpu)));
    QVERIFY(panel->numberText(NodePanel::Memory)
                .startsWith(util::formatBytes(double(n.stats.processRssBytes))));
    QVERIFY(
        panel->numberText(NodePanel::LoadRank).contains(QLatin1String("not ranked (DRAINING)")));
    QVERIFY(panel->numberText(NodePanel::Assigned).startsWith(QLatin1String("0 task")));
    QVERIFY(panel->numberText(NodePanel::Heartbeat).contains(QLatin1String("ago")));
    // slave-3 sends 200 kB and receives 40 kB per snapshot of 0.5 s: its own rates.
    QCOMPARE(panel->numberText(NodePanel::Sent).section(u' ', 0, 1), util::formatRate(400000));

    // History: every snapshot of the window, sent and received together.
    QCOMPARE(panel->sparkline(consolemodel::Metric::Cpu)->pointCount(), 32);
    QCOMPARE(panel->sparkline(consolemodel::Metric::TxRate)->pointCount(), 64);
    QVERIFY(panel->sparkline(consolemodel::Metric::TxRate)
                ->latestText()
                .contains(QStringLiteral("sent %1").arg(util::formatRate(400000))));

    // Estimates: both op classes and the link, with confidence and age; the prior is doubtful.
    QTableWidget *estimates = panel->estimatesTable();
    QCOMPARE(estimates->rowCount(), 3);
    QCOMPARE(estimates->item(0, 0)->text(), QStringLiteral("blur (grey)"));
    QCOMPARE(estimates->item(0, 2)->text(), QStringLiteral("92%"));
    QCOMPARE(estimates->item(0, 3)->text(), util::formatAge(3000));
    QCOMPARE(estimates->item(1, 0)->text(), QStringLiteral("median (3 ch)"));
    QCOMPARE(estimates->item(1, 3)->text(), QStringLiteral("never"));
    QCOMPARE(estimates->item(1, 1)->foreground().color(), ui::NodeTableModel::doubtfulTextColour());
    QCOMPARE(estimates->item(2, 0)->text(), QStringLiteral("link"));
    QVERIFY(estimates->item(2, 1)->text().contains(QLatin1String("(8 MB/s)")));

    // Audit: slave-3's drain and weight change, not slave-6's drain, no job events.
    const QAbstractItemModel *audit = panel->auditView()->model();
    QCOMPARE(audit->rowCount(), 2);
    const QStringList texts = column(audit, ui::EventLogModel::Text);
    QVERIFY2(texts[0].contains(QLatin1String("ACTIVE -> DRAINING")), qPrintable(texts[0]));
    QVERIFY2(texts[1].contains(QLatin1String("weight")), qPrintable(texts[1]));
    QCOMPARE(column(audit, ui::EventLogModel::Who),
             (QStringList{QStringLiteral("alice"), QStringLiteral("alice")}));

    // Tasks: its two strips of the job (one done with its phases, one still going out).
    QTableWidget *tasks = panel->taskTable();
    QCOMPARE(tasks->rowCount(), 2);
    QCOMPARE(tasks->item(0, 1)->text(), QStringLiteral("1"));
    QCOMPARE(tasks->item(0, 3)->text(), QStringLiteral("done"));
    QCOMPARE(tasks->item(0, 5)->text(), util::formatSeconds(0.6));
    QCOMPARE(tasks->item(1, 1)->text(), QStringLiteral("3"));
    QCOMPARE(tasks->item(1, 3)->text(), QStringLiteral("sending"));
    QCOMPARE(tasks->item(1, 5)->text(), QStringLiteral("-"));
    // Still going out: from its assignment 0.3 s into the job to the snapshot's time, 14 s in.
    QCOMPARE(tasks->item(1, 4)->text(), util::formatSeconds(13.7));
    // Blocks: 3 of the 4 planned for it.
    QVERIFY2(panel->blocksText().contains(QLatin1String("served 3 of the 4 planned for it, of 8")),
             qPrintable(panel->blocksText()));
    QVERIFY(panel->blocksText().contains(QLatin1String("served: 4-5, 7")));
}

void TestNodePanel::aNodeThatLeavesIsGone()
{
    FakeClusterSource source;
    ui::MainWindow window;
    window.setSource(&source);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    feed(source, 1, 5);
    QVERIFY(doubleClick(window.nodeView(), QStringLiteral("slave-3")));
    QTRY_COMPARE(window.nodePanels()->panels().size(), size_t(1));
    QPointer<NodePanel> panel = window.nodePanels()->panels().front();
    QVERIFY(!panel->isGone());

    feed(source, 6, 3, false);
    window.refreshNow();
    QVERIFY(panel->isGone());
    QVERIFY2(panel->headerText().contains(QLatin1String("slave-3 is gone")),
             qPrintable(panel->headerText()));
    QVERIFY(panel->windowTitle().contains(QLatin1String("(gone)")));
    QCOMPARE(panel->numberText(NodePanel::Weight), QStringLiteral("1.5")); // kept, greyed

    // No snapshot for a while: greyed like the table, live again with the next one.
    window.setStaleAfterMs(50);
    QTRY_VERIFY(panel->isStale());
    QVERIFY(panel->windowTitle().contains(QLatin1String("(gone)"))); // gone says more
    QVERIFY(!panel->sparkline(consolemodel::Metric::Cpu)->isEnabled());

    // Back again: live again. The limit goes up first: at 50 ms a loaded machine can hold the
    // GUI thread up long enough between the feed and the checks for the panel to go stale.
    window.setStaleAfterMs(60'000);
    feed(source, 9, 1);
    window.refreshNow();
    QVERIFY(!panel->isGone());
    QVERIFY(!panel->isStale());
    QVERIFY(panel->sparkline(consolemodel::Metric::Cpu)->isEnabled());
    QVERIFY(panel->headerText().contains(QLatin1String("DRAINING")));
    // Quiet again: stale again.
    window.setStaleAfterMs(50);
    QTRY_VERIFY(panel->isStale());
    QVERIFY(panel->windowTitle().contains(QLatin1String("(stale)")));
    window.setStaleAfterMs(60'000);
    feed(source, 10, 1);
    QTRY_VERIFY(!panel->isStale());

    // Another cluster: nothing of the old one passes for live; the panel survives the switch
    // and the window's end.
    FakeClusterSource other;
    window.setSource(&other);
    QVERIFY(panel);
    QVERIFY(panel->isGone());
    QCOMPARE(panel->auditView()->model()->rowCount(), 0);
    window.setSource(nullptr);
    QVERIFY(panel);
}

void TestNodePanel::rendersOnLightAndDark()
{
    consolemodel::NodeHistory history;
    consolemodel::TaskActivity activity;
    ui::EventLogModel events;
    cluster::ClusterSnapshot last;
    for (int seq = 1; seq <= 120; ++seq) {
        last = panelSnapshot(kSlaves, seq);
        history.append(last);
    }
    for (const QJsonObject &e : panelEvents()) {
        events.append(e);
        activity.apply(e);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const bool dark : {false, true}) {
        NodePanel panel(QStringLiteral("slave-3"), &events);
        if (dark)
            panel.setPalette(starling::testing::darkPalette(panel.palette()));
        panel.refresh(last, history, activity, 60'000);
        const QString path = dir.filePath(dark ? QStringLiteral("nodepanel-dark.png")
                                               : QStringLiteral("nodepanel-light.png"));
        QCOMPARE(ui::saveWidgetPng(&panel, QSize(1120, 780), path), QString());
        if (qEnvironmentVariableIsSet("STARLING_KEEP_PNG"))
            QFile::copy(path, qEnvironmentVariable("STARLING_KEEP_PNG") + QLatin1Char('/') +
                                  QFileInfo(path).fileName());
        const QImage image(path);
        QCOMPARE(image.size(), QSize(1120, 780));
        QCOMPARE(QColor(image.pixel(2, 2)), panel.palette().color(QPalette::Window));
        // The sparklines are drawn: their background and their text, in the palette's.
        auto *cpu = panel.sparkline(consolemodel::Metric::Cpu);
        const QImage spark = image.copy(QRect(cpu->mapTo(&panel, QPoint(0, 0)), cpu->size()));
        const QColor background = ui::SeriesPalette::chartBackground(panel.palette());
        const QColor text = ui::SeriesPalette::chartText(panel.palette());
        QCOMPARE(QColor(spark.pixel(1, spark.height() / 2)), background);
        int textPixels = 0, linePixels = 0;
        for (int y = 0; y < spark.height(); ++y) {
            for (int x = 0; x < spark.width(); ++x) {
                // Glyphs are antialiased: their cores are within a few steps of the text colour.
                textPixels +=
                    std::abs(QColor(spark.pixel(x, y)).lightness() - text.lightness()) < 40 ? 1 : 0;
                linePixels += QColor(spark.pixel(x, y)) == ui::SeriesPalette::colour(1) ? 1 : 0;
            }
        }
        QVERIFY2(textPixels > 40, qPrintable(QString::number(textPixels)));
        QVERIFY2(linePixels > 20, qPrintable(QString::number(linePixels)));
        QVERIFY(std::abs(background.lightness() - text.lightness()) > 150);
    }
}

// Not a check: what refreshing one open panel costs the GUI thread with a full hour of
// history (14,400 samples of the node) and the 1 h window, for the README's console numbers.
void TestNodePanel::benchmarkRefreshWithAnHourOfHistory()
{
    consolemodel::NodeHistory history;
    consolemodel::TaskActivity activity;
    ui::EventLogModel events;
    cluster::ClusterSnapshot last;
    for (int seq = 1; seq <= 14'400; ++seq) {
        last = panelSnapshot(kSlaves, seq);
        last.timeMs = starling::testing::kPanelT0 + 250LL * seq;
        history.append(last);
    }
    QCOMPARE(history.sampleCount(3), 14'400);
    for (const QJsonObject &e : panelEvents()) {
        events.append(e);
        activity.apply(e);
    }
    NodePanel panel(QStringLiteral("slave-3"), &events);
    QBENCHMARK
    {
        panel.refresh(last, history, activity, 3'600'000);
    }
    QCOMPARE(panel.sparkline(consolemodel::Metric::Cpu)->pointCount() > 100, true);
}

QTEST_MAIN(TestNodePanel)
#include "tst_nodepanel.moc"
