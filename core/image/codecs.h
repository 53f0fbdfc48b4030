#pragma once

// The format-specific halves of imagecodec.h, for imagecodec.cpp only.
#include "image/imagecodec.h"

#include <limits>
#include <optional>

namespace starling::image::detail {

Error badImage(const QString &message);
Error tooLarge(qint64 width, qint64 height, const DecodeLimits &limits);
// Checks a header's size against the limits (zero and negative sizes are bad images).
std::optional<Error> checkSize(qint64 width, qint64 height, const DecodeLimits &limits);
// The last word before allocating: DecodeLimits::reserve for the decoded size.
std::optional<Error> admitPixels(qint64 width, qint64 height, int channels,
                                 const DecodeLimits &limits);

Expected<ImageBuffer> decodePng(QByteArrayView bytes, const DecodeLimits &limits);
Expected<QByteArray> encodePng(const ImageBuffer &image);
Expected<ImageBuffer> decodeJpeg(QByteArrayView bytes, const DecodeLimits &limits);
Expected<QByteArray> encodeJpeg(const ImageBuffer &image, int quality);
Expected<ImageBuffer> decodePnm(QByteArrayView bytes, const DecodeLimits &limits);
QByteArray encodePnm(const ImageBuffer &image); // P5 for grey, P6 for RGB

} // namespace starling::image::detail
