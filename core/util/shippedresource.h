#pragma once

#include <QString>

namespace starling::util {

// A file shipped under resources/ (e.g. "profiles/four-slaves.json"), found from the running
// program's directory: beside the build (build/bin -> resources/), else where the Debian
// package puts it (/usr/bin -> /usr/share/starling). Empty when neither has it.
QString findShippedResource(const QString &relative);

} // namespace starling::util
