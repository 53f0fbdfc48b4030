#pragma once

#include "image/imagebuffer.h"
#include "image/imageformat.h"
#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>

namespace starling::image {

struct DecodeLimits
{
    qint64 maxPixels = qint64(16384) * 16384; // width x height
    qint64 maxBytes = qint64(1) << 30;        // of the encoded file
};

// Decodes PNG (libpng), JPEG (TurboJPEG) or PGM/PPM (P5/P6, and P2/P3; maxval up to 255),
// recognised by their magic bytes, into 8-bit grey or RGB: alpha is dropped, palettes
// expanded, 16-bit samples reduced to 8, grey+alpha kept as grey. The size is checked from the
// header against the limits before any pixel memory is allocated. Errors are one line with
// code "bad_image" (unknown format, corrupt, truncated, zero-size) or "too_large".
Expected<ImageBuffer> decodeImage(QByteArrayView bytes, const DecodeLimits &limits);

// Encodes deterministically (the same image gives the same bytes). PGM from an RGB image
// converts to grey with the grey op's formula; PPM from grey repeats the grey in R, G and B;
// PNG and JPEG keep the channel count.
Expected<QByteArray> encodeImage(const ImageBuffer &image, ImageFormat format,
                                 int jpegQuality = 92);

} // namespace starling::image
