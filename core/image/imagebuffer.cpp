#include "imagebuffer.h"

namespace starling::image {

bool ImageBuffer::isValid() const
{
    return width > 0 && height > 0 && (channels == 1 || channels == 3) &&
           pixels.size() == rowBytes() * height;
}

ImageBuffer ImageBuffer::allocate(int width, int height, int channels)
{
    ImageBuffer image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    image.pixels = QByteArray(qsizetype(width) * channels * height, '\0');
    return image;
}

} // namespace starling::image
