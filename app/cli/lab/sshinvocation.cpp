#include "sshinvocation.h"

namespace starling::cli::lab {

namespace {

// OpenSSH's options with an argument ("B:b:c:D:E:e:F:I:i:J:L:l:m:O:o:p:P:Q:R:S:W:w:").
bool takesValue(QChar option)
{
    static const QString withValue = QStringLiteral("BbcDEeFIiJLlmOopPQRSWw");
    return withValue.contains(option);
}

} // namespace

Expected<SshInvocation> SshInvocation::parse(const QStringList &arguments)
{
    qsizetype i = 0;
    while (i < arguments.size() && arguments.at(i).startsWith(QLatin1Char('-'))) {
        const QString &word = arguments.at(i++);
        if (word == QLatin1String("--"))
            break;
        // A cluster of flags ("-xT") may end in one option whose value is the next word.
        for (qsizetype c = 1; c < word.size(); ++c) {
            if (!takesValue(word.at(c)))
                continue;
            if (c == word.size() - 1)
                ++i;
            break;
        }
    }
    if (i >= arguments.size())
        return Error{QStringLiteral("no host: usage like ssh, [options] HOST COMMAND...")};
    SshInvocation invocation;
    invocation.host = arguments.at(i++);
    invocation.host = invocation.host.mid(invocation.host.lastIndexOf(QLatin1Char('@')) + 1);
    invocation.command = arguments.mid(i).join(QLatin1Char(' '));
    if (invocation.command.isEmpty())
        return Error{QStringLiteral("no command for %1 (an interactive login is not supported)")
                         .arg(invocation.host)};
    return invocation;
}

} // namespace starling::cli::lab
