// TopologyView (offscreen): one box per node from a fake 16- or 64-slave feed, slaves grouped by
// host, each link's capacity and live throughput; the layout keeps every box whole, apart and
// inside the view at 800x600 and 1600x1000; the view renders readable text on light and dark
// palettes, and the main window has it as its "Topology" tab.
#include "charts/pngexport.h"
#include "charts/seriespalette.h"
#include "charts/topologyview.h"
#include "consolemodel/nodehistory.h"
#include "nodepanelfeed.h"
#include "renderchecks.h"
#include "windows/mainwindow.h"

#include <QFileInfo>
#include <QImage>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace starling;
using starling::testing::panelSnapshot;
using ui::TopologyView;

namespace {

// `snapshots` of a cluster of `slaves` into `history`; returns the last.
cluster::ClusterSnapshot run(consolemodel::NodeHistory &history, int slaves, int snapshots)
{
    cluster::ClusterSnapshot s;
    for (int seq = 1; seq <= snapshots; ++seq) {
        s = panelSnapshot(slaves, seq);
        history.append(s);
    }
    return s;
}

} // namespace

class TestTopologyView final : public QObject
{
    Q_OBJECT

private slots:
    void boxesComeFromTheFeed();
    void labelsAndWidths();
    void layoutFits_data();
    void layoutFits();
    void rendersOnLightAndDark_data();
    void rendersOnLightAndDark();
    void mainWindowHasTheTab();
    void benchmarkUpdateAndPaint64();
};

void TestTopologyView::boxesComeFromTheFeed()
{
    consolemodel::NodeHistory history;
    const cluster::ClusterSnapshot s = run(history, 16, 10);
    TopologyView view;
    view.update(s, history);
    QCOMPARE(int(view.slaves().size()), 16);
    QCOMPARE(view.master().rank, 0);
    QCOMPARE(view.monitor().rank, 1);
    QCOMPARE(view.master().host, QStringLiteral("10.9.0.1"));
    QCOMPARE(view.hostCount(), 4);
    // Grouped by host, by rank within one: four to a host here, in rank order.
    for (int i = 0; i < 16; ++i) {
        QCOMPARE(view.slaves()[size_t(i)].rank, i + 2);
        QCOMPARE(view.slaves()[size_t(i)].host, QStringLiteral("10.0.%1.1").arg(i / 4));
    }
    const TopologyView::Box &slave3 = view.slaves()[1];
    QVERIFY(slave3.state == cluster::NodeState::Draining);
    QCOMPARE(slave3.capacityBps, 0.0); // not emulated: unknown
    const TopologyView::Box &slave4 = view.slaves()[2];
    QCOMPARE(slave4.capacityBps, 20e6);
    QVERIFY(slave4.state == cluster::NodeState::Suspect);
    QCOMPARE(slave4.sentBps, 0.0); // a silent slave's last rate is not shown as live
    const TopologyView::Box &slave2 = view.slaves()[0];
    QCOMPARE(slave2.capacityBps, 8e6);
    // Its own rates from the history: 100 kB sent, 20 kB received per 0.5 s.
    QCOMPARE(slave2.sentBps, 200000.0);
    QCOMPARE(slave2.receivedBps, 40000.0);
    QCOMPARE(TopologyView::linkLabel(slave2), QStringLiteral("0.2 MB/s of 8.0 MB/s"));

    // Hosts in the order of their first slave, even when ranks interleave.
    cluster::ClusterSnapshot mixed = s;
    for (cluster::NodeView &n : mixed.nodes)
        n.host = n.rank % 2 ? QStringLiteral("b") : QStringLiteral("a");
    view.update(mixed, history);
    QCOMPARE(view.hostCount(), 2);
    QCOMPARE(view.slaves()[0].rank, 2);
    QCOMPARE(view.slaves()[1].rank, 4);
    QCOMPARE(view.slaves()[8].rank, 3);
    QCOMPARE(TopologyView::layoutFor(QSize(1600, 1000), view.slaves()).hostFrames.size(),
             size_t(2));

    // Nothing but garbage: no slaves, no crash.
    cluster::ClusterSnapshot garbage;
    cluster::NodeView bad;
    bad.rank = 9;
    bad.emulation.emulated = true;
    bad.emulation.linkMBps = std::numeric_limits<double>::quiet_NaN();
    garbage.nodes = {bad};
    view.update(garbage, history);
    QCOMPARE(view.slaves().size(), size_t(1));
    QCOMPARE(view.slaves()[0].capacityBps, 0.0);
    QCOMPARE(view.master().rank, -1);
    view.resize(800, 600);
    QVERIFY(!view.grab().toImage().isNull());
}

