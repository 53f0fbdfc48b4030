#pragma once

// What the widget tests check rendered images with: a dark palette like a desktop's dark
// theme, and how many pixels differ from the background (a blank render has none).
#include <QImage>
#include <QPalette>

namespace starling::testing {

inline QPalette darkPalette(QPalette p)
{
    const QColor window(0x20, 0x22, 0x26), text(0xe8, 0xe8, 0xe8);
    for (auto role : {QPalette::Window, QPalette::Base, QPalette::AlternateBase, QPalette::Button})
        p.setColor(role, window);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(role, text);
    return p;
}

// Pixels of the image that differ from its background (the top-left corner's colour).
inline int differing(const QImage &image)
{
    const QRgb background = image.pixel(0, 0);
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            n += image.pixel(x, y) != background ? 1 : 0;
    }
    return n;
}

} // namespace starling::testing
