#pragma once

#include <QStringList>

namespace starling::cli::lab {

// starling lab SUBCOMMAND ...; arguments[0] is "starling lab".
int runLabCommand(const QStringList &arguments);

} // namespace starling::cli::lab