void TestTopologyView::labelsAndWidths()
{
    TopologyView::Box b;
    b.sentBps = 3.2e6;
    b.receivedBps = 0.4e6;
    b.capacityBps = 8e6;
    QCOMPARE(TopologyView::linkLabel(b), QStringLiteral("3.2 MB/s of 8.0 MB/s"));
    b.capacityBps = 0;
    QCOMPARE(TopologyView::linkLabel(b), QStringLiteral("3.2 MB/s, link ?"));
    QCOMPARE(TopologyView::shortLinkLabel(b), QStringLiteral("3.2/? MB/s"));
    b.receivedBps = 125e6;
    b.capacityBps = 125e6;
    QCOMPARE(TopologyView::linkLabel(b), QStringLiteral("125 MB/s of 125 MB/s"));
    QCOMPARE(TopologyView::branchWidth(0, 20e6), 1.0);
    QCOMPARE(TopologyView::branchWidth(20e6, 20e6), 7.0);
    QCOMPARE(TopologyView::branchWidth(8e6, 20e6), 4.0);
    QVERIFY(TopologyView::branchWidth(8e6, 20e6) > TopologyView::branchWidth(1e6, 20e6));
}

void TestTopologyView::layoutFits_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("slaves");
    for (const QSize size : {QSize(800, 600), QSize(1600, 1000)}) {
        for (const int slaves : {16, 64}) {
            QTest::addRow("%dx%d, %d slaves", size.width(), size.height(), slaves)
                << size << slaves;
        }
    }
}

void TestTopologyView::layoutFits()
{
    QFETCH(QSize, size);
    QFETCH(int, slaves);
    consolemodel::NodeHistory history;
    TopologyView view;
    view.update(run(history, slaves, 3), history);
    const TopologyView::Layout l = TopologyView::layoutFor(size, view.slaves());
    QCOMPARE(int(l.slaves.size()), slaves);
    std::vector<QRect> boxes = l.slaves;
    boxes.push_back(l.master);
    boxes.push_back(l.monitor);
    const QRect bounds(QPoint(0, 0), size);
    for (size_t i = 0; i < boxes.size(); ++i) {
        QVERIFY2(bounds.contains(boxes[i]), qPrintable(QString::number(i)));
        QVERIFY(boxes[i].width() >= 60);
        QVERIFY(boxes[i].height() >= 14);
        QVERIFY(!boxes[i].intersects(l.title));
        for (size_t j = i + 1; j < boxes.size(); ++j)
            QVERIFY2(!boxes[i].intersects(boxes[j]),
                     qPrintable(QStringLiteral("%1 and %2").arg(i).arg(j)));
    }
    // Branches leave the trunk to the left of every box of their column.
    QCOMPARE(int(l.feederX.size()), l.columns);
    for (int i = 0; i < slaves; ++i)
        QVERIFY(l.feederX[size_t(i / l.rows)] < l.slaves[size_t(i)].left());
    // The wide view has room for every line of a box (name and state, host, link).
    if (size.width() >= 1600)
        QCOMPARE(l.textLines, 3);
    else
        QVERIFY(l.textLines >= 2); // name and state, and the link
    // Four slaves to a host, in columns: a frame per host run, apart from other hosts' boxes.
    QVERIFY(!l.hostFrames.empty());
    for (const QRect &frame : l.hostFrames)
        QVERIFY(bounds.contains(frame));
}

