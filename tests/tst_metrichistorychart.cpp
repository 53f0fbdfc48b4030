// MetricHistoryChart (offscreen): 16 fake slaves fed over simulated time give one line each in
// the slave's palette colour, with every point inside the visible window and in the axis
// unit; pausing freezes the window while data keeps coming, scrolling moves it within the
// kept history, the window length can change, lines follow slaves appearing and leaving, and
// the chart renders to a PNG that is not blank.
#include "charts/metrichistorychart.h"
#include "charts/pngexport.h"
#include "charts/seriespalette.h"
#include "consolemodel/nodehistory.h"

#include <QChart>
#include <QImage>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

using starling::cluster::ClusterSnapshot;
using starling::cluster::NodeRole;
using starling::cluster::NodeView;
using starling::consolemodel::Metric;
using starling::consolemodel::NodeHistory;
using starling::ui::MetricHistoryChart;
using starling::ui::SeriesPalette;

namespace {

constexpr qint64 kStart = 1'700'000'000'000;
constexpr qint64 kStep = 250;

// Four slaves whose CPU (fraction of a core) and memory run from `low` to `high` of their
// maxima over two minutes: slave i sits at low + (high - low) * i / 3, with a little noise.
// `fromStep` moves it later: a chart refetches only for a window that moved.
NodeHistory levels(double lowCpu, double highCpu, double lowMiB, double highMiB, int fromStep = 0)
{
    NodeHistory history;
    for (int i = 0; i < 480; ++i) {
        ClusterSnapshot s;
        s.timeMs = kStart + (fromStep + i) * kStep;
        for (int slave = 0; slave < 4; ++slave) {
            NodeView n;
            n.rank = 2 + slave;
            n.name = QStringLiteral("slave-%1").arg(n.rank);
            n.role = NodeRole::Slave;
            n.stats.sequence = i + 1;
            n.stats.pid = 100 + slave;
            n.stats.sampledAtMs = s.timeMs;
            const double at = slave / 3.0, noise = (i % 2) * 0.002;
            n.stats.processCpu = lowCpu + (highCpu - lowCpu) * at + noise * highCpu;
            n.stats.processRssBytes =
                qint64((lowMiB + (highMiB - lowMiB) * at) * (1 + noise) * 1024 * 1024);
            s.nodes.push_back(n);
        }
        history.append(s);
    }
    return history;
}

// Slaves at ranks 2..2+slaves-1, each with its own level of CPU, memory and traffic and a
// wave on top, from kStart + fromStep * kStep on, one snapshot every 250 ms.
void feed(NodeHistory &history, int fromStep, int steps, int slaves, int firstRank = 2)
{
    for (int i = fromStep; i < fromStep + steps; ++i) {
        ClusterSnapshot s;
        s.timeMs = kStart + i * kStep;
        for (int r = firstRank; r < firstRank + slaves; ++r) {
            NodeView n;
            n.rank = r;
            n.name = QStringLiteral("slave-%1").arg(r);
            n.role = NodeRole::Slave;
            n.stats.sequence = i + 1;
            n.stats.pid = 100 + r;
            n.stats.sampledAtMs = s.timeMs;
            const double wave = 0.5 + 0.5 * std::sin(i / 40.0 + r);
            n.stats.processCpu = 0.04 * (r - 1) * wave;
            n.stats.processRssBytes = qint64((80 + 4 * r) * 1024 * 1024 * (0.9 + 0.1 * wave));
            n.stats.txBytesTotal = qint64(i) * 512 * r; // 2 KiB/s * rank
            n.stats.tasksDone = i / 4;
            n.load = 0.1 * r * wave;
            s.nodes.push_back(n);
        }
        history.append(s);
    }
}

QLineSeries *seriesNamed(const MetricHistoryChart &chart, const QString &name)
{
    for (QAbstractSeries *s : chart.chart()->series()) {
        if (s->name() == name)
            return qobject_cast<QLineSeries *>(s);
    }
    return nullptr;
}

void verifyWithinWindow(const MetricHistoryChart &chart, const std::vector<int> &ranks)
{
    const auto [from, to] = chart.visibleRange();
    for (int rank : ranks) {
        const QList<QPointF> points = chart.points(rank);
        QVERIFY2(!points.isEmpty(), qPrintable(QString::number(rank)));
        QVERIFY(points.size() <= 1600);
        for (const QPointF &p : points)
            QVERIFY2(p.x() >= double(from) && p.x() <= double(to),
                     qPrintable(QStringLiteral("%1 not in %2..%3").arg(p.x()).arg(from).arg(to)));
    }
}

} // namespace

