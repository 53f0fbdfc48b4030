#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace starling::cli {

constexpr int kExitRefused = 1; // the cluster said no, or the work failed
constexpr int kExitUsage = 2;   // bad usage, bad input file, or no cluster found

// Prints "starling: MESSAGE" on stderr and returns kExitUsage.
int usageError(const QString &message);

QCommandLineOption runDirOption();

// Prints "starling COMMAND: MESSAGE" on stderr and returns `code`.
int commandError(const char *command, int code, const QString &message);

// One compact JSON object and a newline on stdout, flushed (a line for scripts to read).
void printJsonLine(const QJsonObject &object);

// Parses; returns the exit code when the command should end here (0 after --help, 2 on a
// parse error, with the message printed), or nothing to go on.
std::optional<int> parseOrExit(QCommandLineParser &parser, const QStringList &arguments);

} // namespace starling::cli