void TestTopologyView::rendersOnLightAndDark_data()
{
    QTest::addColumn<int>("slaves");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("dark");
    for (const bool dark : {false, true}) {
        QTest::addRow("16 slaves, 1000x640, %s", dark ? "dark" : "light")
            << 16 << QSize(1000, 640) << dark;
        QTest::addRow("64 slaves, 800x600, %s", dark ? "dark" : "light")
            << 64 << QSize(800, 600) << dark;
    }
}

void TestTopologyView::rendersOnLightAndDark()
{
    QFETCH(int, slaves);
    QFETCH(QSize, size);
    QFETCH(bool, dark);
    consolemodel::NodeHistory history;
    const cluster::ClusterSnapshot s = run(history, slaves, 20);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    TopologyView view;
    if (dark)
        view.setPalette(starling::testing::darkPalette(view.palette()));
    view.update(s, history);
    const QString path =
        dir.filePath(QStringLiteral("topology-%1-%2.png")
                         .arg(slaves)
                         .arg(dark ? QStringLiteral("dark") : QStringLiteral("light")));
    QCOMPARE(ui::saveWidgetPng(&view, size, path), QString());
    if (qEnvironmentVariableIsSet("STARLING_KEEP_PNG"))
        QFile::copy(path, qEnvironmentVariable("STARLING_KEEP_PNG") + QLatin1Char('/') +
                              QFileInfo(path).fileName());
    const QImage image(path);
    QCOMPARE(image.size(), size);
    const QColor background = ui::SeriesPalette::chartBackground(view.palette());
    const QColor text = ui::SeriesPalette::chartText(view.palette());
    QCOMPARE(QColor(image.pixel(0, 0)), background);
    QVERIFY(std::abs(background.lightness() - text.lightness()) > 150);
    QVERIFY2(starling::testing::differing(image) > 20000,
             qPrintable(QString::number(starling::testing::differing(image))));
    // Text inside every slave box: the palette's text colour on the state tint.
    const TopologyView::Layout l = TopologyView::layoutFor(image.size(), view.slaves());
    for (size_t i = 0; i < l.slaves.size(); ++i) {
        const QRect &box = l.slaves[i];
        int inBox = 0;
        for (int y = box.top(); y <= box.bottom(); ++y) {
            for (int x = box.left(); x <= box.right(); ++x)
                inBox += QColor(image.pixel(x, y)) == text ? 1 : 0;
        }
        QVERIFY2(inBox > 10, qPrintable(QStringLiteral("box %1: %2").arg(i).arg(inBox)));
    }
    // Each state's fill differs from the text enough to read it (slave-5 is DOWN).
    const QColor downFill(image.pixel(l.slaves[3].right() - 4, l.slaves[3].bottom() - 3));
    QVERIFY2(std::abs(downFill.lightness() - text.lightness()) > 90, qPrintable(downFill.name()));
}

void TestTopologyView::mainWindowHasTheTab()
{
    starling::testing::FakeClusterSource source;
    ui::MainWindow window;
    window.setSource(&source);
    for (int seq = 1; seq <= 5; ++seq)
        source.push(panelSnapshot(16, seq));
    QVERIFY(window.showTab(QStringLiteral("Topology")));
    QCOMPARE(window.tabs()->currentWidget(), window.topology());
    window.refreshNow();
    QCOMPARE(int(window.topology()->slaves().size()), 16);
}

// Not a check: what a refresh of the tab costs the GUI thread at 64 slaves (update from the
// snapshot and history, then one paint at 800x600), for the README's console numbers.
void TestTopologyView::benchmarkUpdateAndPaint64()
{
    consolemodel::NodeHistory history;
    const cluster::ClusterSnapshot s = run(history, 64, 20);
    TopologyView view;
    view.resize(800, 600);
    QImage image(800, 600, QImage::Format_ARGB32_Premultiplied);
    QBENCHMARK
    {
        view.update(s, history);
        view.render(&image);
    }
    QCOMPARE(int(view.slaves().size()), 64);
}

QTEST_MAIN(TestTopologyView)
#include "tst_topologyview.moc"
