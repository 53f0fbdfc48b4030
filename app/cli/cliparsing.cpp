#include "cliparsing.h"

#include <QJsonDocument>

#include <cstdio>

namespace starling::cli {

int usageError(const QString &message)
{
    std::fprintf(stderr, "starling: %s\n", qPrintable(message));
    return kExitUsage;
}

int commandError(const char *command, int code, const QString &message)
{
    std::fprintf(stderr, "starling %s: %s\n", command, qPrintable(message));
    return code;
}

void printJsonLine(const QJsonObject &object)
{
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

QCommandLineOption runDirOption()
{
    return {QStringLiteral("run-dir"),
            QStringLiteral("The cluster's run directory (default: $STARLING_RUN_DIR or "
                           "./.starling)."),
            QStringLiteral("dir")};
}

std::optional<int> parseOrExit(QCommandLineParser &parser, const QStringList &arguments)
{
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(parser.helpText()));
        return 0;
    }
    return std::nullopt;
}

} // namespace starling::cli
