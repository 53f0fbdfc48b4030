// TaskStreamChart (offscreen): a known timeline lands where it should — each slave's row holds
// its send, compute and return colours at the right times, an idle slave's row has none, and
// empty or one-slave timelines draw without trouble. A live job fed to a TaskActivity as
// bridge events becomes the same kind of bars: phases still going on are live, the x axis
// covers the prediction and grows past it with the clock, a lost slave's strips are grey and
// the strips out when the job failed red; both inputs render readably on light and dark
// palettes.
#include "charts/pngexport.h"
#include "charts/seriespalette.h"
#include "charts/taskstreamchart.h"
#include "consolemodel/taskactivity.h"
#include "renderchecks.h"

#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <numeric>

using starling::consolemodel::TaskActivity;
using starling::sched::ChunkRecord;
using starling::sched::Timeline;
using starling::ui::SeriesPalette;
using starling::ui::TaskStreamChart;
using Phase = TaskStreamChart::Phase;

using starling::testing::darkPalette;
using starling::testing::differing;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

// How many pixels of `colour` lie in the rectangle.
int count(const QImage &image, const QRect &rect, QColor colour)
{
    int n = 0;
    const QRect r = rect.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y) {
        for (int x = r.left(); x <= r.right(); ++x)
            n += image.pixel(x, y) == colour.rgb() ? 1 : 0;
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

// Bridge events of one job: 10 units on slave-2, -3 and -4, predicted 1.5 s; slave-3 is
// lost at 1.2 s and its strip goes to slave-4; the job ends at 2 s, done or failed.
QJsonObject ev(const char *kind, QJsonObject fields, qint64 atMs)
{
    fields.insert(QStringLiteral("kind"), QLatin1String(kind));
    fields.insert(QStringLiteral("time_ms"), double(atMs));
    fields.insert(QStringLiteral("job"), QStringLiteral("job-7"));
    return fields;
}

QJsonObject assigned(int chunk, const char *slave, int first, int units, qint64 at)
{
    return ev("strip_assigned",
              {{QStringLiteral("chunk"), chunk},
               {QStringLiteral("slave"), QLatin1String(slave)},
               {QStringLiteral("first_unit"), first},
               {QStringLiteral("units"), units}},
              at);
}

QJsonObject sent(int chunk, double endS, qint64 at)
{
    return ev("strip_sent",
              {{QStringLiteral("chunk"), chunk}, {QStringLiteral("send_end_s"), endS}}, at);
}

QJsonObject done(int chunk, double s0, double s1, double c1, double r1, qint64 at)
{
    return ev("strip_done",
              {{QStringLiteral("chunk"), chunk},
               {QStringLiteral("send_start_s"), s0},
               {QStringLiteral("send_end_s"), s1},
               {QStringLiteral("compute_start_s"), s1},
               {QStringLiteral("compute_end_s"), c1},
               {QStringLiteral("return_start_s"), c1},
               {QStringLiteral("return_end_s"), r1}},
              at);
}

std::vector<QJsonObject> script(bool fail)
{
    std::vector<QJsonObject> events = {
        ev("job_started",
           {{QStringLiteral("op"), QStringLiteral("blur")},
            {QStringLiteral("strategy"), QStringLiteral("pdds")},
            {QStringLiteral("order"), QStringLiteral("dec")},
            {QStringLiteral("units"), 10},
            {QStringLiteral("slaves"),
             QJsonArray{QStringLiteral("slave-2"), QStringLiteral("slave-3"),
                        QStringLiteral("slave-4")}},
            {QStringLiteral("predicted_makespan_s"), 1.5}},
           kT0),
        assigned(0, "slave-2", 0, 6, kT0),       // 1
        sent(0, 0.2, kT0 + 200),                 // 2
        assigned(1, "slave-3", 6, 4, kT0 + 200), // 3
        done(0, 0.0, 0.2, 0.9, 1.0, kT0 + 1000), // 4
        ev("strip_reassigned", {{QStringLiteral("slave"), QStringLiteral("slave-3")}},
           kT0 + 1200),                           // 5
        assigned(2, "slave-4", 6, 4, kT0 + 1200), // 6
        sent(2, 1.3, kT0 + 1300),                 // 7
    };
    if (fail) {
        events.push_back(
            ev("job_failed", {{QStringLiteral("error"), QStringLiteral("disk full")}}, kT0 + 2000));
    } else {
        events.push_back(done(2, 1.2, 1.3, 1.9, 2.0, kT0 + 2000));
        events.push_back(ev("job_done", {{QStringLiteral("makespan_s"), 2.0}}, kT0 + 2000));
    }
    return events;
}

// The chart after the first `steps` events, at `nowMs` after the start.
void feed(TaskStreamChart &chart, int steps, bool fail, qint64 nowMs)
{
    TaskActivity activity;
    const std::vector<QJsonObject> events = script(fail);
    for (int i = 0; i < steps && i < int(events.size()); ++i)
        QVERIFY2(activity.apply(events[size_t(i)]), qPrintable(QString::number(i)));
    QVERIFY(activity.currentJob());
    chart.setLiveJob(*activity.currentJob(), kT0 + nowMs);
}

} // namespace

