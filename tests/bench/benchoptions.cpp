#include "benchoptions.h"

#include <QCommandLineParser>

#include <optional>

namespace starling::bench {

Expected<BenchOptions> BenchOptions::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Starling's file-transfer benchmark (issue 4); make bench runs it."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("starling-cli"),
                                 QStringLiteral("The starling CLI (build/bin/starling)."));
    parser.addPositionalArgument(QStringLiteral("out-dir"),
                                 QStringLiteral("Where the CSV and PNG go (build/bench)."));
    parser.addOptions({
        {QStringLiteral("runs"), QStringLiteral("Runs per contender, 1-20 (default 3)."),
         QStringLiteral("N"), QStringLiteral("3")},
        {QStringLiteral("scenarios"), QStringLiteral("Which scenarios, e.g. 1,3 (default all)."),
         QStringLiteral("LIST"), QStringLiteral("1,2,3,4")},
        {QStringLiteral("big-mib"), QStringLiteral("File size of scenario 1 (default 1024)."),
         QStringLiteral("MIB"), QStringLiteral("1024")},
        {QStringLiteral("paced-mib"), QStringLiteral("File size of scenarios 2-4 (default 256)."),
         QStringLiteral("MIB"), QStringLiteral("256")},
        {QStringLiteral("download-dir"),
         QStringLiteral("Where the copies go (default: a temporary directory in out-dir)."),
         QStringLiteral("DIR")},
        {QStringLiteral("budget-s"),
         QStringLiteral("Skip the runs left after this many seconds (default 900)."),
         QStringLiteral("S"), QStringLiteral("900")},
    });
    if (!parser.parse(arguments))
        return Error{parser.errorText()};
    BenchOptions o;
    if (parser.isSet(QStringLiteral("help"))) {
        o.helpText = parser.helpText();
        return o;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return Error{QStringLiteral("expected STARLING_CLI OUT_DIR, got %1 argument(s)")
                         .arg(positional.size())};
    o.cli = positional[0];
    o.outDir = positional[1];

    QString bad;
    const auto integer = [&](const QString &name, int low, int high) {
        bool ok = false;
        const int value = parser.value(name).toInt(&ok);
        if ((!ok || value < low || value > high) && bad.isEmpty())
            bad = QStringLiteral("--%1 must be an integer from %2 to %3, got '%4'")
                      .arg(name)
                      .arg(low)
                      .arg(high)
                      .arg(parser.value(name));
        return value;
    };
    o.runs = integer(QStringLiteral("runs"), 1, 20);
    o.bigBytes = qint64(integer(QStringLiteral("big-mib"), 1, 16384)) << 20;
    o.pacedBytes = qint64(integer(QStringLiteral("paced-mib"), 1, 16384)) << 20;
    o.budgetS = integer(QStringLiteral("budget-s"), 10, 86400);
    if (!bad.isEmpty())
        return Error{bad};
    o.downloadDir = parser.value(QStringLiteral("download-dir"));

    o.scenarios.clear();
    const QString list = parser.value(QStringLiteral("scenarios"));
    for (const QString &item : list.split(QLatin1Char(','))) {
        bool ok = false;
        const int n = item.trimmed().toInt(&ok);
        if (!ok || n < 1 || n > 4)
            return Error{QStringLiteral(
                             "--scenarios takes numbers from 1 to 4 separated by commas, got '%1'")
                             .arg(list)};
        o.scenarios.insert(n);
    }
    return o;
}

} // namespace starling::bench
