#include "labcli.h"

#include "cliparsing.h"
#include "labpreflight.h"

#include <cstdio>

namespace starling::cli::lab {

int labError(const QString &subcommand, int code, const QString &message)
{
    std::fprintf(stderr, "starling lab %s: %s\n", qPrintable(subcommand), qPrintable(message));
    return code;
}

std::optional<int> requireLabPrivileges(const QString &subcommand)
{
    if (auto privileged = LabPreflight::checkPrivileges(); !privileged)
        return labError(subcommand, kExitUsage, privileged.error());
    if (auto supported = LabPreflight::checkNamespaceSupport(); !supported)
        return labError(subcommand, kExitUsage, supported.error());
    return std::nullopt;
}

LoadedLab loadLab(const QString &subcommand, const QString &runDir)
{
    LoadedLab lab;
    auto loaded = LabRecord::load(LabRecord::pathIn(runDir));
    if (!loaded) {
        lab.exitCode = labError(subcommand, kExitUsage, loaded.error());
        return lab;
    }
    if (!*loaded) {
        lab.exitCode = labError(subcommand, kExitUsage,
                                QStringLiteral("no lab in %1 (start one with: starling lab up "
                                               "--run-dir %1 ...)")
                                    .arg(runDir));
        return lab;
    }
    lab.record = std::move(*std::move(loaded).value());
    return lab;
}

QString hostTable(const LabPlan &plan)
{
    QString table = QStringLiteral("lab %1: subnet %2, bridge %3\n")
                        .arg(plan.id(), plan.subnet(), plan.bridge());
    table += QStringLiteral("  %1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("node"), -9)
                 .arg(QStringLiteral("namespace"), -13)
                 .arg(QStringLiteral("address"), -15)
                 .arg(QStringLiteral("link MB/s"), -10)
                 .arg(QStringLiteral("CPU quota"));
    for (const LabHost &host : plan.hosts()) {
        const QString link =
            host.linkMBps > 0 ? QString::number(host.linkMBps) : QStringLiteral("unshaped");
        const QString quota =
            host.cpuQuotaUs < 0
                ? QStringLiteral("unlimited")
                : QStringLiteral("%1/%2 us (%3 core)")
                      .arg(host.cpuQuotaUs)
                      .arg(LabPlan::kCpuPeriodUs)
                      .arg(double(host.cpuQuotaUs) / LabPlan::kCpuPeriodUs, 0, 'f', 2);
        table += QStringLiteral("  %1 %2 %3 %4 %5\n")
                     .arg(host.node, -9)
                     .arg(host.inRootNamespace() ? QStringLiteral("(root)") : host.netns, -13)
                     .arg(host.address, -15)
                     .arg(link, -10)
                     .arg(quota);
    }
    return table;
}

} // namespace starling::cli::lab
