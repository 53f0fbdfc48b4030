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

Expected<QStringList> LaunchPlan::parseHostfile(const QByteArray &text, int ranks)
{
    QStringList entries;
    for (const QByteArray &raw : text.split('\n')) {
        const QByteArray line =
            raw.left(raw.indexOf('#') < 0 ? raw.size() : raw.indexOf('#')).trimmed();
        if (!line.isEmpty())
            entries << QString::fromUtf8(line.left(300));
    }
    if (entries.size() != ranks)
        return Error{QStringLiteral("the host file needs %1 lines (master, monitor and each slave, "
                                    "one host each, in rank order), got %2")
                         .arg(ranks)
                         .arg(entries.size())};
    auto hosts = parseHosts(entries.join(QLatin1Char(',')), ranks);
    if (!hosts)
        return Error{QString(hosts.error())
                         .replace(QLatin1String("--hosts entry"), QLatin1String("host file line"))};
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
    // One machine (no hosts named): fork. Otherwise Hydra's default (ssh) unless told.
    const QString chosen = launcher.isEmpty() && hosts.isEmpty() && hostfile.isEmpty()
                               ? QStringLiteral("fork")
                               : launcher;
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
        // On one machine, loopback only: UCX otherwise also connects over any other interface
        // it finds, and a `starling lab` bridge that comes and goes took the cluster's
        // connections with it (measured: every heartbeat stopped when a lab was removed).
        if (hosts.isEmpty() && hostfile.isEmpty())
            args << QStringLiteral("-genv") << QStringLiteral("UCX_NET_DEVICES")
                 << QStringLiteral("lo");
    }
    args << QStringLiteral("-n") << QString::number(ranks()) << nodeProgram << nodeArguments
         << QStringLiteral("--rank-hosts") << rankHosts().join(QLatin1Char(','));
    return args;
}

} // namespace starling::cluster
