// Image codecs: every format round-trips grey and RGB (JPEG within its loss), PNG conversions
// (palette, alpha, 16-bit) land on 8-bit grey or RGB, and every hostile file — garbage, cut at
// any length, zero-size, a header claiming a huge image, a bad maxval — is a one-line error
// with the right code, decided from the header before any pixel memory is taken.
#include "image/imagecodec.h"

#include "testimages.h"

#include <QTest>

#include <png.h>
#include <zlib.h>

using namespace starling::image;
using starling::testing::noiseImage;

namespace {

// A smooth image: JPEG keeps it close, so a round trip can be checked by error size.
ImageBuffer gradient(int width, int height, int channels)
{
    ImageBuffer img = ImageBuffer::allocate(width, height, channels);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < channels; ++c)
                img.row(y)[x * channels + c] = uchar((x * 4 + y * 2 + c * 40) % 256);
        }
    }
    return img;
}

// A PNG written with libpng's low-level API in any colour type and depth.
QByteArray pngOf(int width, int height, int colourType, int depth, const QByteArray &rows,
                 const QByteArray &palette = {})
{
    png_image unused{};
    Q_UNUSED(unused);
    QByteArray out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep data, png_size_t length) {
            static_cast<QByteArray *>(png_get_io_ptr(p))
                ->append(reinterpret_cast<const char *>(data), qsizetype(length));
        },
        nullptr);
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), depth, colourType,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!palette.isEmpty())
        png_set_PLTE(png, info, reinterpret_cast<png_const_colorp>(palette.constData()),
                     int(palette.size() / 3));
    png_write_info(png, info);
    const qsizetype rowBytes = rows.size() / height;
    for (int y = 0; y < height; ++y)
        png_write_row(png, reinterpret_cast<png_const_bytep>(rows.constData() + y * rowBytes));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

} // namespace

class TestImageCodec : public QObject
{
    Q_OBJECT

private slots:
    void losslessRoundTrip_data();
    void losslessRoundTrip();
    void jpegRoundTripIsClose();
    void encodingIsDeterministic();
    void formatConversions();
    void pngConversions();
    void asciiPnm();
    void pnmMaxvalScaled();
    void hostile_data();
    void hostile();
    void truncatedAtManyLengths_data();
    void truncatedAtManyLengths();
    void hugeHeadersRefusedFromTheHeader_data();
    void hugeHeadersRefusedFromTheHeader();
    void formatNames();
};

void TestImageCodec::losslessRoundTrip_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("channels");
    QTest::newRow("png grey") << int(ImageFormat::Png) << 1;
    QTest::newRow("png rgb") << int(ImageFormat::Png) << 3;
    QTest::newRow("pgm") << int(ImageFormat::Pgm) << 1;
    QTest::newRow("ppm") << int(ImageFormat::Ppm) << 3;
}

void TestImageCodec::losslessRoundTrip()
{
    QFETCH(int, format);
    QFETCH(int, channels);
    for (const auto &[w, h] : std::vector<std::pair<int, int>>{{1, 1}, {7, 13}, {256, 3}}) {
        const ImageBuffer img = noiseImage(w, h, channels, quint32(w + h));
        const auto bytes = encodeImage(img, ImageFormat(format));
        QVERIFY2(bytes, qPrintable(bytes.error()));
        QCOMPARE(sniffFormat(*bytes), std::optional<ImageFormat>(ImageFormat(format)));
        const auto back = decodeImage(*bytes, {});
        QVERIFY2(back, qPrintable(back.error()));
        QVERIFY(*back == img);
    }
}

