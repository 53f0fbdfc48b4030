// starling: the command-line tool (kubectl/scontrol style: `starling <command> [options]`).
#include "democommand.h"
#include "getcommand.h"
#include "lab/labcommand.h"
#include "lifecyclecommands.h"
#include "operatorcommands.h"
#include "subcommand.h"

#include <QCoreApplication>

#include <cstdio>
#include <cstring>

namespace {

const char kUsage[] =
    "usage: starling <command> [options]\n"
    "\n"
    "cluster:\n"
    "  up        start a cluster (mpiexec -n 2+N starling-node)\n"
    "  down      stop the cluster\n"
    "  restart   stop and start it again with the same configuration (a lost slave returns)\n"
    "  status    the nodes at a glance (--json, --watch)\n"
    "  drain     stop giving a slave new tasks (starling drain NODE --reason TEXT)\n"
    "  resume    make a drained slave ACTIVE again\n"
    "  weight    set a slave's weight W_i (starling weight NODE VALUE)\n"
    "  slow      make a slave compute slower, for demos (starling slow NODE FACTOR)\n"
    "  strategy  set the default distribution strategy (and --w1/--w2)\n"
    "  load      give the cluster synthetic tasks (demo load generator)\n"
    "\n"
    "files:\n"
    "  get       download a file from the slaves in parallel\n"
    "            (starling get URL-OR-PATH [-o FILE] [--resume] [--json] ...)\n"
    "\n"
    "images:\n"
    "  job       run an image job (blur, sobel, median, grey) on the cluster\n"
    "            (starling job OP INPUT -o OUTPUT [--strategy S] [--tasks N] [--local] ...)\n"
    "\n"
    "demo:\n"
    "  demo      a local cluster with a load generator and a live status view, no display\n"
    "            needed (starling demo [--seconds N]); the GUI is starling-console --demo\n"
    "\n"
    "lab (root):\n"
    "  lab       make this machine into N hosts (namespaces, tc, cgroups) and run a cluster\n"
    "            there; inject faults (starling lab up|down|crash|hang|unhang|cut|heal|link)\n"
    "\n"
    "offline:\n"
    "  sim       simulate data distribution strategies on a star platform\n"
    "            (starling sim --paper, or starling sim --platform FILE ...)\n"
    "\n"
    "Run 'starling <command> --help' for a command's options.\n";

} // namespace

int main(int argc, char **argv)
{
    // sim and job live in executables of their own (subcommand.h): this one starts fast.
    if (argc > 1 && std::strcmp(argv[1], "sim") == 0)
        return starling::cli::execSibling("starling-sim", argv);
    if (argc > 1 && std::strcmp(argv[1], "job") == 0)
        return starling::cli::execSibling("starling-job", argv);
    starling::cli::QtArguments qt(argc > 1 ? argv[1] : "");
    QCoreApplication app(qt.argc(), qt.argv());
    QCoreApplication::setApplicationName(QStringLiteral("starling"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (command.isEmpty() || command == QStringLiteral("--help") ||
        command == QStringLiteral("-h") || command == QStringLiteral("help")) {
        std::fputs(kUsage, command.isEmpty() ? stderr : stdout);
        return command.isEmpty() ? 2 : 0;
    }
    if (command == QStringLiteral("--version")) {
        std::printf("starling %s\n", STARLING_VERSION);
        return 0;
    }
    const QStringList rest = starling::cli::commandArguments(argc, argv, command);
    using namespace starling::cli;
    if (command == QStringLiteral("up"))
        return runUpCommand(rest);
    if (command == QStringLiteral("down"))
        return runDownCommand(rest);
    if (command == QStringLiteral("restart"))
        return runRestartCommand(rest);
    if (command == QStringLiteral("status"))
        return runStatusCommand(rest);
    if (command == QStringLiteral("get"))
        return runGetCommand(rest);
    if (command == QStringLiteral("demo"))
        return runDemoCommand(rest);
    if (command == QStringLiteral("lab"))
        return lab::runLabCommand(rest);
    for (const char *op : {"drain", "resume", "weight", "strategy", "load", "slow"}) {
        if (command == QLatin1String(op))
            return runOperatorCommand(command, rest);
    }
    std::fprintf(stderr, "starling: unknown command '%s'; try 'starling --help'\n",
                 qPrintable(command));
    return 2;
}
