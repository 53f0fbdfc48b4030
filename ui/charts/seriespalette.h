#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

namespace starling::ui {

// One colour per series that stays the same in every view (a slave, a strategy), chosen from a
// set that stays distinguishable on light and dark backgrounds.
class SeriesPalette
{
public:
    static QColor colour(int index);
    // Strategies keep their colour whatever subset a chart shows.
    static QColor strategyColour(const QString &label);
    // A slave's colour from its name: "slave-N" is MPI rank N and gets colour(N - 2), the
    // index every view uses; any other name gets colour(fallbackIndex).
    static QColor slaveColour(const QString &name, int fallbackIndex);
    // `a` moved towards `b` by t in [0, 1]: tints and faint text that follow the palette.
    // The background and text colours of a drawn chart: the palette's Base and Text (white and
    // black in a light palette, as the benchmark's PNGs have them), or Window and WindowText
    // where only the window colours were made dark or light.
    static QColor chartBackground(const QPalette &palette);
    static QColor chartText(const QPalette &palette);
    static QColor blend(const QColor &a, const QColor &b, double t);
};

} // namespace starling::ui
