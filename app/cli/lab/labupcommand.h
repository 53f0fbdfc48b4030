#pragma once

#include <QStringList>

namespace starling::cli::lab {

// starling lab up --slaves N [--profile FILE] --export DIR [--run-dir DIR] [--subnet CIDR]
int runLabUp(const QStringList &arguments);

} // namespace starling::cli::lab
