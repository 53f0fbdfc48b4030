#pragma once

#include "sourcefile.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace starling::bench {

// One download by one contender (starling get, curl, aria2c), as a command line writing into
// an empty directory of its own.
struct DownloadCommand
{
    QString program;
    QStringList arguments;
    QString outputDir;  // created empty before the run, removed after it
    QString outputFile; // what the tool writes; empty = the one file it leaves in outputDir
};

struct RunResult
{
    bool ok = false;
    double exitSeconds = 0;      // process start to exit
    double durableSeconds = 0;   // exitSeconds plus the fsync of the output done afterwards
    double reportedSeconds = -1; // the tool's own figure (starling get's summary); -1 = none
    QString note;                // why the run failed, or what the hook did
};

// Called for every JSON object line the tool prints on stdout while it runs, with its pid.
using JsonLineHook = std::function<void(qint64 pid, const QJsonObject &line)>;

// Runs the command (bounded by timeoutMs and by stopRequested), then syncs and verifies the
// output against source and removes it. The page cache holds no dirty data from an earlier run
// when the clock starts (sync(2) before), so one run's writeback does not slow the next.
RunResult runDownload(const DownloadCommand &command, const SourceFile &source, int timeoutMs,
                      const std::function<bool()> &stopRequested, const JsonLineHook &hook = {});

} // namespace starling::bench
