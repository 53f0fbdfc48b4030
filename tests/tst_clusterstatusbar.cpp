// The console's status bar as it reads (offscreen): right after a refresh every item is laid
// out at its text's width (a grab once showed the new texts squeezed into their old, empty
// widths: "s s"), and the items after the snapshot's age do not move as its digits change.
#include "fakeclustersource.h"
#include "windows/clusterstatusbar.h"
#include "windows/mainwindow.h"

#include <QLabel>
#include <QTest>

using namespace starling;
using starling::testing::FakeClusterSource;

namespace {

constexpr qint64 kT0 = 1700000000000;

QLabel *label(const QWidget &bar, const char *name)
{
    return bar.findChild<QLabel *>(QLatin1String(name));
}

} // namespace

class TestClusterStatusBar final : public QObject
{
    Q_OBJECT

private slots:
    void refreshLaysOutTheNewTexts()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.resize(1600, 1000);
        window.setSource(&source);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        cluster::ClusterSnapshot s = starling::testing::fakeSnapshot(4, 1, kT0);
        s.nodes[3].state = cluster::NodeState::Draining;
        s.nodes[3].drainEtaS = 75;
        source.push(s); // sets the texts; no event loop runs before the grab below
        window.refreshNow();
        for (const char *name : {"connectionState", "snapshotAge", "drainProgress"}) {
            const QLabel *l = label(window, name);
            QVERIFY2(!l->text().isEmpty(), name);
            QVERIFY2(l->width() >= l->sizeHint().width(),
                     qPrintable(QStringLiteral("%1: %2 px for \"%3\" (needs %4)")
                                    .arg(QLatin1String(name))
                                    .arg(l->width())
                                    .arg(l->text())
                                    .arg(l->sizeHint().width())));
        }
    }

    void drainsStayPutAsTheAgeChanges()
    {
        ui::ClusterStatusBar bar;
        bar.resize(1200, 30);
        bar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bar));
        cluster::ClusterSnapshot s = starling::testing::fakeSnapshot(2, 1, kT0);
        s.nodes[2].state = cluster::NodeState::Draining;
        bar.setDrains(s);
        bar.setSnapshotAge(10, 12345, 12.34, 3, true); // "STALE: ... 12.3 s old | round trip"
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QVERIFY(label(bar, "snapshotAge")->width() >=
                label(bar, "snapshotAge")->sizeHint().width());
        const int drainsX = label(bar, "drainProgress")->x();
        bar.setSnapshotAge(11, 12346, 0.056, -1, false); // fresh again: narrower text
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCOMPARE(label(bar, "drainProgress")->x(), drainsX);
    }
};

QTEST_MAIN(TestClusterStatusBar)
#include "tst_clusterstatusbar.moc"
