// starling: the command-line tool (kubectl/scontrol style: `starling <command> [options]`).
#include "democommand.h"
#include "getcommand.h"
#include "jobcommand.h"
#include "lab/labcommand.h"
#include "lifecyclecommands.h"
#include "operatorcommands.h"
#include "simcommand.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <cstring>
#include <memory>

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

// The offscreen platform that renders charts for --plot warns about window features it lacks;
// those lines would only confuse a terminal user.
void quietOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type == QtWarningMsg && (text.contains(QLatin1String("propagateSizeHints")) ||
                                 text.contains(QLatin1String("XDG_RUNTIME_DIR"))))
        return;
    std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, text)));
}

bool wantsPlot(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--plot") == 0 || std::strncmp(argv[i], "--plot=", 7) == 0)
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    // Charts need a QApplication; a CLI renders them offscreen so it works without a display.
    // Qt would take options such as --platform for itself; it gets only the program name and
    // the command's own parser sees every argument.
    int qtArgc = 1;
    std::unique_ptr<QCoreApplication> app;
    if (wantsPlot(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        qInstallMessageHandler(quietOffscreenNoise);
        app = std::make_unique<QApplication>(qtArgc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(qtArgc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("starling"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const QString command = arguments.value(1);
    if (command.isEmpty() || command == QStringLiteral("--help") ||
        command == QStringLiteral("-h") || command == QStringLiteral("help")) {
        std::fputs(kUsage, command.isEmpty() ? stderr : stdout);
        return command.isEmpty() ? 2 : 0;
    }
    if (command == QStringLiteral("--version")) {
        std::printf("starling %s\n", STARLING_VERSION);
        return 0;
    }
    // The parser sees "starling COMMAND <options...>" as one program name, so --help says
    // "Usage: starling get [options] ..." whatever path the binary was run from.
    QStringList rest = arguments;
    rest.removeAt(1);
    rest[0] = QStringLiteral("starling ") + command;
    using namespace starling::cli;
    if (command == QStringLiteral("sim"))
        return runSimCommand(rest);
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
    if (command == QStringLiteral("job"))
        return runJobCommand(rest);
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
