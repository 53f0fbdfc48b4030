#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QUrl>

namespace starling::cli {

// --token TOKEN: the cluster token, for a master named by URL (--master, a /files/ URL).
QCommandLineOption tokenOption();

// The token a client command sends to `master`, first found of: --token, $STARLING_TOKEN, the
// state file in the run directory when it names this master. Empty when there is none (the
// master then answers 401 where it needs one). A malformed token (empty, too long, spaces or
// control characters, which would break the header) is a one-line error that never shows it.
Expected<QByteArray> clientToken(const QCommandLineParser &parser, const QUrl &master);

} // namespace starling::cli
