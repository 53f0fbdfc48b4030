#pragma once

#include <QStringList>

namespace starling::cli::lab {

// starling lab down [--run-dir DIR]: stops the cluster and removes everything the lab record
// lists. Safe to run again: the second time there is nothing to remove.
int runLabDown(const QStringList &arguments);

} // namespace starling::cli::lab
