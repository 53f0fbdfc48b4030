#include "cliparsing.h"

#include <cstdio>

namespace starling::cli {

int usageError(const QString &message)
{
    std::fprintf(stderr, "starling: %s\n", qPrintable(message));
    return kExitUsage;
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
