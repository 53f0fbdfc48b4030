#pragma once

// A program run to its end as a user would from a shell: its exit code and what it printed.
#include <QProcess>
#include <QString>
#include <QStringList>

namespace starling::testing {

struct CliResult
{
    int exitCode = -1; // -1: it crashed or was killed after the timeout
    QString out;
    QString err;
};

inline CliResult runProgram(const QString &program, const QStringList &arguments,
                            int timeoutMs = 60000)
{
    QProcess process;
    process.start(program, arguments);
    CliResult result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = QStringLiteral("timed out: %1 %2").arg(program, arguments.join(u' '));
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    result.err = QString::fromLocal8Bit(process.readAllStandardError());
    return result;
}

} // namespace starling::testing