class TestTaskStreamChart : public QObject
{
    Q_OBJECT

private slots:
    void drawsEachPhaseInItsRow();
    void emptyAndSingle();
    void timelineBars();
    void liveJob_data();
    void liveJob();
    void liveBarsAreDrawnApart();
    void rendersOnLightAndDark();
    void manySlavesAndStrips();
    void layoutMapsTimeAndRows();
};

void TestTaskStreamChart::drawsEachPhaseInItsRow()
{
    TaskStreamChart chart;
    chart.resize(1200, 500);
    chart.setTimeline(
        QStringLiteral("job-1"), sample(),
        {QStringLiteral("slave-2"), QStringLiteral("slave-3"), QStringLiteral("slave-4")});
    const QImage image = chart.grab().toImage();
    // The plot spans 0..10 s across its width, three rows down its height.
    const QRect area = chart.plotArea();
    QVERIFY(area.width() > 1000 && area.height() > 300);
    const double pxPerS = area.width() / 10.0;
    const int rowH = area.height() / 3;
    const auto rowRect = [&](int row, double from, double to) {
        return QRect(area.left() + int(from * pxPerS) + 2, area.top() + row * rowH + 2,
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
    // Each row's name has its slave's colour beside it, as in every other view.
    QVERIFY(count(image, QRect(0, area.top(), area.left(), rowH), SeriesPalette::colour(0)) > 50);
    QVERIFY(count(image, QRect(0, area.top() + 2 * rowH, area.left(), rowH),
                  SeriesPalette::colour(2)) > 50);
}

void TestTaskStreamChart::emptyAndSingle()
{
    TaskStreamChart chart;
    chart.resize(600, 300);
    chart.setTimeline(QStringLiteral("nothing"), Timeline{}, {});
    QCOMPARE(chart.barCount(), 0);
    QVERIFY(!chart.grab().toImage().isNull());
    Timeline one = sample();
    one.chunks.resize(1);
    one.makespan = 8;
    chart.setTimeline(QStringLiteral("one"), one, {QStringLiteral("slave-2")});
    const QImage image = chart.grab().toImage();
    QVERIFY(count(image, image.rect(), TaskStreamChart::computeColour()) > 1000);
}

void TestTaskStreamChart::timelineBars()
{
    TaskStreamChart chart;
    Timeline t = sample();
    t.chunks[1].returnEnd = t.chunks[1].returnStart; // results not returned: no return bar
    t.chunks.push_back(t.chunks[0]);
    t.chunks.back().slave = 7; // no such row: left out
    chart.setTimeline(
        QStringLiteral("t"), t,
        {QStringLiteral("slave-2"), QStringLiteral("slave-3"), QStringLiteral("slave-4")});
    QCOMPARE(chart.barCount(), 5);
    QCOMPARE(chart.barCount(Phase::Send), 2);
    QCOMPARE(chart.barCount(Phase::Compute), 2);
    QCOMPARE(chart.barCount(Phase::Return), 1);
    QCOMPARE(chart.liveBarCount(), 0);
    QCOMPARE(chart.timeSpan(), 10.0);
    QCOMPARE(chart.rowCount(), 3);
}

void TestTaskStreamChart::liveJob_data()
{
    QTest::addColumn<int>("steps");
    QTest::addColumn<bool>("fail");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<QList<int>>("phases"); // send, compute, return, reassigned, failed
    QTest::addColumn<int>("live");
    QTest::addColumn<double>("span");
    QTest::addColumn<QString>("state"); // in the title

    QTest::newRow("started, no strips") << 1 << false << qint64(50) << QList<int>{0, 0, 0, 0, 0}
                                        << 0 << 1.5 << QStringLiteral("running 0.05 s");
    QTest::newRow("first strip sending") << 2 << false << qint64(110) << QList<int>{1, 0, 0, 0, 0}
                                         << 1 << 1.5 << QStringLiteral("0/10 units");
    QTest::newRow("computing one, sending the next")
        << 4 << false << qint64(500) << QList<int>{2, 1, 0, 0, 0} << 2 << 1.5
        << QStringLiteral("running 0.50 s");
    QTest::newRow("one done") << 5 << false << qint64(1100) << QList<int>{2, 1, 1, 0, 0} << 1 << 1.5
                              << QStringLiteral("6/10 units");
    QTest::newRow("slave lost, past the prediction")
        << 6 << false << qint64(1800) << QList<int>{1, 1, 1, 1, 0} << 0 << 1.8
        << QStringLiteral("1 strip reassigned");
    QTest::newRow("reassigned strip computing")
        << 8 << false << qint64(2500) << QList<int>{2, 2, 1, 1, 0} << 1 << 2.5
        << QStringLiteral("running 2.50 s");
    QTest::newRow("done") << 10 << false << qint64(60'000) << QList<int>{2, 2, 2, 1, 0} << 0 << 2.0
                          << QStringLiteral("done in 2.00 s");
    QTest::newRow("failed") << 9 << true << qint64(60'000) << QList<int>{2, 1, 1, 1, 1} << 0 << 2.0
                            << QStringLiteral("failed after 2.00 s: disk full");
}

void TestTaskStreamChart::liveJob()
{
    QFETCH(int, steps);
    QFETCH(bool, fail);
    QFETCH(qint64, nowMs);
    QFETCH(QList<int>, phases);
    QFETCH(int, live);
    QFETCH(double, span);
    QFETCH(QString, state);
    TaskStreamChart chart;
    chart.resize(900, 360);
    feed(chart, steps, fail, nowMs);
    const QList<int> got{chart.barCount(Phase::Send), chart.barCount(Phase::Compute),
                         chart.barCount(Phase::Return), chart.barCount(Phase::Reassigned),
                         chart.barCount(Phase::Failed)};
    QCOMPARE(got, phases);
    QCOMPARE(chart.barCount(), int(std::accumulate(phases.begin(), phases.end(), 0)));
    QCOMPARE(chart.liveBarCount(), live);
    QCOMPARE(chart.timeSpan(), span);
    QCOMPARE(chart.rowCount(), 3);
    QVERIFY2(chart.title().contains(state), qPrintable(chart.title()));
    QVERIFY(chart.title().startsWith(QStringLiteral("job-7")));
    QVERIFY(chart.title().contains(QStringLiteral("pdds/dec")));
    QVERIFY(chart.title().contains(QStringLiteral("predicted 1.50 s")));
    QVERIFY(!chart.grab().toImage().isNull());
}

void TestTaskStreamChart::liveBarsAreDrawnApart()
{
    TaskStreamChart chart;
    chart.resize(1000, 400);
    // Sending to slave-3 and computing on slave-2, both still going on at 1 s.
    feed(chart, 4, false, 1000);
    QImage image = chart.grab().toImage();
    const QRect area = chart.plotArea();
    const QColor background = SeriesPalette::chartBackground(chart.palette());
    const QColor liveCompute =
        SeriesPalette::blend(TaskStreamChart::computeColour(), background, 0.55);
    // A live bar is a lighter fill with a solid edge: lots of the light fill, few full pixels.
    const int light = count(image, area, liveCompute);
    const int solid = count(image, area, TaskStreamChart::computeColour());
    QVERIFY2(light > 1000, qPrintable(QString::number(light)));
    QVERIFY2(solid > 50 && solid < light / 2, qPrintable(QString::number(solid)));

    // The lost slave's strip is grey; once the job fails, the one out is red.
    feed(chart, 9, true, 60'000);
    image = chart.grab().toImage();
    QVERIFY(count(image, area, TaskStreamChart::reassignedColour()) > 200);
    QVERIFY(count(image, area, TaskStreamChart::failedColour()) > 200);
    QCOMPARE(count(image, area, liveCompute), 0);
}

void TestTaskStreamChart::rendersOnLightAndDark()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString keep = qEnvironmentVariable("STARLING_KEEP_PNG");
    for (const bool dark : {false, true}) {
        for (const bool live : {false, true}) {
            TaskStreamChart chart;
            if (dark)
                chart.setPalette(darkPalette(chart.palette()));
            if (live)
                feed(chart, 8, false, 1700);
            else
                chart.setTimeline(QStringLiteral("pdds dec, 100 tasks (one run)"), sample(),
                                  {QStringLiteral("slave-2"), QStringLiteral("slave-3"),
                                   QStringLiteral("slave-4")});
            const QString name =
                QStringLiteral("taskstream-%1-%2.png")
                    .arg(live ? QStringLiteral("live") : QStringLiteral("timeline"),
                         dark ? QStringLiteral("dark") : QStringLiteral("light"));
            const QString path = dir.filePath(name);
            QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(1200, 420), path), QString());
            const QImage image(path);
            QCOMPARE(image.size(), QSize(1200, 420));
            const QColor background = SeriesPalette::chartBackground(chart.palette());
            const QColor text = SeriesPalette::chartText(chart.palette());
            QCOMPARE(image.pixelColor(0, 0), background);
            if (!dark)
                QCOMPARE(background, QColor(Qt::white)); // the benchmark's PNGs stay white
            QVERIFY(dark == (background.lightness() < 128));
            QVERIFY(qAbs(text.lightness() - background.lightness()) > 150);
            QVERIFY2(count(image, image.rect(), text) > 300, qPrintable(name));
            QVERIFY(count(image, image.rect(), background) < image.width() * image.height());
            if (!keep.isEmpty())
                QFile::copy(path, keep + QLatin1Char('/') + name);
        }
    }
}

void TestTaskStreamChart::manySlavesAndStrips()
{
    // A dynamic job on 24 slaves, 240 strips handed out two at a time on the one port, done.
    constexpr int kSlaves = 24;
    constexpr int kStrips = 240;
    TaskActivity activity;
    QJsonArray names;
    for (int s = 0; s < kSlaves; ++s)
        names.append(QStringLiteral("slave-%1").arg(s + 2));
    QVERIFY(activity.apply(ev("job_started",
                              {{QStringLiteral("op"), QStringLiteral("sharpen")},
                               {QStringLiteral("strategy"), QStringLiteral("dynamic")},
                               {QStringLiteral("order"), QStringLiteral("dec")},
                               {QStringLiteral("units"), kStrips},
                               {QStringLiteral("slaves"), names},
                               {QStringLiteral("predicted_makespan_s"), 9.0}},
                              kT0)));
    double port = 0;
    std::vector<double> freeAt(kSlaves, 0);
    for (int i = 0; i < kStrips; ++i) {
        const int slave = i % kSlaves;
        const double s0 = std::max(port, freeAt[size_t(slave)]);
        const double s1 = s0 + 0.01;
        const double c1 = s1 + 0.5 + 0.05 * slave;
        port = s1;
        freeAt[size_t(slave)] = c1 + 0.01;
        const QByteArray name = QStringLiteral("slave-%1").arg(slave + 2).toLatin1();
        QVERIFY(activity.apply(assigned(i, name.constData(), i, 1, kT0 + qint64(s0 * 1000))));
        QVERIFY(activity.apply(done(i, s0, s1, c1, c1 + 0.01, kT0 + qint64(c1 * 1000))));
    }
    const double end = *std::max_element(freeAt.begin(), freeAt.end());
    QVERIFY(activity.apply(
        ev("job_done", {{QStringLiteral("makespan_s"), end}}, kT0 + qint64(end * 1000))));
    TaskStreamChart chart;
    chart.setLiveJob(*activity.currentJob(), kT0 + 100'000);
    QCOMPARE(chart.rowCount(), kSlaves);
    QCOMPARE(chart.barCount(Phase::Compute), kStrips);
    QCOMPARE(chart.barCount(Phase::Return), kStrips);
    QCOMPARE(chart.timeSpan(), std::max(end, 9.0));
    QVERIFY(chart.title().contains(QStringLiteral("240/240 units")));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("taskstream-many.png"));
    QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(1000, 380), path), QString());
    const QImage image(path);
    QVERIFY(count(image, chart.plotArea(), TaskStreamChart::computeColour()) > 5000);
    const QString keep = qEnvironmentVariable("STARLING_KEEP_PNG");
    if (!keep.isEmpty())
        QFile::copy(path, keep + QStringLiteral("/taskstream-many.png"));
}

