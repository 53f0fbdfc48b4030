// TaskStreamChart (offscreen): a known timeline lands where it should — each slave's row holds
// its send, compute and return colours at the right times, an idle slave's row has none, and
// empty or one-slave timelines draw without trouble.
#include "charts/taskstreamchart.h"

#include <QImage>
#include <QTest>

using starling::sched::ChunkRecord;
using starling::sched::Timeline;
using starling::ui::TaskStreamChart;

namespace {

// How many pixels of `colour` lie in the rectangle.
int count(const QImage &image, const QRect &rect, QColor colour)
{
    int n = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = rect.left(); x <= rect.right(); ++x)
            n += image.pixelColor(x, y) == colour ? 1 : 0;
    }
    return n;
}

Timeline sample()
{
    Timeline t;
    ChunkRecord a;
    a.slave = 0;
    a.units = 5;
    a.sendStart = 0;
    a.sendEnd = 1;
    a.computeStart = 1;
    a.computeEnd = 6;
    a.returnStart = 7;
    a.returnEnd = 8;
    ChunkRecord b;
    b.slave = 2;
    b.units = 5;
    b.sendStart = 1;
    b.sendEnd = 2;
    b.computeStart = 2;
    b.computeEnd = 7;
    b.returnStart = 8;
    b.returnEnd = 10;
    t.chunks = {a, b};
    t.makespan = 10;
    return t;
}

} // namespace

class TestTaskStreamChart : public QObject
{
    Q_OBJECT

private slots:
    void drawsEachPhaseInItsRow();
    void emptyAndSingle();
};

void TestTaskStreamChart::drawsEachPhaseInItsRow()
{
    TaskStreamChart chart;
    chart.resize(1200, 500);
    chart.setTimeline(
        QStringLiteral("job-1"), sample(),
        {QStringLiteral("slave-2"), QStringLiteral("slave-3"), QStringLiteral("slave-4")});
    const QImage image = chart.grab().toImage();
    // The plot spans x 110..1180 for 0..10 s, rows of (500 - 48 - 42) / 3 px from y 48.
    const double pxPerS = (1200 - 110 - 20) / 10.0;
    const int rowH = (500 - 48 - 42) / 3;
    const auto rowRect = [&](int row, double from, double to) {
        return QRect(110 + int(from * pxPerS) + 2, 48 + row * rowH + 2,
                     int((to - from) * pxPerS) - 4, rowH - 4);
    };
    QVERIFY(count(image, rowRect(0, 0, 1), TaskStreamChart::sendColour()) > 50);
    QVERIFY(count(image, rowRect(0, 1.5, 5.5), TaskStreamChart::computeColour()) > 500);
    QVERIFY(count(image, rowRect(0, 7, 8), TaskStreamChart::returnColour()) > 50);
    QCOMPARE(count(image, rowRect(0, 8.5, 9.5), TaskStreamChart::returnColour()), 0);
    // slave-3 did nothing: no bar of any phase in its row.
    for (const QColor c : {TaskStreamChart::sendColour(), TaskStreamChart::computeColour(),
                           TaskStreamChart::returnColour()})
        QCOMPARE(count(image, rowRect(1, 0.2, 9.8), c), 0);
    QVERIFY(count(image, rowRect(2, 1, 2), TaskStreamChart::sendColour()) > 50);
    QVERIFY(count(image, rowRect(2, 8.2, 9.8), TaskStreamChart::returnColour()) > 50);
    // Nothing computes on slave-4 before its strip arrived.
    QCOMPARE(count(image, rowRect(2, 0, 1.9), TaskStreamChart::computeColour()), 0);
}

void TestTaskStreamChart::emptyAndSingle()
{
    TaskStreamChart chart;
    chart.resize(600, 300);
    chart.setTimeline(QStringLiteral("nothing"), Timeline{}, {});
    QVERIFY(!chart.grab().toImage().isNull());
    Timeline one = sample();
    one.chunks.resize(1);
    one.makespan = 8;
    chart.setTimeline(QStringLiteral("one"), one, {QStringLiteral("slave-2")});
    const QImage image = chart.grab().toImage();
    QVERIFY(count(image, image.rect(), TaskStreamChart::computeColour()) > 1000);
}

QTEST_MAIN(TestTaskStreamChart)
#include "tst_taskstreamchart.moc"
