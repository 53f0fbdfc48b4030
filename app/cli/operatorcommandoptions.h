#pragma once

#include "cluster/operatorcommand.h"
#include "util/expected.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>

namespace starling::cli {

// What `starling drain|resume|weight|slow|strategy|load` was asked to do: the command for the
// cluster and how to show its answer. The CLI checks only what it must to build the command;
// whether the numbers are in the cluster's range is the monitor's call (exit 1 with its reason).
struct OperatorCommandOptions
{
    QString verb; // as typed: "drain", "weight", ...
    QString runDir;
    bool json = false;
    cluster::OperatorCommand command;
    // load: --tasks as typed. OperatorCommand holds a whole count, but a fractional or huge
    // --tasks still goes to the monitor, which refuses it with its own reason.
    double loadTasks = 0;
};

// The description and options of `verb`'s --help.
void describeOperatorCommand(QCommandLineParser &parser, const QString &verb);

// The command `parser` (set up by describeOperatorCommand and parsed) asks for, or one line
// saying what is wrong with the arguments.
Expected<OperatorCommandOptions> parseOperatorCommandOptions(const QString &verb,
                                                             const QCommandLineParser &parser);

// The command as it goes to the bridge.
QJsonObject operatorCommandJson(const OperatorCommandOptions &options);

} // namespace starling::cli
