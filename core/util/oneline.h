#pragma once

#include <QString>

namespace starling::util {

// Text from outside (a server's message, a file's field), made safe for one line of output:
// control characters become spaces, runs of space are collapsed, at most maxLength characters.
QString oneLine(const QString &text, int maxLength = 200);

} // namespace starling::util
