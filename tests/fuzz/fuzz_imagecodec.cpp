// libFuzzer target for image::decodeImage (PNG, JPEG, PGM/PPM). No input may crash or trip
// ASan/UBSan, take memory beyond the configured pixel limit, or decode to an inconsistent
// image; a decoded image must survive a lossless round trip unchanged.
#include "image/imagecodec.h"

#include <cstdio>
#include <cstdlib>

using namespace starling::image;

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "decodeImage invariant violated: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const char *data, unsigned long size)
{
    DecodeLimits limits;
    limits.maxPixels = 1 << 22; // 4 Mpixel: the fuzzer's rss limit must hold the biggest
    const auto image = decodeImage(QByteArrayView(data, qsizetype(size)), limits);
    if (!image) {
        require(!image.error().isEmpty() && !image.error().contains(u'\n'), "one-line error");
        require(image.errorCode() == QLatin1String("bad_image") ||
                    image.errorCode() == QLatin1String("too_large"),
                "known error code");
        return 0;
    }
    require(image->isValid(), "a valid buffer");
    require(qint64(image->width) * image->height <= limits.maxPixels, "within the limit");
    const auto encoded =
        encodeImage(*image, image->channels == 1 ? ImageFormat::Pgm : ImageFormat::Ppm);
    require(encoded.hasValue(), "re-encodes");
    const auto back = decodeImage(*encoded, limits);
    require(back.hasValue() && *back == *image, "lossless round trip");
    return 0;
}
