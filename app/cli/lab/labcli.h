#pragma once

#include "labrecord.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace starling::cli::lab {

// What every `starling lab` subcommand shares: its error lines, the privilege check, finding
// the lab in a run directory and the host table.

// "starling lab SUBCOMMAND: MESSAGE" on stderr; returns code.
int labError(const QString &subcommand, int code, const QString &message);

// Root and namespace support, checked before anything is read or made; the exit code (2) when
// missing, with the reason printed.
std::optional<int> requireLabPrivileges(const QString &subcommand);

// The lab record of runDir, or the exit code: 2 with "no lab in DIR" or the record's problem.
struct LoadedLab
{
    std::optional<LabRecord> record;
    int exitCode = 0;
};
LoadedLab loadLab(const QString &subcommand, const QString &runDir);

// One line per host: node, namespace, address, link MB/s, CPU quota.
QString hostTable(const LabPlan &plan);

} // namespace starling::cli::lab
