// The strip kernel's promise: every op gives, for any split of an image into strips (with the
// halos rowsplit's withHalo() gives them), exactly the rows of applyToImage() on the whole
// image; odd sizes included. And each op does what its name says (checked against OpenCV's
// own calls on the whole image, and on images whose answer is known).
#include "image/rowsplit.h"
#include "image/stripkernel.h"

#include "testimages.h"

#include <QRandomGenerator>
#include <QTest>

#include <opencv2/imgproc.hpp>

using namespace starling::image;
using starling::testing::noiseImage;

namespace {

ImageBuffer rowsOf(const ImageBuffer &img, RowRange rows)
{
    ImageBuffer out;
    out.width = img.width;
    out.height = rows.size();
    out.channels = img.channels;
    out.pixels = img.pixels.mid(qsizetype(rows.begin) * img.rowBytes(),
                                qsizetype(rows.size()) * img.rowBytes());
    return out;
}

// Runs `op` strip by strip over the cuts (row indices where a strip starts) and stitches.
ImageBuffer stripped(const ImageOp &op, const ImageBuffer &img, const std::vector<int> &starts)
{
    ImageBuffer out;
    for (size_t i = 0; i < starts.size(); ++i) {
        const RowRange rows{starts[i], i + 1 < starts.size() ? starts[i + 1] : img.height};
        const RowRange halo = withHalo(rows, op.haloRows(), img.height);
        const auto part =
            applyToStrip(op, rowsOf(img, halo), rows.begin - halo.begin, halo.end - rows.end);
        if (!part)
            return {};
        if (i == 0) {
            out = *part;
            out.height = rows.size();
        } else {
            out.pixels += part->pixels;
            out.height += part->height;
        }
    }
    return out;
}

std::vector<ImageOp> allOps()
{
    std::vector<ImageOp> ops;
    for (double sigma : {0.5, 1.0, 2.0, 4.5})
        ops.push_back(*ImageOp::make(QStringLiteral("blur"), sigma, std::nullopt));
    ops.push_back(*ImageOp::make(QStringLiteral("sobel"), std::nullopt, std::nullopt));
    for (int radius : {1, 2, 3, 7})
        ops.push_back(*ImageOp::make(QStringLiteral("median"), std::nullopt, radius));
    ops.push_back(*ImageOp::make(QStringLiteral("grey"), std::nullopt, std::nullopt));
    return ops;
}

cv::Mat matOf(const ImageBuffer &img)
{
    return cv::Mat(img.height, img.width, img.channels == 1 ? CV_8UC1 : CV_8UC3,
                   const_cast<char *>(img.pixels.constData()), size_t(img.rowBytes()));
}

} // namespace

class TestStripKernel : public QObject
{
    Q_OBJECT

private slots:
    void everySplitIsIdentical_data();
    void everySplitIsIdentical();
    void matchesOpenCvOnTheWholeImage_data();
    void matchesOpenCvOnTheWholeImage();
    void opsDoWhatTheySay();
    void badStripsRefused();
};

void TestStripKernel::everySplitIsIdentical_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("channels");
    for (const auto &[w, h] : std::vector<std::pair<int, int>>{
             {1, 1}, {9, 1}, {1, 13}, {7, 13}, {97, 101}, {64, 64}, {5, 3}}) {
        for (int c : {1, 3})
            QTest::addRow("%dx%d c%d", w, h, c) << w << h << c;
    }
}

void TestStripKernel::everySplitIsIdentical()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, channels);
    const ImageBuffer img = noiseImage(width, height, channels, quint32(width * 31 + height));
    QRandomGenerator rng{quint32(height)};
    for (const ImageOp &op : allOps()) {
        const auto whole = applyToImage(op, img);
        QVERIFY2(whole, qPrintable(whole.error()));
        QCOMPARE(whole->height, height);
        QCOMPARE(whole->channels, op.outputChannels(channels));
        std::vector<std::vector<int>> splits;
        splits.push_back({0});
        std::vector<int> everyRow;
        for (int y = 0; y < height; ++y)
            everyRow.push_back(y);
        splits.push_back(everyRow);
        for (int units : {2, 3, 8, 100}) {
            const UnitRows u(height, units);
            std::vector<int> starts;
            for (int k = 0; k < u.units(); ++k)
                starts.push_back(u.unit(k).begin);
            splits.push_back(starts);
        }
        for (int trial = 0; trial < 5 && height > 1; ++trial) {
            std::vector<int> starts{0};
            for (int y = 1; y < height; ++y) {
                if (rng.bounded(4) == 0)
                    starts.push_back(y);
            }
            splits.push_back(starts);
        }
        for (const std::vector<int> &starts : splits) {
            const ImageBuffer joined = stripped(op, img, starts);
            QVERIFY2(
                joined == *whole,
                qPrintable(QStringLiteral("%1 in %2 strips").arg(op.name()).arg(starts.size())));
        }
    }
}

