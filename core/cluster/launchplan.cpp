#include "launchplan.h"

#include <QRegularExpression>

namespace starling::cluster {

QStringList LaunchPlan::loopbackHosts(int ranks)
{
    // All of 127.0.0.0/8 is loopback; Hydra starts one proxy per distinct entry.
    QStringList hosts;
    for (int i = 0; i < ranks; ++i)
        hosts << QStringLiteral("127.0.%1.%2").arg(i / 250).arg(i % 250 + 1);
    return hosts;
}

Expected<QStringList> LaunchPlan::parseHosts(const QString &text, int ranks)
{
    static const QRegularExpression kHost(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"));
    const QStringList entries = text.split(QLatin1Char(','));
    if (entries.size() != ranks)
        return Error{QStringLiteral("--hosts needs %1 entries (master, monitor and each slave, "
                                    "one host each), got %2")
                         .arg(ranks)
                         .arg(entries.size())};
    QStringList hosts;
    for (const QString &entry : entries) {
        QString host = entry.trimmed();
        if (host.endsWith(QLatin1String(":1")))
            host.chop(2);
        if (!kHost.match(host).hasMatch())
            return Error{QStringLiteral("--hosts entry \"%1\" is not a host name or address "
                                        "(one slot per host: \"host\" or \"host:1\")")
                             .arg(entry.left(64))};
        hosts << host;
    }
    return hosts;
}

QStringList LaunchPlan::mpiexecArguments() const
{
    QStringList args{QStringLiteral("-disable-auto-cleanup")};
    if (!hostfile.isEmpty()) {
        args << QStringLiteral("-f") << hostfile;
    } else {
        QStringList entries;
        for (const QString &host : hosts.isEmpty() ? loopbackHosts(ranks()) : hosts)
            entries << host + QStringLiteral(":1");
        args << QStringLiteral("-hosts") << entries.join(QLatin1Char(','));
    }
    const QString chosen =
        launcher.isEmpty() && hostfile.isEmpty() ? QStringLiteral("fork") : launcher;
    if (!chosen.isEmpty())
        args << QStringLiteral("-launcher") << chosen;
    if (!launcherExec.isEmpty())
        args << QStringLiteral("-launcher-exec") << launcherExec;
    if (!iface.isEmpty())
        args << QStringLiteral("-iface") << iface;
    if (mpiTransport == QLatin1String("tcp")) {
        args << QStringLiteral("-genv") << QStringLiteral("UCX_TLS") << QStringLiteral("tcp")
             << QStringLiteral("-genv") << QStringLiteral("MPIR_CVAR_NOLOCAL")
             << QStringLiteral("1");
    }
    args << QStringLiteral("-n") << QString::number(ranks()) << nodeProgram << nodeArguments;
    return args;
}

} // namespace starling::cluster
