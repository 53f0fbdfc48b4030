// ImageOp (names, parameters, halos, costs, JSON) and UnitRows (paper 2's unit tasks as rows).
#include "image/imageop.h"
#include "image/rowsplit.h"

#include <QJsonDocument>
#include <QTest>

using namespace starling::image;

class TestImageOp : public QObject
{
    Q_OBJECT

private slots:
    void make_data();
    void make();
    void halosAndChannels();
    void jsonRoundTrip();
    void badJson_data();
    void badJson();
    void unitRows_data();
    void unitRows();
    void halo();
};

void TestImageOp::make_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("sigma");  // < 0: not given
    QTest::addColumn<int>("radius");    // < 0: not given
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::newRow("blur default") << "blur" << -1.0 << -1 << "";
    QTest::newRow("blur sigma") << "blur" << 3.5 << -1 << "";
    QTest::newRow("blur smallest") << "blur" << 0.1 << -1 << "";
    QTest::newRow("blur largest") << "blur" << 50.0 << -1 << "";
    QTest::newRow("blur too small") << "blur" << 0.05 << -1 << "sigma must be from 0.1 to 50";
    QTest::newRow("blur too large") << "blur" << 51.0 << -1 << "sigma must be";
    QTest::newRow("blur with radius") << "blur" << -1.0 << 2 << "radius is for median";
    QTest::newRow("median") << "median" << -1.0 << 4 << "";
    QTest::newRow("median 0") << "median" << -1.0 << 0 << "radius must be from 1 to 50";
    QTest::newRow("median 51") << "median" << -1.0 << 51 << "radius must be";
    QTest::newRow("median with sigma") << "median" << 1.0 << -1 << "sigma is for blur";
    QTest::newRow("sobel") << "sobel" << -1.0 << -1 << "";
    QTest::newRow("sobel with sigma") << "sobel" << 1.0 << -1 << "sigma is for blur";
    QTest::newRow("grey") << "grey" << -1.0 << -1 << "";
    QTest::newRow("gray spelling") << "gray" << -1.0 << -1 << "";
    QTest::newRow("unknown") << "sharpen" << -1.0 << -1 << "unknown op \"sharpen\"";
    QTest::newRow("empty") << "" << -1.0 << -1 << "unknown op";
    QTest::newRow("upper case") << "BLUR" << -1.0 << -1 << "unknown op";
}

void TestImageOp::make()
{
    QFETCH(QString, name);
    QFETCH(double, sigma);
    QFETCH(int, radius);
    QFETCH(QString, error);
    const auto op = ImageOp::make(name, sigma >= 0 ? std::optional(sigma) : std::nullopt,
                                  radius >= 0 ? std::optional(radius) : std::nullopt);
    if (error.isEmpty()) {
        QVERIFY2(op, qPrintable(op.error()));
        if (sigma >= 0)
            QCOMPARE(op->sigma, sigma);
        if (radius >= 0)
            QCOMPARE(op->radius, radius);
    } else {
        QVERIFY(!op);
        QVERIFY2(op.error().contains(error), qPrintable(op.error()));
        QCOMPARE(op.errorCode(), QStringLiteral("bad_request"));
    }
}

void TestImageOp::halosAndChannels()
{
    QCOMPARE(ImageOp::make(QStringLiteral("blur"), 1.0, {})->haloRows(), 3);
    QCOMPARE(ImageOp::make(QStringLiteral("blur"), 2.0, {})->haloRows(), 6);
    QCOMPARE(ImageOp::make(QStringLiteral("blur"), 0.1, {})->haloRows(), 1);
    QCOMPARE(ImageOp::make(QStringLiteral("median"), {}, 5)->haloRows(), 5);
    QCOMPARE(ImageOp::make(QStringLiteral("sobel"), {}, {})->haloRows(), 1);
    QCOMPARE(ImageOp::make(QStringLiteral("grey"), {}, {})->haloRows(), 0);
    QCOMPARE(ImageOp::make(QStringLiteral("grey"), {}, {})->outputChannels(3), 1);
    QCOMPARE(ImageOp::make(QStringLiteral("sobel"), {}, {})->outputChannels(3), 1);
    QCOMPARE(ImageOp::make(QStringLiteral("blur"), {}, {})->outputChannels(3), 3);
    QCOMPARE(ImageOp::make(QStringLiteral("median"), {}, {})->outputChannels(1), 1);
    QVERIFY(ImageOp::make(QStringLiteral("blur"), 4.0, {})->relativeCost() >
            ImageOp::make(QStringLiteral("blur"), 1.0, {})->relativeCost());
    QCOMPARE(ImageOp::make(QStringLiteral("sobel"), {}, {})->relativeCost(), 1.0);
}

