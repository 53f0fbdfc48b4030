#pragma once

#include <QStringList>

namespace starling::cli {

// `starling sim`: the scheduling simulator. Returns the process exit code
// (0 ok, 2 bad arguments or input file, 1 an output file could not be written).
int runSimCommand(const QStringList &arguments);

} // namespace starling::cli
