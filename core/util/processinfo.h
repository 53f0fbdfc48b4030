#pragma once

#include <QString>

namespace starling::util {

// Our own processes as Linux shows them, for the commands that stop what they started: a pid
// gets a signal only while it is alive and still runs the program we started (pids are reused).

// Running or stopped; a zombie (exited, not yet reaped) is not alive.
bool processAlive(qint64 pid);
// Its command line names `program`.
bool processRuns(qint64 pid, const QString &program);

} // namespace starling::util
