#pragma once

#include "util/expected.h"

#include <QString>
#include <QStringList>

namespace starling::cli::lab {

// How Hydra's ssh launcher calls its launcher-exec: `PROGRAM [ssh options] HOST COMMAND...`.
// Measured with MPICH 4.0.2: `-x HOST "/usr/bin/hydra_pmi_proxy" --control-port ...`, the
// proxy's path in literal double quotes, meant for the remote shell. So, as ssh does, the
// command words are joined with spaces for /bin/sh -c.
struct SshInvocation
{
    QString host; // without a "user@" part
    QString command;

    // Skips ssh's options, and the value of those that take one (OpenSSH's getopt string), so
    // a value is never mistaken for the host.
    static Expected<SshInvocation> parse(const QStringList &arguments);
};

} // namespace starling::cli::lab
