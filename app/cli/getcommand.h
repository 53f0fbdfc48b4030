#pragma once

#include <QStringList>

namespace starling::cli {

// `starling get <url-or-path> [-o FILE] [--strategy S] [--resume] [--json] [--connections K]
// [--stall-timeout S] [--run-dir DIR]`: asks the master for a transfer plan and downloads the
// file from the slaves in parallel (transfer/paralleldownload.h). Exit codes: 0 the whole file
// is verified and in place; 1 the transfer failed (file changed, every source failed,
// verification failed, master refused, interrupted); 2 bad usage, no cluster found, bad URL.
int runGetCommand(const QStringList &arguments);

} // namespace starling::cli
