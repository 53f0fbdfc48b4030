#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace starling::image {

// An 8-bit image as the jobs move it around: grey (1 channel) or RGB (3, in R, G, B order),
// rows tightly packed from the top. A plain value (QByteArray shares its bytes on copy), so
// strips and results travel without conversions.
struct ImageBuffer
{
    int width = 0;
    int height = 0;
    int channels = 0;
    QByteArray pixels;

    qsizetype rowBytes() const { return qsizetype(width) * channels; }
    // Positive size, 1 or 3 channels, and exactly rowBytes() * height bytes.
    bool isValid() const;
    const uchar *row(int y) const
    {
        return reinterpret_cast<const uchar *>(pixels.constData()) + qsizetype(y) * rowBytes();
    }
    uchar *row(int y)
    {
        return reinterpret_cast<uchar *>(pixels.data()) + qsizetype(y) * rowBytes();
    }

    // Zero-filled.
    static ImageBuffer allocate(int width, int height, int channels);

    bool operator==(const ImageBuffer &other) const = default;
};

} // namespace starling::image
