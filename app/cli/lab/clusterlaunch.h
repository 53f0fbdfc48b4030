#pragma once

#include "labplan.h"

#include <QString>
#include <QStringList>

namespace starling::cli::lab {

// What `starling lab up` hands to `starling up` besides the lab itself.
struct ClusterOptions
{
    QString exportDir;
    QString runDir;
    QString profilePath; // empty = none
    QString configPath;  // empty = none
};

// The cluster on top of a lab is an ordinary `starling up`, run as a subprocess of our own
// binary: nothing in the cluster knows it is in a lab.
class ClusterLaunch
{
public:
    // Which program plays `starling` for up and down: $STARLING_LAB_CLUSTER_PROGRAM (tests
    // put a stand-in there), else this executable.
    static QString program();
    // starling-lab-exec, next to this executable (installed: ../libexec/starling).
    static QString launcherPath();

    // The one place the `starling up` command line is built:
    //   up --detach --slaves N --export DIR --run-dir DIR [--profile FILE] [--config FILE]
    //      --hosts MASTER,MONITOR,SLAVE... --launcher ssh --launcher-exec PATH
    //      --iface BRIDGE --emulation off --bind-host host
    static QStringList upArguments(const LabPlan &plan, const ClusterOptions &options,
                                   const QString &launcher);
    static QStringList downArguments(const QString &runDir);
};

} // namespace starling::cli::lab
