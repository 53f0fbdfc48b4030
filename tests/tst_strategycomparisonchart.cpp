// StrategyComparisonChart (offscreen): finished jobs grouped by strategy/order into
// categories that show their job count, the median measured makespan beside the median of the
// predictions that were given, jobs without a usable makespan left out, the empty state, and
// readable renders on a light and a dark palette.
#include "charts/pngexport.h"
#include "charts/strategycomparisonchart.h"
#include "renderchecks.h"

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <limits>

using starling::consolemodel::FinishedJob;
using starling::ui::StrategyComparisonChart;

using starling::testing::darkPalette;
using starling::testing::differing;

namespace {

// "strategy/order makespan predicted" per job, separated by commas.
std::deque<FinishedJob> jobs(const QString &spec)
{
    std::deque<FinishedJob> out;
    int n = 0;
    for (const QString &item : spec.split(u',', Qt::SkipEmptyParts)) {
        const QStringList f = item.simplified().split(u' ');
        FinishedJob j;
        j.id = QStringLiteral("job-%1").arg(++n);
        j.strategy = f.value(0).section(u'/', 0, 0);
        j.order = f.value(0).section(u'/', 1, 1);
        const auto number = [](const QString &s) {
            return s == u"nan"   ? std::numeric_limits<double>::quiet_NaN()
                   : s == u"inf" ? std::numeric_limits<double>::infinity()
                                 : s.toDouble();
        };
        j.makespanS = number(f.value(1));
        j.predictedS = number(f.value(2));
        j.units = 100 * n;
        out.push_back(j);
    }
    return out;
}

} // namespace

class TestStrategyComparisonChart final : public QObject
{
    Q_OBJECT

private slots:
    void medians_data();
    void medians();
    void emptyState();
    void rendersOnLightAndDark();
};

void TestStrategyComparisonChart::medians_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("categories");
    QTest::addColumn<QList<double>>("measured");
    QTest::addColumn<QList<double>>("predicted");

    QTest::newRow("one job") << QStringLiteral("pdds/dec 2 1.5")
                             << QStringList{QStringLiteral("pdds/dec (1)")} << QList<double>{2}
                             << QList<double>{1.5};
    QTest::newRow("odd count, one slowed job does not move the median")
        << QStringLiteral("pdds/dec 1 1.1, pdds/dec 30 1.1, pdds/dec 2 1.3")
        << QStringList{QStringLiteral("pdds/dec (3)")} << QList<double>{2} << QList<double>{1.1};
    QTest::newRow("even count averages the middle two")
        << QStringLiteral("equal/dec 4 0, equal/dec 1 0, equal/dec 3 0, equal/dec 2 0")
        << QStringList{QStringLiteral("equal/dec (4)")} << QList<double>{2.5} << QList<double>{0};
    QTest::newRow("predictions only where given")
        << QStringLiteral("optimal/dec 1 0, optimal/dec 2 4, optimal/dec 3 0")
        << QStringList{QStringLiteral("optimal/dec (3)")} << QList<double>{2} << QList<double>{4};
    QTest::newRow("categories sorted by label, counts per label")
        << QStringLiteral(
               "pdds/inc 3 3, equal/dec 5 4, pdds/dec 2 2, pdds/inc 5 3, dynamic/dec 4 0")
        << QStringList{QStringLiteral("dynamic/dec (1)"), QStringLiteral("equal/dec (1)"),
                       QStringLiteral("pdds/dec (1)"), QStringLiteral("pdds/inc (2)")}
        << QList<double>{4, 5, 2, 4} << QList<double>{0, 4, 2, 3};
    QTest::newRow("jobs without a usable makespan left out")
        << QStringLiteral("cpu/dec 0 1, cpu/dec -2 1, cpu/dec nan 1, cpu/dec inf 1, cpu/dec 3 nan, "
                          "bw/dec 0 2")
        << QStringList{QStringLiteral("cpu/dec (1)")} << QList<double>{3} << QList<double>{0};
}

