#include "seriespalette.h"

#include <array>

namespace starling::ui {

namespace {

// Tableau 10, reordered so neighbours contrast.
constexpr std::array<QRgb, 10> kColours = {0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0xb07aa1,
                                           0x76b7b2, 0xedc948, 0x9c755f, 0xff9da7, 0x5f5f5f};

} // namespace

QColor SeriesPalette::colour(int index)
{
    const auto size = int(kColours.size());
    return QColor::fromRgb(kColours[size_t(((index % size) + size) % size)]);
}

QColor SeriesPalette::strategyColour(const QString &label)
{
    static const QString known[] = {
        QStringLiteral("equal/dec"), QStringLiteral("cpu/dec"),     QStringLiteral("bw/dec"),
        QStringLiteral("pdds/dec"),  QStringLiteral("pdds/inc"),    QStringLiteral("pdds/rand"),
        QStringLiteral("optimal/dec"), QStringLiteral("dynamic/dec")};
    for (int i = 0; i < int(std::size(known)); ++i) {
        if (known[i] == label)
            return colour(i);
    }
    return colour(int(qHash(label) % 10));
}

} // namespace starling::ui