void TestImageCodec::jpegRoundTripIsClose()
{
    for (int channels : {1, 3}) {
        const ImageBuffer img = gradient(64, 48, channels);
        const auto bytes = encodeImage(img, ImageFormat::Jpeg, 95);
        QVERIFY2(bytes, qPrintable(bytes.error()));
        const auto back = decodeImage(*bytes, {});
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->width, 64);
        QCOMPARE(back->height, 48);
        QCOMPARE(back->channels, channels);
        qint64 error = 0;
        for (qsizetype i = 0; i < img.pixels.size(); ++i)
            error += qAbs(int(uchar(img.pixels[i])) - int(uchar(back->pixels[i])));
        QVERIFY2(double(error) / double(img.pixels.size()) < 3.0,
                 qPrintable(QString::number(double(error) / double(img.pixels.size()))));
    }
}

void TestImageCodec::encodingIsDeterministic()
{
    const ImageBuffer img = noiseImage(40, 30, 3, 9);
    for (ImageFormat f : {ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Ppm}) {
        const auto a = encodeImage(img, f);
        const auto b = encodeImage(img, f);
        QVERIFY(a && b);
        QCOMPARE(*a, *b);
    }
}

void TestImageCodec::formatConversions()
{
    const ImageBuffer rgb = noiseImage(5, 4, 3, 3);
    const auto pgm = decodeImage(*encodeImage(rgb, ImageFormat::Pgm), {});
    QVERIFY(pgm);
    QCOMPARE(pgm->channels, 1);
    const ImageBuffer grey = noiseImage(5, 4, 1, 4);
    const auto ppm = decodeImage(*encodeImage(grey, ImageFormat::Ppm), {});
    QVERIFY(ppm);
    QCOMPARE(ppm->channels, 3);
    for (qsizetype i = 0; i < grey.pixels.size(); ++i) {
        QCOMPARE(ppm->pixels[3 * i], grey.pixels[i]);
        QCOMPARE(ppm->pixels[3 * i + 2], grey.pixels[i]);
    }
    QVERIFY(!encodeImage(ImageBuffer{}, ImageFormat::Png));
}

void TestImageCodec::pngConversions()
{
    // Palette: two colours.
    const QByteArray palette("\xff\x00\x00\x00\x00\xff", 6);
    const auto indexed =
        decodeImage(pngOf(2, 1, PNG_COLOR_TYPE_PALETTE, 8, QByteArray("\x00\x01", 2), palette), {});
    QVERIFY2(indexed, qPrintable(indexed.error()));
    QCOMPARE(indexed->channels, 3);
    QCOMPARE(indexed->pixels, QByteArray("\xff\x00\x00\x00\x00\xff", 6));
    // RGBA, fully opaque: the colour stays, alpha goes.
    const auto rgba =
        decodeImage(pngOf(1, 1, PNG_COLOR_TYPE_RGBA, 8, QByteArray("\x10\x20\x30\xff", 4)), {});
    QVERIFY2(rgba, qPrintable(rgba.error()));
    QCOMPARE(rgba->channels, 3);
    QCOMPARE(rgba->pixels, QByteArray("\x10\x20\x30", 3));
    // Grey + alpha, opaque: grey.
    const auto ga =
        decodeImage(pngOf(1, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, QByteArray("\x77\xff", 2)), {});
    QVERIFY2(ga, qPrintable(ga.error()));
    QCOMPARE(ga->channels, 1);
    QCOMPARE(ga->pixels, QByteArray("\x77", 1));
    // 16-bit grey: reduced to 8 bits.
    const auto deep =
        decodeImage(pngOf(1, 1, PNG_COLOR_TYPE_GRAY, 16, QByteArray("\xff\xff", 2)), {});
    QVERIFY2(deep, qPrintable(deep.error()));
    QCOMPARE(deep->channels, 1);
    QCOMPARE(int(uchar(deep->pixels[0])), 255);
}

void TestImageCodec::asciiPnm()
{
    const auto p2 = decodeImage("P2\n# a comment\n3 1\n255\n0 128\n255\n", {});
    QVERIFY2(p2, qPrintable(p2.error()));
    QCOMPARE(p2->pixels, QByteArray("\x00\x80\xff", 3));
    const auto p3 = decodeImage("P3 1 1 255 1 2 3", {});
    QVERIFY2(p3, qPrintable(p3.error()));
    QCOMPARE(p3->pixels, QByteArray("\x01\x02\x03", 3));
}

