#include "imagecodec.h"

#include "image/codecs.h"
#include "image/imageop.h"
#include "image/stripkernel.h"

namespace starling::image {

namespace detail {

Error badImage(const QString &message)
{
    return Error{message, QStringLiteral("bad_image")};
}

Error tooLarge(qint64 width, qint64 height, const DecodeLimits &limits)
{
    return Error{QStringLiteral("the image is %1 x %2 pixels, more than the limit of %3 pixels")
                     .arg(width)
                     .arg(height)
                     .arg(limits.maxPixels),
                 QStringLiteral("too_large")};
}

std::optional<Error> checkSize(qint64 width, qint64 height, const DecodeLimits &limits)
{
    if (width <= 0 || height <= 0)
        return badImage(QStringLiteral("the image has no pixels (%1 x %2)").arg(width).arg(height));
    // Also bounded by what one buffer can address, whatever the configured limit.
    if (width > (1 << 20) || height > (1 << 20) || width * height > limits.maxPixels ||
        width * height * 3 > qint64(std::numeric_limits<qsizetype>::max() / 2))
        return tooLarge(width, height, limits);
    return std::nullopt;
}

std::optional<Error> admitPixels(qint64 width, qint64 height, int channels,
                                 const DecodeLimits &limits)
{
    if (!limits.reserve || limits.reserve(width, height, channels))
        return std::nullopt;
    return Error{QStringLiteral("the image is %1 x %2 pixels (%3 bytes decoded), more than is "
                                "left of the job memory budget; retry later")
                     .arg(width)
                     .arg(height)
                     .arg(width * height * channels),
                 QStringLiteral("budget_exceeded")};
}

} // namespace detail

Expected<ImageBuffer> decodeImage(QByteArrayView bytes, const DecodeLimits &limits)
{
    if (bytes.isEmpty())
        return detail::badImage(QStringLiteral("the image file is empty"));
    if (bytes.size() > limits.maxBytes)
        return Error{QStringLiteral("the image file is %1 bytes, more than the limit of %2")
                         .arg(bytes.size())
                         .arg(limits.maxBytes),
                     QStringLiteral("too_large")};
    const auto format = sniffFormat(bytes);
    if (!format)
        return detail::badImage(
            QStringLiteral("not a PNG, JPEG, PGM or PPM image (unknown first bytes)"));
    switch (*format) {
    case ImageFormat::Png:
        return detail::decodePng(bytes, limits);
    case ImageFormat::Jpeg:
        return detail::decodeJpeg(bytes, limits);
    case ImageFormat::Pgm:
    case ImageFormat::Ppm:
        return detail::decodePnm(bytes, limits);
    }
    return detail::badImage(QStringLiteral("unknown image format"));
}

Expected<QByteArray> encodeImage(const ImageBuffer &image, ImageFormat format, int jpegQuality)
{
    if (!image.isValid())
        return Error{QStringLiteral("cannot encode: not a valid grey or RGB image")};
    switch (format) {
    case ImageFormat::Png:
        return detail::encodePng(image);
    case ImageFormat::Jpeg:
        return detail::encodeJpeg(image, jpegQuality);
    case ImageFormat::Pgm: {
        if (image.channels == 1)
            return detail::encodePnm(image);
        ImageOp grey;
        grey.kind = OpKind::Grey;
        auto converted = applyToImage(grey, image);
        if (!converted)
            return Error{converted.error()};
        return detail::encodePnm(*converted);
    }
    case ImageFormat::Ppm: {
        if (image.channels == 3)
            return detail::encodePnm(image);
        ImageBuffer rgb = ImageBuffer::allocate(image.width, image.height, 3);
        const uchar *in = image.row(0);
        uchar *out = rgb.row(0);
        for (qsizetype i = 0; i < image.pixels.size(); ++i)
            out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = in[i];
        return detail::encodePnm(rgb);
    }
    }
    return Error{QStringLiteral("unknown image format")};
}

} // namespace starling::image
