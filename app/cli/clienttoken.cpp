#include "clienttoken.h"

#include "cluster/statefile.h"

namespace starling::cli {

namespace {

constexpr qsizetype kMaxTokenBytes = 256;

bool isHeaderSafe(const QByteArray &token)
{
    if (token.isEmpty() || token.size() > kMaxTokenBytes)
        return false;
    for (const char c : token) {
        if (uchar(c) <= 0x20 || uchar(c) >= 0x7f)
            return false;
    }
    return true;
}

bool sameMaster(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

} // namespace

QCommandLineOption tokenOption()
{
    return {QStringLiteral("token"),
            QStringLiteral("The cluster token (default: $STARLING_TOKEN, else the state file's "
                           "when it names this master)."),
            QStringLiteral("token")};
}

Expected<QByteArray> clientToken(const QCommandLineParser &parser, const QUrl &master)
{
    QByteArray token;
    QString from;
    if (parser.isSet(QStringLiteral("token"))) {
        token = parser.value(QStringLiteral("token")).toUtf8();
        from = QStringLiteral("--token");
    } else if (qEnvironmentVariableIsSet("STARLING_TOKEN")) {
        token = qgetenv("STARLING_TOKEN");
        from = QStringLiteral("STARLING_TOKEN");
    } else {
        const auto state = cluster::readStateFile(cluster::stateFilePath(
            cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")))));
        if (state && sameMaster(QUrl(state->masterUrl), master))
            return state->token.toLatin1();
        return QByteArray();
    }
    if (!isHeaderSafe(token))
        return Error{QStringLiteral("%1 must be 1 to %2 printable characters without spaces "
                                    "(the cluster token from the state file)")
                         .arg(from)
                         .arg(kMaxTokenBytes)};
    return token;
}

} // namespace starling::cli