void TestImageCodec::pnmMaxvalScaled()
{
    const auto img = decodeImage(QByteArray("P5 2 1 15\n\x00\x0f", 13), {});
    QVERIFY2(img, qPrintable(img.error()));
    QCOMPARE(img->pixels, QByteArray("\x00\xff", 2));
}

void TestImageCodec::hostile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("code");
    QTest::newRow("empty") << QByteArray() << "bad_image";
    QTest::newRow("text") << QByteArray("hello, world") << "bad_image";
    QTest::newRow("random") << QByteArray(10000, '\x5a') << "bad_image";
    QTest::newRow("png magic only") << QByteArray("\x89PNG\r\n\x1a\n", 8) << "bad_image";
    QTest::newRow("png bad chunk")
        << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDRxxxxxxxxxxxxxxxxx", 33) << "bad_image";
    QTest::newRow("jpeg magic only") << QByteArray("\xff\xd8\xff", 3) << "bad_image";
    QTest::newRow("jpeg garbage") << QByteArray("\xff\xd8\xff") + QByteArray(500, 'j')
                                  << "bad_image";
    QTest::newRow("pgm zero width") << QByteArray("P5 0 5 255\n") << "bad_image";
    QTest::newRow("pgm zero height") << QByteArray("P5 5 0 255\n") << "bad_image";
    QTest::newRow("pgm maxval 0") << QByteArray("P5 1 1 0\n\0", 11) << "bad_image";
    QTest::newRow("pgm 16-bit") << QByteArray("P5 1 1 65535\n\0\0", 15) << "bad_image";
    QTest::newRow("pgm sample above maxval") << QByteArray("P5 1 1 10\n\x0b", 11) << "bad_image";
    QTest::newRow("pgm letters for size") << QByteArray("P5 a b 255\n") << "bad_image";
    QTest::newRow("pgm huge number") << QByteArray("P5 99999999999 1 255\n") << "bad_image";
    QTest::newRow("pgm no space after maxval") << QByteArray("P5 1 1 255") << "bad_image";
    QTest::newRow("pnm kind P4") << QByteArray("P4 1 1\n\0", 8) << "bad_image";
    QTest::newRow("ppm short") << QByteArray("P6 2 2 255\nabc") << "bad_image";
    QTest::newRow("p2 junk sample") << QByteArray("P2 2 1 255 1 x") << "bad_image";
    QTest::newRow("p2 missing sample") << QByteArray("P2 3 1 255 1 2") << "bad_image";
}

void TestImageCodec::hostile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, code);
    const auto img = decodeImage(bytes, {});
    QVERIFY(!img);
    QCOMPARE(img.errorCode(), code);
    QVERIFY(!img.error().isEmpty());
    QVERIFY2(!img.error().contains(u'\n'), qPrintable(img.error()));
}

void TestImageCodec::truncatedAtManyLengths_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("png") << int(ImageFormat::Png);
    QTest::newRow("jpeg") << int(ImageFormat::Jpeg);
    QTest::newRow("pgm") << int(ImageFormat::Pgm);
    QTest::newRow("ppm") << int(ImageFormat::Ppm);
}

