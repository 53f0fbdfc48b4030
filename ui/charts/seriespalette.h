#pragma once

#include <QColor>
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
};

} // namespace starling::ui