class TestMetricHistoryChart final : public QObject
{
    Q_OBJECT

private slots:
    void sixteenSlaves();
    void pauseAndScroll();
    void windowChange();
    void longWindowRefetchesPerPixel();
    void slavesComeAndGo();
    void unitsAndHover();
    void rendersToPng();
    void cpuAxisFitsTheData();
    void memoryAxisFitsTheData();
};

void TestMetricHistoryChart::sixteenSlaves()
{
    NodeHistory history;
    feed(history, 0, 20 * 60 * 4, 16); // 20 minutes
    MetricHistoryChart chart(Metric::Cpu);
    chart.resize(900, 500);
    const qint64 now = history.lastMs();
    chart.refresh(history, now);
    QCOMPARE(chart.seriesCount(), 16);
    QCOMPARE(chart.chart()->series().size(), 16);
    QCOMPARE(chart.visibleRange(), qMakePair(now - 300'000, now)); // 5 min by default
    verifyWithinWindow(chart, history.ranks());
    for (int rank : history.ranks()) {
        QLineSeries *line = seriesNamed(chart, QStringLiteral("slave-%1").arg(rank));
        QVERIFY(line);
        QCOMPARE(line->pen().color(), SeriesPalette::colour(rank - 2));
        QCOMPARE(line->points(), chart.points(rank));
        // The window holds 1201 samples; the budget keeps them all or their extremes.
        const QList<QPointF> points = chart.points(rank);
        QVERIFY2(points.size() >= 190, qPrintable(QString::number(points.size())));
        QVERIFY(points.last().x() == double(now));
        for (const QPointF &p : points)
            QVERIFY(p.y() >= 0 && p.y() <= 0.04 * (rank - 1) * 100 + 1e-3); // percent
    }
    QCOMPARE(chart.unit(), QStringLiteral("%"));
    QCOMPARE(chart.valueAxis()->min(), 0.0);
    // Fitted to the data (up to 64 %), with headroom, within one core.
    QVERIFY(chart.valueAxis()->max() >= 64 && chart.valueAxis()->max() <= 100);

    // Refreshing again with more data replaces the lines instead of adding to them.
    feed(history, 20 * 60 * 4, 8, 16);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.seriesCount(), 16);
    QCOMPARE(chart.chart()->series().size(), 16);
    verifyWithinWindow(chart, history.ranks());
}

void TestMetricHistoryChart::pauseAndScroll()
{
    NodeHistory history;
    feed(history, 0, 10 * 60 * 4, 16); // 10 minutes
    MetricHistoryChart chart(Metric::Load);
    chart.resize(900, 500);
    chart.setWindow(60'000);
    chart.refresh(history, history.lastMs());
    const auto live = chart.visibleRange();
    QCOMPARE(live.second, history.lastMs());

    chart.setPaused(true);
    QVERIFY(chart.isPaused());
    feed(history, 10 * 60 * 4, 4 * 30, 16); // 30 s more arrive while paused
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.visibleRange(), live);
    verifyWithinWindow(chart, history.ranks());
    for (int rank : history.ranks())
        QVERIFY(chart.points(rank).last().x() <= double(live.second));

    // Scroll back three minutes: the window moves, the data follows at the refresh.
    chart.setEndTime(live.second - 180'000);
    QCOMPARE(chart.visibleRange(), qMakePair(live.first - 180'000, live.second - 180'000));
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.visibleRange().second, live.second - 180'000);
    verifyWithinWindow(chart, history.ranks());

    // Not past the newest data, nor before the window would leave the kept history.
    chart.setEndTime(history.lastMs() + 3'600'000);
    QCOMPARE(chart.endTime(), history.lastMs());
    chart.setEndTime(0);
    QCOMPARE(chart.endTime(), history.firstMs() + 60'000);
    chart.refresh(history, history.lastMs());
    verifyWithinWindow(chart, history.ranks());

    // Live again: back to the newest data; scrolling is then ignored.
    chart.setPaused(false);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.visibleRange().second, history.lastMs());
    chart.setEndTime(history.lastMs() - 100'000);
    QCOMPARE(chart.endTime(), history.lastMs());
}

void TestMetricHistoryChart::windowChange()
{
    NodeHistory history;
    feed(history, 0, 20 * 60 * 4, 16);
    MetricHistoryChart chart(Metric::TxRate);
    chart.resize(900, 500);
    const qint64 now = history.lastMs();
    for (qint64 window : MetricHistoryChart::kWindows) {
        chart.setWindow(window);
        QCOMPARE(chart.window(), window);
        chart.refresh(history, now);
        QCOMPARE(chart.visibleRange(), qMakePair(now - window, now));
        verifyWithinWindow(chart, history.ranks());
        // The hour covers all 20 minutes kept: the first point is the oldest sample.
        if (window == 3'600'000)
            QCOMPARE(chart.points(5).first().x(), double(history.firstMs()));
        else
            QVERIFY(chart.points(5).first().x() >= double(now - window));
    }
    chart.setWindow(0); // nonsense is ignored
    QCOMPARE(chart.window(), 3'600'000);
}

void TestMetricHistoryChart::longWindowRefetchesPerPixel()
{
    NodeHistory history;
    feed(history, 0, 4 * 60, 16);
    MetricHistoryChart chart(Metric::Cpu);
    chart.resize(900, 500); // about 750 px of plot: an hour moves 4.8 s a pixel
    chart.setWindow(3'600'000);
    chart.refresh(history, history.lastMs());
    const qint64 fetched = history.lastMs();
    QCOMPARE(chart.points(2).last().x(), double(fetched));
    // One more snapshot: the axis follows, the lines wait for a pixel's worth of time.
    feed(history, 4 * 60, 1, 16);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.visibleRange().second, history.lastMs());
    QCOMPARE(chart.points(2).last().x(), double(fetched));
    feed(history, 4 * 60 + 1, 4 * 5, 16);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.points(2).last().x(), double(history.lastMs()));
    // A new slave is drawn at once.
    feed(history, 4 * 65 + 1, 1, 17);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.seriesCount(), 17);
    // A short window follows every snapshot.
    chart.setWindow(60'000);
    chart.refresh(history, history.lastMs());
    feed(history, 4 * 65 + 2, 1, 17);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.points(2).last().x(), double(history.lastMs()));
}

