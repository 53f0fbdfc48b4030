#include "clusterlaunch.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace starling::cli::lab {

QString ClusterLaunch::program()
{
    const QString override = qEnvironmentVariable("STARLING_LAB_CLUSTER_PROGRAM");
    return override.isEmpty() ? QCoreApplication::applicationFilePath() : override;
}

QString ClusterLaunch::launcherPath()
{
    const QDir here(QCoreApplication::applicationDirPath());
    const QString beside = here.filePath(QStringLiteral("starling-lab-exec"));
    // The Debian package keeps helpers off PATH (resources/packaging/README.md).
    return QFileInfo(beside).isExecutable()
               ? beside
               : QDir::cleanPath(
                     here.filePath(QStringLiteral("../libexec/starling/starling-lab-exec")));
}

QStringList ClusterLaunch::upArguments(const LabPlan &plan, const ClusterOptions &options,
                                       const QString &launcher)
{
    QStringList hosts; // rank order: master, monitor, slaves; one Hydra proxy each
    for (const LabHost &host : plan.hosts())
        hosts << host.address;
    QStringList arguments{QStringLiteral("up"),        QStringLiteral("--detach"),
                          QStringLiteral("--slaves"),  QString::number(plan.slaveCount()),
                          QStringLiteral("--export"),  options.exportDir,
                          QStringLiteral("--run-dir"), options.runDir};
    if (!options.profilePath.isEmpty())
        arguments << QStringLiteral("--profile") << options.profilePath;
    if (!options.configPath.isEmpty())
        arguments << QStringLiteral("--config") << options.configPath;
    arguments << QStringLiteral("--hosts") << hosts.join(QLatin1Char(','))
              << QStringLiteral("--launcher") << QStringLiteral("ssh")
              << QStringLiteral("--launcher-exec") << launcher << QStringLiteral("--iface")
              << plan.bridge() << QStringLiteral("--emulation") << QStringLiteral("off")
              << QStringLiteral("--bind-host") << QStringLiteral("host");
    return arguments;
}

QStringList ClusterLaunch::downArguments(const QString &runDir)
{
    return {QStringLiteral("down"), QStringLiteral("--run-dir"), runDir};
}

} // namespace starling::cli::lab
