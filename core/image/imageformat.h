#pragma once

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace starling::image {

enum class ImageFormat
{
    Png,
    Jpeg,
    Pgm, // P5 (binary grey); P2 is read too
    Ppm  // P6 (binary RGB); P3 is read too
};

QString toString(ImageFormat format); // "png", "jpeg", "pgm", "ppm"
// "png", "jpeg" or "jpg", "pgm", "ppm" (case-insensitive).
std::optional<ImageFormat> formatFromString(const QString &name);
// By the file name's extension: .png, .jpg/.jpeg, .pgm, .ppm/.pnm.
std::optional<ImageFormat> formatFromPath(const QString &path);
// By the file's first bytes (the magic numbers), whatever its name says.
std::optional<ImageFormat> sniffFormat(QByteArrayView bytes);

} // namespace starling::image
