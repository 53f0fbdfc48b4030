#include "labcommand.h"

#include "cliparsing.h"
#include "labdowncommand.h"
#include "labfaultcommand.h"
#include "labupcommand.h"

#include <cstdio>

namespace starling::cli::lab {

namespace {

const char kUsage[] =
    "usage: starling lab <subcommand> [options]   (needs root)\n"
    "\n"
    "  up      make 2+N hosts on this machine and start a cluster on them\n"
    "          (starling lab up --slaves N [--profile FILE] --export DIR [--run-dir DIR]\n"
    "           [--subnet CIDR])\n"
    "  down    stop the cluster and remove the lab (safe to repeat)\n"
    "  crash   SIGKILL a slave            (starling lab crash slave-K)\n"
    "  hang    SIGSTOP a slave            (starling lab hang slave-K)\n"
    "  unhang  SIGCONT a slave            (starling lab unhang slave-K)\n"
    "  cut     take a slave's link down   (starling lab cut slave-K)\n"
    "  heal    bring it up again          (starling lab heal slave-K)\n"
    "  link    change a slave's link rate (starling lab link slave-K RATE_MBps)\n"
    "\n"
    "Every subcommand takes --run-dir DIR; slave-K is the slave of MPI rank K (2, 3, ...).\n";

} // namespace

int runLabCommand(const QStringList &arguments)
{
    const QString subcommand = arguments.value(1);
    if (subcommand.isEmpty() || subcommand == QLatin1String("--help") ||
        subcommand == QLatin1String("-h")) {
        std::fputs(kUsage, subcommand.isEmpty() ? stderr : stdout);
        return subcommand.isEmpty() ? kExitUsage : 0;
    }
    QStringList rest = arguments;
    rest.removeAt(1);
    rest[0] = arguments.value(0) + QLatin1Char(' ') + subcommand;
    if (subcommand == QLatin1String("up"))
        return runLabUp(rest);
    if (subcommand == QLatin1String("down"))
        return runLabDown(rest);
    for (const char *fault : {"crash", "hang", "unhang", "cut", "heal", "link"}) {
        if (subcommand == QLatin1String(fault))
            return runLabFault(subcommand, rest);
    }
    std::fprintf(stderr, "starling lab: unknown subcommand '%s'; try 'starling lab --help'\n",
                 qPrintable(subcommand));
    return kExitUsage;
}

} // namespace starling::cli::lab