void TestStrategyComparisonChart::medians()
{
    QFETCH(QString, spec);
    QFETCH(QStringList, categories);
    QFETCH(QList<double>, measured);
    QFETCH(QList<double>, predicted);
    StrategyComparisonChart chart;
    chart.setJobs(jobs(spec));
    QCOMPARE(chart.categories(), categories);
    QList<double> gotMeasured, gotPredicted;
    double highest = 0;
    for (const StrategyComparisonChart::Group &g : chart.groups()) {
        gotMeasured << g.measuredS;
        gotPredicted << g.predictedS;
        highest = std::max({highest, g.measuredS, g.predictedS});
    }
    QCOMPARE(gotMeasured, measured);
    QCOMPARE(gotPredicted, predicted);
    // The bars carry the same numbers, and the axis has room above the tallest.
    const QList<QBarSet *> sets = chart.series()->barSets();
    QCOMPARE(sets.size(), 2);
    for (int i = 0; i < int(measured.size()); ++i) {
        QCOMPARE(sets[0]->at(i), measured[i]);
        QCOMPARE(sets[1]->at(i), predicted[i]);
    }
    QVERIFY(chart.valueAxis()->max() >= highest * 1.1);
    QCOMPARE(chart.valueAxis()->min(), 0.0);
    QVERIFY(!chart.isEmpty());
}

void TestStrategyComparisonChart::emptyState()
{
    StrategyComparisonChart chart;
    chart.resize(600, 300);
    chart.setAttribute(Qt::WA_DontShowOnScreen);
    chart.show();
    auto *label = chart.findChild<QLabel *>();
    QVERIFY(label);
    QVERIFY(chart.isEmpty());
    QVERIFY(label->text().contains(QStringLiteral("run image jobs to compare strategies")));
    QVERIFY(label->isVisible());
    chart.setJobs(jobs(QStringLiteral("pdds/dec 2 1.5")));
    QVERIFY(!label->isVisible());
    QCOMPARE(chart.series()->barSets()[0]->count(), 1);
    // Only garbage: empty again, with no bars left from before.
    chart.setJobs(jobs(QStringLiteral("pdds/dec 0 1")));
    QVERIFY(chart.isEmpty());
    QVERIFY(label->isVisible());
    QCOMPARE(chart.series()->barSets()[0]->count(), 0);
    QVERIFY(chart.categories().isEmpty());
}

void TestStrategyComparisonChart::rendersOnLightAndDark()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString keep = qEnvironmentVariable("STARLING_KEEP_PNG");
    const std::deque<FinishedJob> some =
        jobs(QStringLiteral("pdds/dec 2.1 1.9, pdds/dec 2.3 1.9, pdds/dec 2.0 2.0, equal/dec 3.4 "
                            "3.0, equal/dec 3.1 3.0, optimal/dec 1.8 1.7, dynamic/dec 2.2 0, "
                            "pdds/inc 2.6 2.4"));
    for (const bool dark : {false, true}) {
        for (const bool empty : {false, true}) {
            StrategyComparisonChart chart;
            if (dark)
                chart.setPalette(darkPalette(chart.palette()));
            chart.setJobs(empty ? std::deque<FinishedJob>{} : some);
            const QString name = QStringLiteral("strategies-%1-%2.png")
                                     .arg(empty ? QStringLiteral("empty") : QStringLiteral("jobs"),
                                          dark ? QStringLiteral("dark") : QStringLiteral("light"));
            const QString path = dir.filePath(name);
            QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(800, 420), path), QString());
            const QImage image(path);
            QCOMPARE(image.size(), QSize(800, 420));
            // Background and text of opposite lightness: light pixels on dark or dark on light.
            const QColor corner = image.pixelColor(2, 2);
            QVERIFY2(dark == (corner.lightness() < 128), qPrintable(name));
            int contrasting = 0;
            for (int y = 0; y < image.height(); ++y) {
                for (int x = 0; x < image.width(); ++x)
                    contrasting +=
                        qAbs(image.pixelColor(x, y).lightness() - corner.lightness()) > 80 ? 1 : 0;
            }
            QVERIFY2(contrasting > (empty ? 100 : 2000),
                     qPrintable(QStringLiteral("%1: %2").arg(name).arg(contrasting)));
            if (!keep.isEmpty())
                QFile::copy(path, keep + QLatin1Char('/') + name);
        }
    }
}

QTEST_MAIN(TestStrategyComparisonChart)
#include "tst_strategycomparisonchart.moc"
