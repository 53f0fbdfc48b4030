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
    const int wrapped = ((index % size) + size) % size;
    const QColor base = QColor::fromRgb(kColours[size_t(wrapped)]);
    // Past ten series the hues come round again, darker, then lighter, then shifted, so
    // slave-12 is not slave-2's twin (64 lines cannot all differ; the legend and hover name them).
    switch ((index < 0 ? 0 : index / size) % 4) {
    case 1:
        return base.darker(145);
    case 2:
        return base.lighter(135);
    case 3: {
        if (base.hslSaturation() < 20) // a grey has no hue to shift
            return base.lighter(175);
        const int hue = (base.hslHue() + 20) % 360;
        return QColor::fromHsl(hue, base.hslSaturation(), base.lightness());
    }
    default:
        return base;
    }
}

QColor SeriesPalette::strategyColour(const QString &label)
{
    static const QString known[] = {QStringLiteral("equal/dec"),   QStringLiteral("cpu/dec"),
                                    QStringLiteral("bw/dec"),      QStringLiteral("pdds/dec"),
                                    QStringLiteral("pdds/inc"),    QStringLiteral("pdds/rand"),
                                    QStringLiteral("optimal/dec"), QStringLiteral("dynamic/dec")};
    for (int i = 0; i < int(std::size(known)); ++i) {
        if (known[i] == label)
            return colour(i);
    }
    return colour(int(qHash(label) % 10));
}

QColor SeriesPalette::slaveColour(const QString &name, int fallbackIndex)
{
    static const QLatin1String prefix("slave-");
    if (name.startsWith(prefix)) {
        bool ok = false;
        const int rank = QStringView(name).mid(prefix.size()).toInt(&ok);
        if (ok && rank >= 2)
            return colour(rank - 2);
    }
    return colour(fallbackIndex);
}

namespace {

bool baseMatchesWindow(const QPalette &palette)
{
    return (palette.color(QPalette::Base).lightness() < 128) ==
           (palette.color(QPalette::Window).lightness() < 128);
}

} // namespace

QColor SeriesPalette::chartBackground(const QPalette &palette)
{
    return palette.color(baseMatchesWindow(palette) ? QPalette::Base : QPalette::Window);
}

QColor SeriesPalette::chartText(const QPalette &palette)
{
    return palette.color(baseMatchesWindow(palette) ? QPalette::Text : QPalette::WindowText);
}

QColor SeriesPalette::blend(const QColor &a, const QColor &b, double t)
{
    const auto mix = [t](float x, float y) {
        return float(x * (1 - t) + y * t);
    };
    // Rounded to 8 bits a channel, as it lands in an image.
    return QColor(QColor::fromRgbF(mix(a.redF(), b.redF()), mix(a.greenF(), b.greenF()),
                                   mix(a.blueF(), b.blueF()))
                      .rgb());
}

} // namespace starling::ui
