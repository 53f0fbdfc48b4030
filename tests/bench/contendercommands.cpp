#include "contendercommands.h"

#include "transfer/transferplan.h"

#include <QDir>
#include <QFileInfo>

namespace starling::bench {

DownloadCommand starlingGetCommand(const QString &cli, const QString &runDir,
                                   const SourceFile &source, const QString &strategy,
                                   const QString &outputDir)
{
    const QString output = QDir(outputDir).filePath(QFileInfo(source.path).fileName());
    return {cli,
            {QStringLiteral("get"), source.relativePath, QStringLiteral("-o"), output,
             QStringLiteral("--run-dir"), runDir, QStringLiteral("--strategy"), strategy,
             QStringLiteral("--json")},
            outputDir,
            output};
}

DownloadCommand curlCommand(const QString &curl, const QUrl &url, const QString &outputDir)
{
    const QString output = QDir(outputDir).filePath(QStringLiteral("download.bin"));
    // -q first: no ~/.curlrc; -f: an HTTP error is a failed run, not a saved error page.
    return {curl,
            {QStringLiteral("-q"), QStringLiteral("-sS"), QStringLiteral("-f"),
             QStringLiteral("-o"), output, url.toString()},
            outputDir,
            output};
}

DownloadCommand aria2Command(const QString &aria2c, const QStringList &extra,
                             const QString &outputDir, const QString &outputName)
{
    QStringList arguments{QStringLiteral("--no-conf=true"),
                          QStringLiteral("--quiet=true"),
                          QStringLiteral("--dir=") + outputDir,
                          QStringLiteral("--allow-overwrite=true"),
                          QStringLiteral("--auto-file-renaming=false"),
                          QStringLiteral("--file-allocation=falloc")};
    if (!outputName.isEmpty())
        arguments << QStringLiteral("--out=") + outputName;
    arguments << extra;
    return {aria2c, arguments, outputDir,
            outputName.isEmpty() ? QString() : QDir(outputDir).filePath(outputName)};
}

QUrl fileUrl(const QUrl &base, const SourceFile &source, const QString &suffix)
{
    return base.resolved(
        QUrl(QString::fromLatin1(transfer::encodePath(source.relativePath)) + suffix));
}

QUrl relayUrl(const QUrl &masterUrl, const SourceFile &source, const QString &suffix)
{
    return fileUrl(masterUrl.resolved(QUrl(QStringLiteral("files/"))), source, suffix);
}

} // namespace starling::bench
