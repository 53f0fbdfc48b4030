#pragma once

#include <QString>
#include <QStringList>

namespace starling::cli::lab {

// starling lab crash|hang|unhang|cut|heal NODE, starling lab link NODE RATE_MBps: faults
// injected from outside the cluster, each kept in the lab record with its time.
int runLabFault(const QString &action, const QStringList &arguments);

} // namespace starling::cli::lab