void TestMetricHistoryChart::slavesComeAndGo()
{
    NodeHistory history(60'000); // keep one minute
    feed(history, 0, 40, 4);
    MetricHistoryChart chart(Metric::Memory);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.seriesCount(), 4);
    QVERIFY(chart.chart()->legend()->isVisible());
    // Two more slaves join (ranks 6, 7) and the first four stop reporting.
    feed(history, 40, 40, 2, 6);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.seriesCount(), 6);
    feed(history, 80, 4 * 61, 2, 6); // a minute later the silent ones have aged out
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.seriesCount(), 2);
    QVERIFY(chart.points(2).isEmpty());
    QVERIFY(!chart.points(7).isEmpty());
    QCOMPARE(seriesNamed(chart, QStringLiteral("slave-7"))->pen().color(),
             SeriesPalette::colour(5));
    // Over 16 slaves the legend gives way to the colours.
    NodeHistory many;
    feed(many, 0, 8, 24);
    chart.refresh(many, many.lastMs());
    QCOMPARE(chart.seriesCount(), 24);
    QVERIFY(!chart.chart()->legend()->isVisible());
    many.clear();
    chart.refresh(many, kStart);
    QCOMPARE(chart.seriesCount(), 0);
}

void TestMetricHistoryChart::unitsAndHover()
{
    NodeHistory history;
    feed(history, 0, 400, 3);
    const qint64 now = history.lastMs();

    MetricHistoryChart memory(Metric::Memory);
    memory.refresh(history, now);
    QCOMPARE(memory.unit(), QStringLiteral("MiB"));
    QVERIFY(memory.valueAxis()->titleText().contains(QStringLiteral("MiB")));
    const QPointF last = memory.points(4).last();
    QVERIFY(last.y() > 80 && last.y() < 100); // (80 + 16) MiB * 0.9..1.0
    QVERIFY(memory.valueAxis()->max() >= last.y());
    const QString hover = memory.hoverText(4, last.x() - 10);
    QVERIFY2(hover.startsWith(QStringLiteral("slave-4\n")), qPrintable(hover));
    QVERIFY2(hover.endsWith(QStringLiteral(" MiB")), qPrintable(hover));
    QCOMPARE(memory.hoverText(99, last.x()), QString());

    // slave-3 sends 1.5 KiB every 250 ms: 6 KiB/s.
    MetricHistoryChart tx(Metric::TxRate);
    tx.refresh(history, now);
    QCOMPARE(tx.unit(), QStringLiteral("KiB/s"));
    QCOMPARE(tx.points(3).last().y(), 6.0);
    QVERIFY(tx.valueAxis()->max() > 8.0); // headroom above the largest (8 KiB/s)
    QVERIFY2(tx.hoverText(3, double(now)).endsWith(QStringLiteral("6.0 KiB/s")),
             qPrintable(tx.hoverText(3, double(now))));

    MetricHistoryChart cpu(Metric::Cpu);
    cpu.refresh(history, now);
    QVERIFY(cpu.hoverText(2, double(now)).contains(QStringLiteral("% of one core")));
}

