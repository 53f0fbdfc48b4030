#include "statereport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace starling::cluster {

namespace {
const QLatin1String kTokenKey("token");

bool isGeneratedToken(const QByteArray &token)
{
    if (token.size() != 64)
        return false;
    for (const char c : token) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}
} // namespace

QByteArray StateReport::line(const ClusterStateFile &state)
{
    QJsonObject json = state.toJson();
    json.remove(kTokenKey);
    return kPrefix + QJsonDocument(json).toJson(QJsonDocument::Compact) + '\n';
}

Expected<ClusterStateFile> StateReport::parse(const QByteArray &line, const QString &token,
                                              const QString &origin)
{
    if (!line.startsWith(kPrefix))
        return Error{QStringLiteral("%1: not a state report").arg(origin)};
    if (line.size() > ClusterStateFile::kMaxFileBytes)
        return Error{QStringLiteral("%1: the state report is longer than %2 bytes")
                         .arg(origin)
                         .arg(ClusterStateFile::kMaxFileBytes)};
    const QByteArray body = line.mid(qsizetype(qstrlen(kPrefix))).trimmed();
    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error{QStringLiteral("%1: the state report is not a JSON object").arg(origin)};
    QJsonObject json = document.object();
    if (json.contains(kTokenKey))
        return Error{QStringLiteral("%1: a state report must not carry a token").arg(origin)};
    json.insert(kTokenKey, token);
    return ClusterStateFile::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact), origin);
}

std::optional<Expected<ClusterStateFile>> StateReport::find(const QString &logPath,
                                                            const QString &token)
{
    QFile log(logPath);
    if (!log.open(QIODevice::ReadOnly))
        return std::nullopt;
    std::optional<QByteArray> last;
    qint64 scanned = 0;
    while (scanned < kMaxScanBytes && !log.atEnd()) {
        const QByteArray l = log.readLine(ClusterStateFile::kMaxFileBytes + 2);
        scanned += l.size();
        // A line still being written has no newline yet: not a report until it is whole.
        if (l.startsWith(kPrefix) && l.endsWith('\n'))
            last = l;
    }
    if (!last)
        return std::nullopt;
    return parse(*last, token, logPath);
}

QString StateReport::tokenFromEnvironment()
{
    const QByteArray given = qgetenv(kTokenVariable);
    // Children of this process (none today) need not see it.
    qunsetenv(kTokenVariable);
    return isGeneratedToken(given) ? QString::fromLatin1(given) : generateToken();
}

} // namespace starling::cluster
