#pragma once

#include "image/imagebuffer.h"
#include "image/imageformat.h"
#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

namespace starling::image {

struct DecodeLimits
{
    qint64 maxPixels = qint64(64) << 20; // width x height: 64 Mpixel
    qint64 maxBytes = qint64(1) << 30;   // of the encoded file
    // Asked once the header is read and before any pixel memory is allocated, with the size
    // the decoded image will have: false refuses the image (code "budget_exceeded"). The
    // master reserves the bytes in its job budget here; unset, every size within the limits
    // is allowed.
    std::function<bool(qint64 width, qint64 height, int channels)> reserve;
};

// Decodes PNG (libpng), JPEG (TurboJPEG) or PGM/PPM (P5/P6, and P2/P3; maxval up to 255),
// recognised by their magic bytes, into 8-bit grey or RGB: alpha is dropped, palettes
// expanded, 16-bit samples reduced to 8, grey+alpha kept as grey. The size is checked from the
// header against the limits before any pixel memory is allocated. Errors are one line with
// code "bad_image" (unknown format, corrupt, truncated, zero-size), "too_large" (over
// maxPixels or maxBytes) or "budget_exceeded" (DecodeLimits::reserve said no). Progressive
// JPEGs with an absurd number of scans are refused (TJFLAG_LIMITSCANS).
Expected<ImageBuffer> decodeImage(QByteArrayView bytes, const DecodeLimits &limits);

// Encodes deterministically (the same image gives the same bytes). PGM from an RGB image
// converts to grey with the grey op's formula; PPM from grey repeats the grey in R, G and B;
// PNG and JPEG keep the channel count.
Expected<QByteArray> encodeImage(const ImageBuffer &image, ImageFormat format,
                                 int jpegQuality = 92);

} // namespace starling::image
