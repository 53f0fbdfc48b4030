#pragma once

namespace starling::ui {

// A value axis fitted to the data: round ticks (steps of 1, 2, 2.5 or 5 times a power of ten,
// four to six of them) and a tenth of headroom above (and below, unless it starts at zero).
// A span narrower than minSpan is widened to it around the data, so a flat line with a little
// noise stays a flat line instead of filling the plot; never below zero.
struct NiceAxisRange
{
    double min = 0;
    double max = 1;
    int ticks = 2;

    static NiceAxisRange fit(double low, double high, double minSpan, bool fromZero);
};

} // namespace starling::ui
