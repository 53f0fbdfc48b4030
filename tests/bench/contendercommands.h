#pragma once

#include "downloadrun.h"
#include "sourcefile.h"

#include <QString>
#include <QStringList>
#include <QUrl>

namespace starling::bench {

// The command lines of the benchmark's contenders, as a user would type them.

// starling get PATH -o DIR/NAME --run-dir RUN_DIR --strategy S --json
DownloadCommand starlingGetCommand(const QString &cli, const QString &runDir,
                                   const SourceFile &source, const QString &strategy,
                                   const QString &outputDir);

// curl -q -sS -f -o DIR/download.bin URL
DownloadCommand curlCommand(const QString &curl, const QUrl &url, const QString &outputDir);

// aria2c with no user config, no console output, fallocate'd output (its default on ext4
// writes the whole file with zeros first), plus extra; outputName empty = the name the
// Metalink gives.
DownloadCommand aria2Command(const QString &aria2c, const QStringList &extra,
                             const QString &outputDir, const QString &outputName);

// base + the percent-encoded relative path + suffix (".meta4").
QUrl fileUrl(const QUrl &base, const SourceFile &source, const QString &suffix = {});
// The master's relay: MASTER_URL/files/PATH.
QUrl relayUrl(const QUrl &masterUrl, const SourceFile &source, const QString &suffix = {});

} // namespace starling::bench
