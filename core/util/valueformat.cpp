#include "valueformat.h"

#include <array>
#include <cmath>

namespace starling::util {

namespace {

QString dash()
{
    return QStringLiteral("-");
}

bool unusable(double value)
{
    return !std::isfinite(value) || value < 0;
}

// Minutes and hours for spans of a minute or more, whole seconds only: at that scale a tenth
// of a second is noise to a person reading it.
QString longSpan(double seconds)
{
    const qint64 whole = qint64(std::llround(seconds));
    if (whole < 3600) {
        return QStringLiteral("%1 m %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QLatin1Char('0'));
    }
    const qint64 minutes = whole / 60;
    return QStringLiteral("%1 h %2 m").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

QString formatPercent(double fraction)
{
    if (unusable(fraction))
        return dash();
    return QStringLiteral("%1%").arg(fraction * 100, 0, 'f', 0);
}

// Like `ls -h`: one decimal below 10 of a unit, whole numbers above, so a column of sizes
// keeps two or three significant digits.
QString formatBytes(double bytes)
{
    if (unusable(bytes))
        return dash();
    static constexpr std::array units{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t unit = 0;
    // 1023.7 KiB would print as "1024 KiB"; it reads better as "1.0 MiB".
    while (bytes >= 1023.5 && unit + 1 < units.size()) {
        bytes /= 1024;
        ++unit;
    }
    if (unit == 0)
        return QStringLiteral("%1 B").arg(qint64(std::llround(bytes)));
    const int decimals = bytes < 9.95 ? 1 : 0;
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', decimals).arg(QLatin1String(units[unit]));
}

QString formatRate(double bytesPerS)
{
    if (unusable(bytesPerS))
        return dash();
    return util::formatBytes(bytesPerS) + QStringLiteral("/s");
}

QString formatSeconds(double seconds)
{
    if (unusable(seconds))
        return dash();
    // Unit task times (T_i) are often a few milliseconds; "0.00 s" would hide them.
    if (seconds > 0 && seconds < 0.00995)
        return QStringLiteral("%1 ms").arg(seconds * 1000, 0, 'f', 1);
    if (seconds > 0 && seconds < 0.0995)
        return QStringLiteral("%1 ms").arg(std::llround(seconds * 1000));
    if (seconds < 9.995)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 2);
    if (seconds < 59.95)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    return longSpan(seconds);
}

QString formatAge(qint64 milliseconds)
{
    if (milliseconds < 0)
        return dash();
    const double seconds = double(milliseconds) / 1000.0;
    if (seconds < 9.95)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    if (seconds < 59.5)
        return QStringLiteral("%1 s").arg(std::llround(seconds));
    return longSpan(seconds);
}

} // namespace starling::util