// Typical 2-15 % fill a fitted axis instead of lying flat under a fixed 0-100 %; a flat idle
// line is not magnified; 90 % still fits under 100 %; the fixed scale is exactly 0-100 %.
void TestMetricHistoryChart::cpuAxisFitsTheData()
{
    MetricHistoryChart chart(Metric::Cpu);
    chart.resize(900, 500);
    QVERIFY(chart.scaleToggle());
    QVERIFY(!chart.isFixedScale());
    const NodeHistory typical = levels(0.02, 0.15, 30, 35);
    chart.refresh(typical, typical.lastMs());
    const QValueAxis *axis = chart.valueAxis();
    QCOMPARE(axis->min(), 0.0);
    QVERIFY2(axis->max() >= 15 && axis->max() < 40, qPrintable(QString::number(axis->max())));

    chart.scaleToggle()->click(); // the operator's button
    QVERIFY(chart.isFixedScale());
    QCOMPARE(axis->min(), 0.0);
    QCOMPARE(axis->max(), 100.0);
    chart.setFixedScale(false);
    QVERIFY(!chart.scaleToggle()->isChecked());
    QVERIFY(axis->max() < 40);

    const NodeHistory idle = levels(0.001, 0.003, 30, 30, 1000);
    chart.refresh(idle, idle.lastMs());
    QVERIFY2(axis->max() >= 5 && axis->max() <= 10, qPrintable(QString::number(axis->max())));

    const NodeHistory busy = levels(0.3, 0.9, 30, 35, 2000);
    chart.refresh(busy, busy.lastMs());
    QVERIFY2(axis->max() >= 90 && axis->max() <= 100, qPrintable(QString::number(axis->max())));
}

// Memory around its values (30-35 MiB) instead of from 0; fixed, from 0 again.
void TestMetricHistoryChart::memoryAxisFitsTheData()
{
    MetricHistoryChart chart(Metric::Memory);
    chart.resize(900, 500);
    const NodeHistory history = levels(0.02, 0.15, 30, 35);
    chart.refresh(history, history.lastMs());
    QCOMPARE(chart.unit(), QStringLiteral("MiB"));
    const QValueAxis *axis = chart.valueAxis();
    QVERIFY2(axis->min() > 20 && axis->min() <= 30, qPrintable(QString::number(axis->min())));
    QVERIFY2(axis->max() >= 35 && axis->max() < 45, qPrintable(QString::number(axis->max())));
    chart.setFixedScale(true);
    QCOMPARE(axis->min(), 0.0);
    QVERIFY(axis->max() >= 35);
    // Rates keep their scale from 0 whatever the choice.
    MetricHistoryChart tx(Metric::TxRate);
    QVERIFY(!tx.scaleToggle());
}

void TestMetricHistoryChart::rendersToPng()
{
    NodeHistory history;
    feed(history, 0, 6 * 60 * 4, 16);
    MetricHistoryChart chart(Metric::Cpu);
    chart.resize(900, 500);
    chart.refresh(history, history.lastMs());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("cpu.png"));
    QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(900, 500), path), QString());
    chart.refresh(history, history.lastMs()); // now with the real plot width
    QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(900, 500), path), QString());
    const QImage image(path);
    QCOMPARE(image.size(), QSize(900, 500));
    const QRgb background = image.pixel(2, 2);
    int differing = 0;
    int coloured = 0; // pixels in one of the slaves' colours: the lines were drawn
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            differing += image.pixel(x, y) != background ? 1 : 0;
            const QColor c(image.pixel(x, y));
            const QColor want = SeriesPalette::colour(1);
            coloured += std::abs(c.red() - want.red()) + std::abs(c.green() - want.green()) +
                                    std::abs(c.blue() - want.blue()) <
                                20
                            ? 1
                            : 0;
        }
    }
    QVERIFY2(differing > 5000, qPrintable(QString::number(differing)));
    QVERIFY2(coloured > 50, qPrintable(QString::number(coloured)));
    if (qEnvironmentVariableIsSet("STARLING_KEEP_PNG"))
        QFile::copy(path, qEnvironmentVariable("STARLING_KEEP_PNG") + QStringLiteral("/cpu.png"));

    // On a dark palette the chart turns dark and the slaves keep their colours.
    QPalette dark = chart.palette();
    dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    chart.setPalette(dark);
    QCOMPARE(chart.chart()->theme(), QChart::ChartThemeDark);
    QCOMPARE(seriesNamed(chart, QStringLiteral("slave-5"))->pen().color(),
             SeriesPalette::colour(3));
    const QString darkPath = dir.filePath(QStringLiteral("cpu-dark.png"));
    QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(900, 500), darkPath), QString());
    QVERIFY(QColor(QImage(darkPath).pixel(450, 250)).lightness() < 128);
    if (qEnvironmentVariableIsSet("STARLING_KEEP_PNG"))
        QFile::copy(darkPath,
                    qEnvironmentVariable("STARLING_KEEP_PNG") + QStringLiteral("/cpu-dark.png"));
}

QTEST_MAIN(TestMetricHistoryChart)
#include "tst_metrichistorychart.moc"
