// starling-lab-exec: the launcher Hydra runs in place of ssh to start a proxy on a lab host
// (mpiexec -launcher ssh -launcher-exec starling-lab-exec). It finds the host in the lab
// record named by $STARLING_LAB_RECORD, moves itself into the host's cgroup, and replaces
// itself with the command inside the host's network namespace, so the pid Hydra sees is the
// proxy's and its exit status and signals pass straight through.
#include "iproute2.h"
#include "labcgroups.h"
#include "labnetwork.h"
#include "labrecord.h"
#include "sshinvocation.h"

#include <QStringList>

#include <cerrno>
#include <cstdio>
#include <unistd.h>
#include <vector>

namespace {

using namespace starling::cli::lab;

constexpr int kExitLauncherFailed = 255; // what ssh returns when it cannot run the command

int fail(const QString &message)
{
    std::fprintf(stderr, "starling-lab-exec: %s\n", qPrintable(message));
    return kExitLauncherFailed;
}

int execute(const QStringList &words)
{
    std::vector<QByteArray> bytes;
    for (const QString &word : words)
        bytes.push_back(word.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &word : bytes)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    ::execv(argv.front(), argv.data());
    return fail(QStringLiteral("cannot run %1: %2").arg(words.front(), qt_error_string(errno)));
}

} // namespace

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const auto invocation = SshInvocation::parse(arguments);
    if (!invocation)
        return fail(invocation.error());
    const QString recordPath = qEnvironmentVariable(LabRecord::kEnvironmentVariable);
    if (recordPath.isEmpty())
        return fail(QStringLiteral("$%1 is not set: run the cluster with starling lab up")
                        .arg(QLatin1String(LabRecord::kEnvironmentVariable)));
    const auto record = LabRecord::load(recordPath);
    if (!record || !*record)
        return fail(record ? recordPath + QStringLiteral(": no lab record") : record.error());
    const LabHost *host = (*record)->plan().hostByAddress(invocation->host);
    if (!host)
        return fail(QStringLiteral("%1 is not a host of lab %2")
                        .arg(invocation->host, (*record)->plan().id()));
    if (!host->cgroup.isEmpty()) {
        const auto cgroups = LabCgroups::detect();
        if (!cgroups)
            return fail(cgroups.error());
        if (auto joined = LabCgroups::join(cgroups->directory(host->cgroup), ::getpid()); !joined)
            return fail(joined.error());
    }
    // UCX uses only this host's lab interface (the bridge in the root namespace, the veth in
    // a slave's): without it the master and monitor also talked over this machine's own
    // network interface, and a rank over any other interface it found. Hydra's proxy passes
    // it on to the rank (mpiexec's environment does not set it). A caller's choice wins.
    const QByteArray device = host->inRootNamespace() ? (*record)->plan().bridge().toLocal8Bit()
                                                      : QByteArray(LabNetwork::kSlaveInterface);
    ::setenv("UCX_NET_DEVICES", device.constData(), 0);
    const QStringList shell{QStringLiteral("/bin/sh"), QStringLiteral("-c"), invocation->command};
    if (host->inRootNamespace())
        return execute(shell);
    return execute(QStringList{Iproute2::program(QStringLiteral("ip")), QStringLiteral("netns"),
                               QStringLiteral("exec"), host->netns} +
                   shell);
}
