// The makespan chart holds one bar set per strategy/order and one value per task count, equal
// to the simulated makespans, and renders to a PNG without a display.
#include "charts/makespanchart.h"
#include "charts/pngexport.h"
#include "sim/paperexperiment.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using starling::sim::PaperExperiment;
using starling::sim::PaperRow;
using starling::ui::MakespanChart;

class TestMakespanChart final : public QObject
{
    Q_OBJECT

private slots:
    void barsHoldTheMakespans()
    {
        std::vector<PaperRow> rows;
        for (const PaperRow &row : PaperExperiment::run(false)) {
            if (row.unitMB == 8)
                rows.push_back(row);
        }
        MakespanChart chart;
        chart.setRows(QStringLiteral("compute"), rows);
        QCOMPARE(chart.chart()->title(), QStringLiteral("compute"));
        const QList<QBarSet *> sets = chart.series()->barSets();
        QCOMPARE(sets.size(), 8);
        auto *axis = qobject_cast<QBarCategoryAxis *>(chart.chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(axis);
        QCOMPARE(axis->categories(),
                 QStringList({QStringLiteral("20"), QStringLiteral("60"), QStringLiteral("100")}));
        for (const PaperRow &row : rows) {
            QBarSet *set = nullptr;
            for (QBarSet *s : sets) {
                if (s->label() == row.label())
                    set = s;
            }
            QVERIFY2(set, qPrintable(row.label()));
            const int column = axis->categories().indexOf(QString::number(row.tasks));
            QCOMPARE(set->at(column), row.makespan);
        }
        // Setting new rows replaces the old bars instead of adding to them.
        chart.setRows(QStringLiteral("again"), rows);
        QCOMPARE(chart.series()->barSets().size(), 8);
    }

    void rendersToPng()
    {
        std::vector<PaperRow> rows = PaperExperiment::run(false);
        MakespanChart chart;
        chart.setRows(QStringLiteral("all"), rows);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("chart.png"));
        QCOMPARE(starling::ui::saveWidgetPng(&chart, QSize(800, 500), path), QString());
        const QImage image(path);
        QCOMPARE(image.size(), QSize(800, 500));
        // Bars, axes and text make many distinct colours; a blank render has one or two.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 4) {
            for (int x = 0; x < image.width(); x += 4)
                colours.insert(image.pixel(x, y));
        }
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        QVERIFY(!starling::ui::saveWidgetPng(&chart, QSize(100, 100),
                                             dir.filePath(QStringLiteral("missing/dir/x.png")))
                     .isEmpty());
    }
};

QTEST_MAIN(TestMakespanChart)
#include "tst_makespanchart.moc"
