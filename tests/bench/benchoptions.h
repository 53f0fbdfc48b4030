#pragma once

#include "util/expected.h"

#include <QString>
#include <QStringList>

#include <set>

namespace starling::bench {

// What the transfer benchmark's command line asks for.
struct BenchOptions
{
    QString cli;         // build/bin/starling
    QString outDir;      // build/bench: CSV, PNG and the work directory
    QString downloadDir; // where the copies go; empty = a temporary directory under outDir
    int runs = 3;
    std::set<int> scenarios{1, 2, 3, 4};
    qint64 bigBytes = qint64(1024) << 20;  // scenario 1
    qint64 pacedBytes = qint64(256) << 20; // scenarios 2-4
    int budgetS = 900;                     // runs left after this are skipped, not started
    int runTimeoutS = 120;                 // one download
    QString helpText;                      // set when --help was given; nothing else is

    // arguments[0] is the program. The error is one line naming the bad option.
    static Expected<BenchOptions> parse(const QStringList &arguments);
};

} // namespace starling::bench
