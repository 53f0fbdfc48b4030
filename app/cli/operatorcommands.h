#pragma once

#include <QStringList>

namespace starling::cli {

// `starling status|drain|resume|weight|strategy|load`: talk to a running cluster through the
// bridge found via the state file. Exit codes: 0 done, 1 refused by the cluster, 2 bad usage or
// no cluster found.
int runStatusCommand(const QStringList &arguments);
int runOperatorCommand(const QString &op, const QStringList &arguments);

} // namespace starling::cli
