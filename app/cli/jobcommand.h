#pragma once

#include <QStringList>

namespace starling::cli {

// `starling job <op> INPUT -o OUTPUT [--sigma S] [--radius R] [--strategy S] [--order O]
// [--w1 X --w2 Y] [--tasks N] [--seed K] [--json] [--local] [--master URL] [--run-dir DIR]
// [--timeout-s S]`: submits an image job to the master, follows it, and writes the result in
// the format of OUTPUT's extension; `--local` runs the same op in this process instead (the
// reference every cluster result equals, byte for byte). Exit codes: 0 the result is written;
// 1 the job failed, was refused for the cluster's reasons (queue full) or timed out; 2 bad
// usage or bad input (also when the master rejects the image or a parameter), or no cluster.
int runJobCommand(const QStringList &arguments);

} // namespace starling::cli
