#include "niceaxisrange.h"

#include <algorithm>
#include <cmath>

namespace starling::ui {

namespace {

// The smallest round step that covers `span` in at most five intervals.
double niceStep(double span)
{
    const double rough = span / 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    for (double factor : {1.0, 2.0, 2.5, 5.0}) {
        if (factor * magnitude >= rough)
            return factor * magnitude;
    }
    return 10 * magnitude;
}

} // namespace

NiceAxisRange NiceAxisRange::fit(double low, double high, double minSpan, bool fromZero)
{
    minSpan = std::max(minSpan, 1e-9);
    low = fromZero ? 0 : std::max(0.0, std::min(low, high));
    high = std::max(high, low);
    if (high - low < minSpan) {
        // Centred on the data, unless that would go below zero.
        const double middle = (low + high) / 2;
        low = fromZero ? 0 : std::max(0.0, middle - minSpan / 2);
        high = low + minSpan;
    }
    const double headroom = (high - low) / 10;
    const double top = high + headroom;
    const double bottom = fromZero ? 0 : std::max(0.0, low - headroom);
    const double step = niceStep(top - bottom);
    NiceAxisRange range;
    range.min = std::floor(bottom / step) * step;
    range.max = std::ceil(top / step) * step;
    range.ticks = int(std::lround((range.max - range.min) / step)) + 1;
    return range;
}

} // namespace starling::ui
