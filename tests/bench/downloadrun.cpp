#include "downloadrun.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>

#include <unistd.h>

namespace starling::bench {

namespace {

// The tool's output file: the one named, or the largest regular file it left (aria2c names
// its file after the Metalink and keeps a .aria2 control file only while unfinished).
QString findOutput(const DownloadCommand &command)
{
    if (!command.outputFile.isEmpty())
        return command.outputFile;
    const QFileInfoList files =
        QDir(command.outputDir).entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Size);
    return files.isEmpty() ? QString() : files.first().absoluteFilePath();
}

QString lastLine(const QByteArray &text)
{
    const QList<QByteArray> lines = text.trimmed().split('\n');
    return QString::fromLocal8Bit(lines.isEmpty() ? QByteArray() : lines.last()).trimmed();
}

} // namespace

RunResult runDownload(const DownloadCommand &command, const SourceFile &source, int timeoutMs,
                      const std::function<bool()> &stopRequested, const JsonLineHook &hook)
{
    RunResult result;
    QDir(command.outputDir).removeRecursively();
    QDir().mkpath(command.outputDir);
    ::sync();

    QProcess process;
    // Everything here is on loopback; a proxy from the environment would measure the proxy.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name :
         {"http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"})
        environment.remove(QString::fromLatin1(name));
    process.setProcessEnvironment(environment);
    QElapsedTimer clock;
    clock.start();
    process.start(command.program, command.arguments);
    if (!process.waitForStarted(10000)) {
        result.note =
            QStringLiteral("cannot start %1: %2").arg(command.program, process.errorString());
        return result;
    }
    const qint64 pid = process.processId();
    QByteArray stderrText;
    const auto readLines = [&] {
        while (process.canReadLine()) {
            const QByteArray line = process.readLine(1 << 20);
            const QJsonDocument json = QJsonDocument::fromJson(line);
            if (!json.isObject())
                continue;
            const QJsonObject object = json.object();
            if (object.value(QLatin1String("type")).toString() == QLatin1String("summary") &&
                object.contains(QLatin1String("seconds")))
                result.reportedSeconds = object.value(QLatin1String("seconds")).toDouble();
            if (hook)
                hook(pid, object);
        }
        // Only the tail of stderr is kept: it carries the reason when a tool fails.
        stderrText = QByteArray(stderrText + process.readAllStandardError()).right(4096);
    };
    bool timedOut = false, stopped = false;
    while (!process.waitForFinished(20)) {
        readLines();
        if (clock.elapsed() > timeoutMs || stopRequested()) {
            timedOut = !stopRequested();
            stopped = !timedOut;
            process.kill();
            process.waitForFinished(10000);
            break;
        }
    }
    result.exitSeconds = double(clock.nsecsElapsed()) / 1e9;
    readLines();
    if (timedOut || stopped) {
        result.note = timedOut ? QStringLiteral("timed out after %1 s").arg(timeoutMs / 1000)
                               : QStringLiteral("interrupted");
        QDir(command.outputDir).removeRecursively();
        return result;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        result.note = QStringLiteral("exit code %1: %2")
                          .arg(process.exitCode())
                          .arg(lastLine(stderrText + process.readAllStandardOutput()));
        QDir(command.outputDir).removeRecursively();
        return result;
    }

    const QString output = findOutput(command);
    if (!output.isEmpty()) {
        QElapsedTimer syncClock;
        syncClock.start();
        const auto synced = syncFile(output);
        result.durableSeconds = result.exitSeconds + double(syncClock.nsecsElapsed()) / 1e9;
        if (!synced)
            result.note = synced.error();
    }
    if (result.note.isEmpty()) {
        const auto verified = source.verify(output);
        result.ok = bool(verified);
        if (!verified)
            result.note = verified.error();
    }
    QDir(command.outputDir).removeRecursively();
    return result;
}

} // namespace starling::bench
