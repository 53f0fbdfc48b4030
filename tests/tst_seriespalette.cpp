// The series palette: a slave keeps its colour (the same index gives the same colour, and the
// name "slave-N" maps to index N - 2), and the first 40 slaves all get different colours.
#include "charts/seriespalette.h"

#include <QSet>
#include <QTest>

using starling::ui::SeriesPalette;

class TestSeriesPalette : public QObject
{
    Q_OBJECT

private slots:
    void stableAndDistinct()
    {
        QSet<QRgb> seen;
        for (int i = 0; i < 40; ++i) {
            QCOMPARE(SeriesPalette::colour(i), SeriesPalette::colour(i));
            seen.insert(SeriesPalette::colour(i).rgb());
        }
        QCOMPARE(seen.size(), 40);
        QCOMPARE(SeriesPalette::slaveColour(QStringLiteral("slave-7"), 0),
                 SeriesPalette::colour(5));
        QVERIFY(SeriesPalette::colour(-3).isValid());
    }
};

QTEST_MAIN(TestSeriesPalette)
#include "tst_seriespalette.moc"
