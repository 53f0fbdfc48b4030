#pragma once

#include <QString>
#include <QtGlobal>

namespace starling::util {

// The one place where numbers become text for people: the console, `starling status`, listings
// and progress lines all call these, so a value reads the same everywhere. "-" means not
// measured, not applicable or nonsense (negative, NaN, infinite).
QString formatPercent(double fraction); // 0.37 -> "37%"
QString formatBytes(double bytes);      // "512 B", "1.5 KiB", "10 MiB" (binary units)
QString formatRate(double bytesPerS);   // "1.5 MiB/s"
QString formatSeconds(double seconds);  // "4.2 ms", "0.85 s", "12.3 s", "1 m 05 s", "2 h 03 m"
QString formatAge(qint64 milliseconds); // "0.3 s", "42 s", "1 m 05 s"; "-" for -1 (never)

} // namespace starling::util
