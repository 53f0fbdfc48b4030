#pragma once

#include "client/downloadprogress.h"

#include <QString>

namespace starling::cli {

// `starling get`'s progress bar: one line that fits `width` columns, for example
//  "  42% [########            ] 108/256 MiB  212 MiB/s  ETA 0:01  slave-2 26% slave-3 24%"
// with each slave's share of the bytes received so far ("gone" once abandoned); slaves that
// do not fit are summarised as "+N", then the bar shrinks.
QString formatProgressLine(const client::DownloadProgress &progress, int width);

// "0:07", "12:34", "1:02:03"; "--:--" when unknown (negative).
QString formatEta(double seconds);

// The terminal's width in columns, or 80 when it cannot be asked.
int terminalWidth(int fd);

} // namespace starling::cli
