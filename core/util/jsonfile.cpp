#include "jsonfile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

namespace starling::util {

namespace {

Error fail(const QString &origin, const QString &what)
{
    return Error{origin + QStringLiteral(": ") + what};
}

QString tooLarge(qint64 maxBytes)
{
    return QStringLiteral("larger than the limit of %1 bytes").arg(maxBytes);
}

} // namespace

Expected<QByteArray> readSmallFile(const QString &path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(path, QStringLiteral("cannot open: ") + file.errorString());
    // One byte past the limit tells an oversized file from one exactly at the limit.
    const QByteArray bytes = file.read(maxBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return fail(path, QStringLiteral("cannot read: ") + file.errorString());
    if (bytes.size() > maxBytes)
        return fail(path, tooLarge(maxBytes));
    return bytes;
}

Expected<QJsonObject> parseJsonObject(const QByteArray &json, const QString &origin,
                                      qint64 maxBytes)
{
    if (json.size() > maxBytes)
        return fail(origin, tooLarge(maxBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return fail(origin, QStringLiteral("not valid UTF-8 JSON at byte %1: %2")
                                .arg(parseError.offset)
                                .arg(parseError.errorString()));
    }
    if (!doc.isObject())
        return fail(origin, QStringLiteral("the top level must be a JSON object"));
    return doc.object();
}

} // namespace starling::util