void TestStripKernel::matchesOpenCvOnTheWholeImage_data()
{
    QTest::addColumn<int>("channels");
    QTest::newRow("grey") << 1;
    QTest::newRow("rgb") << 3;
}

void TestStripKernel::matchesOpenCvOnTheWholeImage()
{
    QFETCH(int, channels);
    const ImageBuffer img = noiseImage(53, 47, channels, 5);
    const cv::Mat in = matOf(img);
    const auto blur = ImageOp::make(QStringLiteral("blur"), 1.5, std::nullopt);
    const auto ours = applyToImage(*blur, img);
    QVERIFY(ours);
    cv::Mat reference;
    cv::GaussianBlur(in, reference, cv::Size(blur->blurKernelSize(), blur->blurKernelSize()), 1.5,
                     1.5, cv::BORDER_REFLECT_101);
    QVERIFY(cv::countNonZero(matOf(*ours).reshape(1) != reference.reshape(1)) == 0);

    const auto median = ImageOp::make(QStringLiteral("median"), std::nullopt, 2);
    const auto ourMedian = applyToImage(*median, img);
    QVERIFY(ourMedian);
    cv::medianBlur(in, reference, 5);
    QVERIFY(cv::countNonZero(matOf(*ourMedian).reshape(1) != reference.reshape(1)) == 0);
}

void TestStripKernel::opsDoWhatTheySay()
{
    // Grey of pure colours: OpenCV's RGB2GRAY weights (0.299, 0.587, 0.114), rounded.
    ImageBuffer rgb = ImageBuffer::allocate(3, 1, 3);
    const uchar colours[9] = {255, 0, 0, 0, 255, 0, 0, 0, 255};
    std::memcpy(rgb.row(0), colours, 9);
    const auto grey = applyToImage(*ImageOp::make(QStringLiteral("grey"), {}, {}), rgb);
    QVERIFY(grey);
    QCOMPARE(grey->channels, 1);
    QCOMPARE(int(grey->row(0)[0]), 76);
    QCOMPARE(int(grey->row(0)[1]), 150);
    QCOMPARE(int(grey->row(0)[2]), 29);

    // A constant image stays constant under blur and median, and has no edges.
    ImageBuffer flat = ImageBuffer::allocate(20, 20, 1);
    flat.pixels.fill(char(90));
    for (const ImageOp &op : allOps()) {
        const auto out = applyToImage(op, flat);
        QVERIFY(out);
        const char expected = op.kind == OpKind::Sobel ? char(0) : char(90);
        QVERIFY2(out->pixels == QByteArray(out->pixels.size(), expected), qPrintable(op.name()));
    }

    // A vertical step edge: large Sobel magnitude at the step, zero far from it.
    ImageBuffer step = ImageBuffer::allocate(20, 10, 1);
    for (int y = 0; y < 10; ++y)
        std::memset(step.row(y) + 10, 200, 10);
    const auto edges = applyToImage(*ImageOp::make(QStringLiteral("sobel"), {}, {}), step);
    QVERIFY(edges);
    QCOMPARE(int(edges->row(5)[10]), 255);
    QCOMPARE(int(edges->row(5)[2]), 0);
    QCOMPARE(int(edges->row(5)[17]), 0);

    // A single salt pixel disappears under the median.
    ImageBuffer salt = ImageBuffer::allocate(9, 9, 1);
    salt.row(4)[4] = 255;
    const auto cleaned = applyToImage(*ImageOp::make(QStringLiteral("median"), {}, 1), salt);
    QVERIFY(cleaned);
    QCOMPARE(int(cleaned->row(4)[4]), 0);
}

void TestStripKernel::badStripsRefused()
{
    const ImageOp blur = *ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt); // halo 3
    const ImageBuffer img = noiseImage(8, 10, 1, 1);
    QVERIFY(!applyToStrip(blur, img, 5, 0));  // a halo longer than the op needs
    QVERIFY(!applyToStrip(blur, img, 3, 7));  // no rows left
    QVERIFY(!applyToStrip(blur, img, -1, 0)); // negative
    ImageBuffer broken = img;
    broken.pixels.chop(1);
    const auto r = applyToStrip(blur, broken, 0, 0);
    QVERIFY(!r);
    QVERIFY(!r.error().contains(u'\n'));
    ImageBuffer twoChannels = ImageBuffer::allocate(4, 4, 2);
    QVERIFY(!applyToImage(blur, twoChannels));
}

QTEST_GUILESS_MAIN(TestStripKernel)
#include "tst_stripkernel.moc"