void TestTaskStreamChart::layoutMapsTimeAndRows()
{
    using Layout = TaskStreamChart::Layout;
    const Layout l = TaskStreamChart::layoutFor(QRect(110, 60, 900, 300), 3, 10, 15);
    QCOMPARE(l.rows, 3);
    QCOMPARE(l.rowHeight, 100.0);
    QCOMPARE(l.nameEvery, 1);
    QCOMPARE(l.barHeight, 38);
    QCOMPARE(l.step, 1.0); // ten grid lines over 900 px
    QCOMPARE(l.xOf(0), 110);
    QCOMPARE(l.xOf(10), 1010); // the span's end, one past the area's right edge
    QCOMPARE(l.rowTop(1), 160);
    // Send in a row's top lane, compute in the one below it.
    QCOMPARE(l.barRect({1, 2.0, 3.0, Phase::Send, false}), QRect(290, 168, 90, 38));
    QCOMPARE(l.barRect({1, 2.0, 3.0, Phase::Compute, false}), QRect(290, 207, 90, 38));
    QCOMPARE(l.barRect({0, 4.0, 4.0, Phase::Return, false}).width(), 1); // never invisible

    // No span or no slaves still give a usable layout; crowded rows name every n-th.
    const Layout empty = TaskStreamChart::layoutFor(QRect(110, 60, 900, 300), 0, 0, 15);
    QCOMPARE(empty.rows, 1);
    QCOMPARE(empty.span, 1.0);
    const Layout crowded = TaskStreamChart::layoutFor(QRect(110, 60, 900, 300), 60, 10, 15);
    QCOMPARE(crowded.rowHeight, 5.0);
    QCOMPARE(crowded.nameEvery, 3);
    QCOMPARE(crowded.barHeight, 2);

    // The widget draws its bars where its layout says.
    TaskStreamChart chart;
    chart.resize(1000, 400);
    chart.setTimeline(QStringLiteral("t"), sample(), {QStringLiteral("a"), QStringLiteral("b")});
    const Layout shown = TaskStreamChart::layoutFor(chart.plotArea(), chart.rowCount(),
                                                    chart.timeSpan(), chart.fontMetrics().height());
    const QImage image = chart.grab().toImage();
    const QRect compute = shown.barRect({0, 1.0, 6.0, Phase::Compute, false});
    QCOMPARE(image.pixelColor(compute.center()), TaskStreamChart::computeColour());
    QCOMPARE(image.pixelColor(compute.topLeft()), TaskStreamChart::computeColour());
    QVERIFY(image.pixelColor(compute.topLeft() - QPoint(0, 1)) != TaskStreamChart::computeColour());
}

QTEST_MAIN(TestTaskStreamChart)
#include "tst_taskstreamchart.moc"