void TestImageOp::jsonRoundTrip()
{
    for (const auto &op : {*ImageOp::make(QStringLiteral("blur"), 2.5, {}),
                           *ImageOp::make(QStringLiteral("median"), {}, 7),
                           *ImageOp::make(QStringLiteral("sobel"), {}, {}),
                           *ImageOp::make(QStringLiteral("grey"), {}, {})}) {
        const auto back = ImageOp::fromJson(op.toJson());
        QVERIFY2(back, qPrintable(back.error()));
        QVERIFY(*back == op);
    }
}

void TestImageOp::badJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << QByteArray("{}");
    QTest::newRow("op a number") << QByteArray("{\"op\": 3}");
    QTest::newRow("unknown op") << QByteArray("{\"op\": \"warp\"}");
    QTest::newRow("unknown key") << QByteArray("{\"op\": \"grey\", \"x\": 1}");
    QTest::newRow("sigma a string") << QByteArray("{\"op\": \"blur\", \"sigma\": \"2\"}");
    QTest::newRow("sigma out of range") << QByteArray("{\"op\": \"blur\", \"sigma\": 1e9}");
    QTest::newRow("radius fractional") << QByteArray("{\"op\": \"median\", \"radius\": 2.5}");
    QTest::newRow("radius huge") << QByteArray("{\"op\": \"median\", \"radius\": 1e300}");
    QTest::newRow("radius on grey") << QByteArray("{\"op\": \"grey\", \"radius\": 2}");
}

void TestImageOp::badJson()
{
    QFETCH(QByteArray, json);
    const auto op = ImageOp::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY(!op);
    QVERIFY(!op.error().isEmpty() && !op.error().contains(u'\n'));
}

void TestImageOp::unitRows_data()
{
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("units");
    QTest::addColumn<int>("expectedUnits");
    QTest::newRow("even") << 100 << 10 << 10;
    QTest::newRow("uneven") << 101 << 10 << 10;
    QTest::newRow("prime") << 97 << 20 << 20;
    QTest::newRow("more units than rows") << 3 << 100 << 3;
    QTest::newRow("one row") << 1 << 100 << 1;
    QTest::newRow("one unit") << 50 << 1 << 1;
    QTest::newRow("zero units counts as one") << 50 << 0 << 1;
}

void TestImageOp::unitRows()
{
    QFETCH(int, height);
    QFETCH(int, units);
    QFETCH(int, expectedUnits);
    const UnitRows u(height, units);
    QCOMPARE(u.units(), expectedUnits);
    int next = 0;
    int smallest = height, largest = 0;
    for (int k = 0; k < u.units(); ++k) {
        const RowRange r = u.unit(k);
        QCOMPARE(r.begin, next); // consecutive, no gap, no overlap
        QVERIFY(r.size() >= 1);
        smallest = qMin(smallest, r.size());
        largest = qMax(largest, r.size());
        next = r.end;
    }
    QCOMPARE(next, height);
    QVERIFY(largest - smallest <= 1); // as equal as possible
    QCOMPARE(u.span(0, u.units()), (RowRange{0, height}));
    if (u.units() >= 3)
        QCOMPARE(u.span(1, 2), (RowRange{u.unit(1).begin, u.unit(2).end}));
    QCOMPARE(u.span(u.units(), 5).size(), 0); // past the end: empty
}

void TestImageOp::halo()
{
    QCOMPARE(withHalo({10, 20}, 3, 100), (RowRange{7, 23}));
    QCOMPARE(withHalo({1, 20}, 3, 100), (RowRange{0, 23}));
    QCOMPARE(withHalo({90, 99}, 3, 100), (RowRange{87, 100}));
    QCOMPARE(withHalo({0, 1}, 5, 1), (RowRange{0, 1}));
    QCOMPARE(withHalo({4, 5}, 0, 10), (RowRange{4, 5}));
}

QTEST_GUILESS_MAIN(TestImageOp)
#include "tst_imageop.moc"
