#include "imageformat.h"

#include <QFileInfo>

namespace starling::image {

QString toString(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Png:
        return QStringLiteral("png");
    case ImageFormat::Jpeg:
        return QStringLiteral("jpeg");
    case ImageFormat::Pgm:
        return QStringLiteral("pgm");
    case ImageFormat::Ppm:
        return QStringLiteral("ppm");
    }
    return {};
}

std::optional<ImageFormat> formatFromString(const QString &name)
{
    const QString n = name.toLower();
    if (n == u"png")
        return ImageFormat::Png;
    if (n == u"jpeg" || n == u"jpg")
        return ImageFormat::Jpeg;
    if (n == u"pgm")
        return ImageFormat::Pgm;
    if (n == u"ppm" || n == u"pnm")
        return ImageFormat::Ppm;
    return std::nullopt;
}

std::optional<ImageFormat> formatFromPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix();
    return suffix.isEmpty() ? std::nullopt : formatFromString(suffix);
}

std::optional<ImageFormat> sniffFormat(QByteArrayView bytes)
{
    if (bytes.startsWith(QByteArrayView("\x89PNG\r\n\x1a\n", 8)))
        return ImageFormat::Png;
    if (bytes.size() >= 3 && uchar(bytes[0]) == 0xFF && uchar(bytes[1]) == 0xD8 &&
        uchar(bytes[2]) == 0xFF)
        return ImageFormat::Jpeg;
    if (bytes.size() >= 2 && bytes[0] == 'P') {
        if (bytes[1] == '5' || bytes[1] == '2')
            return ImageFormat::Pgm;
        if (bytes[1] == '6' || bytes[1] == '3')
            return ImageFormat::Ppm;
    }
    return std::nullopt;
}

} // namespace starling::image
