#pragma once

// Images the image and job tests build their cases from.

#include "image/imagebuffer.h"

#include <QRandomGenerator>

namespace starling::testing {

// width x height x channels bytes of seeded noise: every pixel differs from its neighbours,
// so a wrong row, column or channel shows in any comparison.
inline image::ImageBuffer noiseImage(int width, int height, int channels, quint32 seed)
{
    image::ImageBuffer img = image::ImageBuffer::allocate(width, height, channels);
    QRandomGenerator rng{seed};
    for (char &c : img.pixels)
        c = char(rng.bounded(256));
    return img;
}

} // namespace starling::testing
