// JPEG through TurboJPEG (libjpeg-turbo's simple API: no setjmp, errors as text).
#include "image/codecs.h"

#include <turbojpeg.h>

namespace starling::image::detail {

namespace {

struct Handle
{
    tjhandle h;
    explicit Handle(tjhandle handle) : h(handle) {}
    ~Handle()
    {
        if (h)
            tjDestroy(h);
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    QString message() const { return QString::fromLatin1(tjGetErrorStr2(h)).trimmed(); }
};

} // namespace

Expected<ImageBuffer> decodeJpeg(QByteArrayView bytes, const DecodeLimits &limits)
{
    Handle tj(tjInitDecompress());
    if (!tj.h)
        return Error{QStringLiteral("JPEG: cannot start the decoder")};
    int width = 0, height = 0, subsampling = 0, colourspace = 0;
    if (tjDecompressHeader3(tj.h, reinterpret_cast<const unsigned char *>(bytes.data()),
                            static_cast<unsigned long>(bytes.size()), &width, &height, &subsampling,
                            &colourspace) != 0)
        return badImage(QStringLiteral("JPEG: %1").arg(tj.message()));
    if (auto error = checkSize(width, height, limits))
        return *error;
    const bool grey = colourspace == TJCS_GRAY;
    if (auto error = admitPixels(width, height, grey ? 1 : 3, limits))
        return *error;
    ImageBuffer image = ImageBuffer::allocate(width, height, grey ? 1 : 3);
    // A corrupt or truncated file is an error, not a half-grey picture; a progressive file
    // with more scans than any real one has (a CPU bomb) too.
    if (tjDecompress2(tj.h, reinterpret_cast<const unsigned char *>(bytes.data()),
                      static_cast<unsigned long>(bytes.size()),
                      reinterpret_cast<unsigned char *>(image.pixels.data()), width,
                      int(image.rowBytes()), height, grey ? TJPF_GRAY : TJPF_RGB,
                      TJFLAG_STOPONWARNING | TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS) != 0)
        return badImage(QStringLiteral("JPEG: %1").arg(tj.message()));
    return image;
}

Expected<QByteArray> encodeJpeg(const ImageBuffer &image, int quality)
{
    Handle tj(tjInitCompress());
    if (!tj.h)
        return Error{QStringLiteral("JPEG: cannot start the encoder")};
    unsigned char *buffer = nullptr;
    unsigned long size = 0;
    const bool grey = image.channels == 1;
    if (tjCompress2(tj.h, reinterpret_cast<const unsigned char *>(image.pixels.constData()),
                    image.width, int(image.rowBytes()), image.height, grey ? TJPF_GRAY : TJPF_RGB,
                    &buffer, &size, grey ? TJSAMP_GRAY : TJSAMP_444, qBound(1, quality, 100),
                    TJFLAG_ACCURATEDCT) != 0) {
        tjFree(buffer);
        return Error{QStringLiteral("JPEG: %1").arg(tj.message())};
    }
    QByteArray out(reinterpret_cast<const char *>(buffer), qsizetype(size));
    tjFree(buffer);
    return out;
}

} // namespace starling::image::detail
