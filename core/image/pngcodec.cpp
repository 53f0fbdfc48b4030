// PNG through libpng's simplified API, which does the conversions (palette, 16-bit, alpha,
// gamma) and reports errors as text instead of longjmp.
#include "image/codecs.h"

#include <png.h>

#include <memory>

namespace starling::image::detail {

namespace {

struct ImageReader
{
    png_image image{};
    ImageReader() { image.version = PNG_IMAGE_VERSION; }
    ~ImageReader() { png_image_free(&image); }
    QString message() const { return QString::fromLatin1(image.message).trimmed(); }
};

} // namespace

Expected<ImageBuffer> decodePng(QByteArrayView bytes, const DecodeLimits &limits)
{
    ImageReader reader;
    if (!png_image_begin_read_from_memory(&reader.image, bytes.data(), size_t(bytes.size())))
        return badImage(QStringLiteral("PNG: %1").arg(reader.message()));
    if (auto error = checkSize(reader.image.width, reader.image.height, limits))
        return *error;
    const bool colour = (reader.image.format & PNG_FORMAT_FLAG_COLOR) != 0;
    if (auto error = admitPixels(reader.image.width, reader.image.height, colour ? 3 : 1, limits))
        return *error;
    // Alpha is composited on the file's background colour (bKGD), else on black.
    reader.image.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    ImageBuffer image =
        ImageBuffer::allocate(int(reader.image.width), int(reader.image.height), colour ? 3 : 1);
    if (!png_image_finish_read(&reader.image, nullptr, image.pixels.data(),
                               png_int_32(image.rowBytes()), nullptr))
        return badImage(QStringLiteral("PNG: %1").arg(reader.message()));
    return image;
}

Expected<QByteArray> encodePng(const ImageBuffer &image)
{
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    png.width = png_uint_32(image.width);
    png.height = png_uint_32(image.height);
    png.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.constData(),
                                   png_int_32(image.rowBytes()), nullptr))
        return Error{QStringLiteral("PNG: %1").arg(QString::fromLatin1(png.message))};
    QByteArray out(qsizetype(size), Qt::Uninitialized);
    if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.constData(),
                                   png_int_32(image.rowBytes()), nullptr))
        return Error{QStringLiteral("PNG: %1").arg(QString::fromLatin1(png.message))};
    out.resize(qsizetype(size));
    png_image_free(&png);
    return out;
}

} // namespace starling::image::detail