void TestImageCodec::truncatedAtManyLengths()
{
    QFETCH(int, format);
    const ImageBuffer img = noiseImage(33, 21, format == int(ImageFormat::Pgm) ? 1 : 3, 2);
    const QByteArray full = *encodeImage(img, ImageFormat(format));
    QVERIFY(decodeImage(full, {}));
    // A PNG that lost only its IEND chunk (the last 12 bytes) still has every pixel, and
    // libpng decodes it; any cut before that loses pixels and must fail.
    const qsizetype lastCut = format == int(ImageFormat::Png) ? full.size() - 12 : full.size();
    for (qsizetype n = 0; n < lastCut; n += qMax<qsizetype>(1, full.size() / 97)) {
        const auto cut = decodeImage(full.left(n), {});
        QVERIFY2(!cut,
                 qPrintable(QStringLiteral("%1 of %2 bytes decoded").arg(n).arg(full.size())));
        QVERIFY(!cut.error().contains(u'\n'));
    }
    if (format != int(ImageFormat::Png))
        QVERIFY(!decodeImage(full.left(full.size() - 1), {}));
}

void TestImageCodec::hugeHeadersRefusedFromTheHeader_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("pgm 100000 x 100000") << QByteArray("P5 100000 100000 255\n");
    QTest::newRow("ppm 20000 x 20000") << QByteArray("P6 20000 20000 255\n");
    // A PNG header claiming 100000 x 100000: IHDR with a wrong CRC would be refused as
    // corrupt, so it is built by libpng itself (one row written, the rest missing).
    QByteArray row(100000, '\0');
    const QByteArray pngHead = pngOf(100000, 1, PNG_COLOR_TYPE_GRAY, 8, row);
    QByteArray tall = pngHead;
    // Patch the height in IHDR (bytes 20..23) and fix its CRC.
    tall[20] = 0;
    tall[21] = char(0x01);
    tall[22] = char(0x86);
    tall[23] = char(0xa0); // 100000
    const quint32 crc =
        quint32(crc32(0, reinterpret_cast<const Bytef *>(tall.constData() + 12), 17));
    tall[29] = char(crc >> 24);
    tall[30] = char(crc >> 16);
    tall[31] = char(crc >> 8);
    tall[32] = char(crc);
    QTest::newRow("png 100000 x 100000") << tall;
}

void TestImageCodec::hugeHeadersRefusedFromTheHeader()
{
    QFETCH(QByteArray, bytes);
    const auto img = decodeImage(bytes, {});
    QVERIFY(!img);
    QCOMPARE(img.errorCode(), QStringLiteral("too_large"));
    QVERIFY2(img.error().contains(QLatin1String("limit")), qPrintable(img.error()));
    // A tighter configured limit refuses a small image the same way.
    DecodeLimits small;
    small.maxPixels = 10;
    const auto four = decodeImage(*encodeImage(noiseImage(4, 3, 1, 1), ImageFormat::Png), small);
    QCOMPARE(four.errorCode(), QStringLiteral("too_large"));
    small = {};
    small.maxBytes = 10;
    QCOMPARE(decodeImage(*encodeImage(noiseImage(4, 3, 1, 1), ImageFormat::Png), small).errorCode(),
             QStringLiteral("too_large"));
}

void TestImageCodec::formatNames()
{
    QCOMPARE(formatFromPath(QStringLiteral("/a/b.JPG")), std::optional(ImageFormat::Jpeg));
    QCOMPARE(formatFromPath(QStringLiteral("x.jpeg")), std::optional(ImageFormat::Jpeg));
    QCOMPARE(formatFromPath(QStringLiteral("x.png")), std::optional(ImageFormat::Png));
    QCOMPARE(formatFromPath(QStringLiteral("x.pgm")), std::optional(ImageFormat::Pgm));
    QCOMPARE(formatFromPath(QStringLiteral("x.pnm")), std::optional(ImageFormat::Ppm));
    QCOMPARE(formatFromPath(QStringLiteral("x.gif")), std::nullopt);
    QCOMPARE(formatFromPath(QStringLiteral("noext")), std::nullopt);
    for (ImageFormat f : {ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Pgm, ImageFormat::Ppm})
        QCOMPARE(formatFromString(toString(f)), std::optional(f));
}

QTEST_GUILESS_MAIN(TestImageCodec)
#include "tst_imagecodec.moc"
