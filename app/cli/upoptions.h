#pragma once

#include "cluster/launchplan.h"
#include "util/expected.h"
#include "util/tlstrust.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace starling::cli {

// A parsed and checked `starling up`: what to launch and how to wait for it.
struct UpOptions
{
    cluster::LaunchPlan plan;
    QString runDir;
    double timeoutS = 30;
    bool detach = false;
    QStringList normalized; // the arguments again, paths absolute: what restart replays
    util::TlsTrust trust;   // what clients are told to trust (state file `tls`); empty = clear text
};

// The description and options of `starling up --help`.
void describeUpCommand(QCommandLineParser &parser);

// The cluster `parser` (set up by describeUpCommand and parsed) asks for, or one line saying
// what is wrong. Reads the config, profile and host files it names and creates the run
// directory.
Expected<UpOptions> parseUpOptions(const QCommandLineParser &parser);

} // namespace starling::cli
