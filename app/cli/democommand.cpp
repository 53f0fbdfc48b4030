#include "democommand.h"

#include "cliparsing.h"
#include "cluster/statefile.h"
#include "headlessdemo.h"
#include "util/shippedresource.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace starling::cli {

namespace {

// Beside the build (build/bin -> resources/), else where the Debian package puts it.
QString defaultProfile()
{
    return util::findShippedResource(QStringLiteral("profiles/four-slaves.json"));
}

void describeDemoCommand(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("The console's demo without a display: a local cluster, a load "
                       "generator (downloads, image jobs, synthetic tasks, a drain and a "
                       "slowdown), a live status view, then a summary."));
    parser.addHelpOption();
    parser.addOption(runDirOption());
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("How long to run (default 60)."),
                      QStringLiteral("s"), QStringLiteral("60")});
    parser.addOption({QStringLiteral("slaves"), QStringLiteral("How many slaves (default 4)."),
                      QStringLiteral("n"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("profile"),
                      QStringLiteral("Heterogeneity profile (default: the four-slave one)."),
                      QStringLiteral("file")});
}

Expected<DemoOptions> parseDemoOptions(const QCommandLineParser &parser)
{
    DemoOptions o;
    bool ok = false;
    o.seconds = parser.value(QStringLiteral("seconds")).toInt(&ok);
    if (!ok || o.seconds < 5 || o.seconds > 86400)
        return Error{QStringLiteral("--seconds wants a number from 5 to 86400")};
    o.slaves = parser.value(QStringLiteral("slaves")).toInt(&ok);
    if (!ok || o.slaves < 1 || o.slaves > 64)
        return Error{QStringLiteral("--slaves wants a number from 1 to 64")};
    o.profile = parser.isSet(QStringLiteral("profile")) ? parser.value(QStringLiteral("profile"))
                                                        : defaultProfile();
    o.runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (QFileInfo::exists(cluster::stateFilePath(o.runDir)))
        return Error{QStringLiteral("a cluster's state file is already in %1; stop it "
                                    "(starling down --run-dir %1) or pick another --run-dir")
                         .arg(o.runDir)};
    return o;
}

} // namespace

int runDemoCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeDemoCommand(parser);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    const auto options = parseDemoOptions(parser);
    if (!options)
        return usageError(options.error());
    HeadlessDemo demo(*options);
    return demo.run();
}

} // namespace starling::cli
