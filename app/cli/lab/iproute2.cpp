#include "iproute2.h"

#include "util/oneline.h"

#include <QProcess>
#include <QStandardPaths>

namespace starling::cli::lab {

QString Iproute2::program(const QString &name)
{
    const QString found = QStandardPaths::findExecutable(name);
    if (!found.isEmpty())
        return found;
    return QStandardPaths::findExecutable(name,
                                          {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                           QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
}

Iproute2::Result Iproute2::run(const QString &tool, const QStringList &arguments)
{
    Result result;
    const QString path = program(tool);
    if (path.isEmpty()) {
        result.error = tool + QStringLiteral(" not found (install iproute2)");
        return result;
    }
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(path, arguments);
    if (!process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        result.error = QStringLiteral("did not finish within %1 s").arg(kTimeoutMs / 1000);
        return result;
    }
    result.output = process.readAllStandardOutput();
    result.error = util::oneLine(QString::fromLocal8Bit(process.readAllStandardError()));
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return result;
}

Iproute2::Result Iproute2::ip(const QStringList &arguments)
{
    return run(QStringLiteral("ip"), arguments);
}

Iproute2::Result Iproute2::tc(const QStringList &arguments)
{
    return run(QStringLiteral("tc"), arguments);
}

Expected<bool> Iproute2::apply(const QString &tool, const QStringList &arguments)
{
    const Result result = run(tool, arguments);
    if (result.ok())
        return true;
    return Error{QStringLiteral("%1 %2: %3")
                     .arg(tool, arguments.join(QLatin1Char(' ')),
                          result.error.isEmpty() ? QStringLiteral("failed") : result.error)};
}

} // namespace starling::cli::lab
