#include "relaychunk.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace starling::transfer {

namespace {

constexpr qsizetype kMaxHeader = 8192;

// JSON numbers are doubles: integers up to 2^53 are exact, which covers every offset.
bool readInt(const QJsonObject &o, QLatin1String key, qint64 min, qint64 max, qint64 &out)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (d != double(qint64(d)) || d < double(min) || d > double(max))
        return false;
    out = qint64(d);
    return true;
}

constexpr qint64 kMaxOffset = qint64(1) << 53;

} // namespace

QByteArray ChunkRequest::encode() const
{
    return QJsonDocument(QJsonObject{{QLatin1String("relay"), double(relay)},
                                     {QLatin1String("seq"), double(seq)},
                                     {QLatin1String("attempt"), attempt},
                                     {QLatin1String("path"), path},
                                     {QLatin1String("offset"), double(offset)},
                                     {QLatin1String("length"), double(length)},
                                     {QLatin1String("etag"), QString::fromLatin1(etag)}})
        .toJson(QJsonDocument::Compact);
}

Expected<ChunkRequest> ChunkRequest::decode(const QByteArray &payload)
{
    if (payload.size() > kMaxHeader)
        return Error{QStringLiteral("chunk request: longer than %1 bytes").arg(kMaxHeader)};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (!doc.isObject())
        return Error{QStringLiteral("chunk request: not a JSON object")};
    const QJsonObject o = doc.object();
    ChunkRequest r;
    qint64 attempt = 0;
    if (!readInt(o, QLatin1String("relay"), 0, kMaxOffset, r.relay) ||
        !readInt(o, QLatin1String("seq"), 0, kMaxOffset, r.seq) ||
        !readInt(o, QLatin1String("attempt"), 1, 1 << 20, attempt) ||
        !readInt(o, QLatin1String("offset"), 0, kMaxOffset, r.offset) ||
        !readInt(o, QLatin1String("length"), 1, ChunkAnswer::kMaxChunk, r.length) ||
        !o.value(QLatin1String("path")).isString() || !o.value(QLatin1String("etag")).isString())
        return Error{QStringLiteral("chunk request: missing or malformed field")};
    r.attempt = int(attempt);
    r.path = o.value(QLatin1String("path")).toString();
    r.etag = o.value(QLatin1String("etag")).toString().toLatin1();
    if (r.path.isEmpty())
        return Error{QStringLiteral("chunk request: empty path")};
    return r;
}

QByteArray ChunkAnswer::encode() const
{
    QJsonObject header{{QLatin1String("relay"), double(relay)},
                       {QLatin1String("seq"), double(seq)},
                       {QLatin1String("attempt"), attempt},
                       {QLatin1String("length"), double(data.size())}};
    if (!error.isEmpty()) {
        header.insert(QLatin1String("error"), error);
        header.insert(QLatin1String("code"), errorCode);
    }
    QByteArray payload = QJsonDocument(header).toJson(QJsonDocument::Compact);
    payload.reserve(payload.size() + 1 + data.size());
    payload += '\n';
    payload += data.view();
    return payload;
}

Expected<ChunkAnswer> ChunkAnswer::decode(const QByteArray &payload)
{
    const qsizetype newline = payload.indexOf('\n');
    if (newline < 0 || newline > kMaxHeader)
        return Error{QStringLiteral("chunk answer: no header line")};
    const QJsonDocument doc = QJsonDocument::fromJson(payload.left(newline));
    if (!doc.isObject())
        return Error{QStringLiteral("chunk answer: header is not a JSON object")};
    const QJsonObject o = doc.object();
    ChunkAnswer a;
    qint64 attempt = 0;
    qint64 length = 0;
    if (!readInt(o, QLatin1String("relay"), 0, kMaxOffset, a.relay) ||
        !readInt(o, QLatin1String("seq"), 0, kMaxOffset, a.seq) ||
        !readInt(o, QLatin1String("attempt"), 1, 1 << 20, attempt) ||
        !readInt(o, QLatin1String("length"), 0, kMaxChunk, length))
        return Error{QStringLiteral("chunk answer: missing or malformed field")};
    a.attempt = int(attempt);
    if (payload.size() - newline - 1 != length)
        return Error{QStringLiteral("chunk answer: %1 data bytes, header says %2")
                         .arg(payload.size() - newline - 1)
                         .arg(length)};
    a.error = o.value(QLatin1String("error")).toString();
    a.errorCode = o.value(QLatin1String("code")).toString();
    a.data = ByteSlice(payload, newline + 1, length);
    return a;
}

} // namespace starling::transfer
