#include "transferplan.h"

#include "transfer/pathrules.h"
#include "util/jsonobjectreader.h"

#include <QJsonArray>

#include <limits>

namespace starling::transfer {

namespace {

constexpr qint64 kMaxSize = std::numeric_limits<qint64>::max() / 2;

util::StringRule hexDigest()
{
    return {isSha256Hex, QStringLiteral("64 lower-case hex digits (SHA-256)")};
}

util::StringRule nonEmpty(int maxLength)
{
    return {[maxLength](const QString &s) { return !s.isEmpty() && s.size() <= maxLength; },
            QStringLiteral("a non-empty string of at most %1 characters").arg(maxLength)};
}

util::StringRule isBlockTag()
{
    return {[](const QString &s) {
                if (s.isEmpty() || s.size() > 64)
                    return false;
                for (const QChar c : s) {
                    if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
                        return false;
                }
                return true;
            },
            QStringLiteral("1 to 64 lower-case hex digits")};
}

// A strong ETag: a quoted string of visible ASCII without quotes inside.
bool isStrongEtag(const QString &text)
{
    if (text.size() < 2 || text.size() > 256 || !text.startsWith(u'"') || !text.endsWith(u'"'))
        return false;
    for (qsizetype i = 1; i + 1 < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f || c == u'"')
            return false;
    }
    return true;
}

// A relative path a client may ask for: no empty, "." or ".." segment, no leading '/'.
bool isRelativePath(const QString &path)
{
    if (path.isEmpty() || path.size() > 4096 || path.contains(QChar(0)))
        return false;
    for (const QStringView segment : QStringView(path).split(u'/')) {
        if (segment.isEmpty() || segment == u"." || segment == u"..")
            return false;
    }
    return true;
}

Expected<PlanSource> readSource(const QJsonValue &value, int index)
{
    const QString context = QStringLiteral("plan: sources[%1]").arg(index);
    if (!value.isObject())
        return Error{context + QStringLiteral(": must be an object")};
    util::JsonObjectReader reader(value.toObject(), context,
                                  util::JsonObjectReader::MissingKey::IsError);
    PlanSource source;
    QString url;
    reader.readInteger(QLatin1String("rank"), 0, std::numeric_limits<int>::max(), source.rank);
    reader.readString(QLatin1String("name"), source.name, nonEmpty(256));
    reader.readString(QLatin1String("url"), url,
                      {[](const QString &s) {
                           const QUrl u(s, QUrl::StrictMode);
                           return u.isValid() && !u.host().isEmpty() &&
                                  (u.scheme() == u"http" || u.scheme() == u"https") &&
                                  (u.path().isEmpty() || u.path() == u"/") && !u.hasQuery() &&
                                  !u.hasFragment();
                       },
                       QStringLiteral("an http(s) URL without a path, query or fragment")});
    reader.readNumber(QLatin1String("link_MBps"), {0, 0, false, true}, source.linkMBps);
    reader.readNumber(QLatin1String("share"), {0, 1}, source.share);
    if (!reader.ok())
        return Error{reader.error()};
    source.url = QUrl(url, QUrl::StrictMode);
    source.url.setPath(QString());
    return source;
}

// Block i must be piece i of the file (index, offset and length follow from the plan's size and
// piece size) and name one of the plan's sources.
Expected<PlanBlock> readBlock(const QJsonValue &value, int i, const TransferPlan &plan)
{
    const QString context = QStringLiteral("plan: blocks[%1]").arg(i);
    if (!value.isObject())
        return Error{context + QStringLiteral(": must be an object")};
    util::JsonObjectReader reader(value.toObject(), context,
                                  util::JsonObjectReader::MissingKey::IsError);
    PlanBlock block;
    QString sha;
    reader.readInteger(QLatin1String("index"), i, i, block.index);
    reader.readInteger(QLatin1String("offset"), qint64(i) * plan.pieceSize,
                       qint64(i) * plan.pieceSize, block.offset);
    const qint64 length = qMin(plan.pieceSize, plan.size - qint64(i) * plan.pieceSize);
    reader.readInteger(QLatin1String("length"), length, length, block.length);
    reader.readString(QLatin1String("sha256"), sha, hexDigest());
    reader.readInteger(QLatin1String("source"), 0, qint64(plan.sources.size()) - 1, block.source);
    // Optional: a plan from an older master, or a test's, has no signed tags.
    util::JsonObjectReader optional(value.toObject(), context);
    QString tag;
    optional.readString(QLatin1String("tag"), tag, isBlockTag());
    if (!reader.ok() || !optional.ok())
        return Error{reader.ok() ? optional.error() : reader.error()};
    block.sha256 = sha.toLatin1();
    block.tag = tag.toLatin1();
    return block;
}

} // namespace

QJsonObject TransferPlan::toJson() const
{
    QJsonArray sourceArray;
    for (const PlanSource &s : sources) {
        sourceArray.append(QJsonObject{{QLatin1String("rank"), s.rank},
                                       {QLatin1String("name"), s.name},
                                       {QLatin1String("url"), s.url.toString()},
                                       {QLatin1String("link_MBps"), s.linkMBps},
                                       {QLatin1String("share"), s.share}});
    }
    QJsonArray blockArray;
    for (const PlanBlock &b : blocks) {
        QJsonObject block{{QLatin1String("index"), b.index},
                          {QLatin1String("offset"), b.offset},
                          {QLatin1String("length"), b.length},
                          {QLatin1String("sha256"), QString::fromLatin1(b.sha256)},
                          {QLatin1String("source"), b.source}};
        if (!b.tag.isEmpty())
            block.insert(QLatin1String("tag"), QString::fromLatin1(b.tag));
        blockArray.append(block);
    }
    return {{QLatin1String("transfer_id"), transferId},
            {QLatin1String("path"), path},
            {QLatin1String("size"), size},
            {QLatin1String("mtime_ms"), mtimeMs},
            {QLatin1String("etag"), QString::fromLatin1(etag)},
            {QLatin1String("piece_size"), pieceSize},
            {QLatin1String("sha256"), QString::fromLatin1(sha256)},
            {QLatin1String("strategy"), strategy},
            {QLatin1String("sources"), sourceArray},
            {QLatin1String("blocks"), blockArray}};
}

Expected<TransferPlan> TransferPlan::fromJson(const QJsonObject &object)
{
    util::JsonObjectReader reader(object, QStringLiteral("plan"),
                                  util::JsonObjectReader::MissingKey::IsError);
    TransferPlan plan;
    QString etag;
    QString sha;
    reader.readString(QLatin1String("transfer_id"), plan.transferId, nonEmpty(128));
    reader.readString(QLatin1String("path"), plan.path,
                      {isRelativePath, QStringLiteral("a relative path without . or ..")});
    reader.readInteger(QLatin1String("size"), 0, kMaxSize, plan.size);
    reader.readInteger(QLatin1String("mtime_ms"), std::numeric_limits<qint64>::min() / 2, kMaxSize,
                       plan.mtimeMs);
    reader.readString(QLatin1String("etag"), etag,
                      {isStrongEtag, QStringLiteral("a quoted strong ETag")});
    reader.readInteger(QLatin1String("piece_size"), 1, kMaxSize, plan.pieceSize);
    reader.readString(QLatin1String("sha256"), sha, hexDigest());
    reader.readString(QLatin1String("strategy"), plan.strategy, nonEmpty(32));
    const QJsonArray sourceArray = reader.readArray(QLatin1String("sources"), kMaxSources);
    const QJsonArray blockArray = reader.readArray(QLatin1String("blocks"), kMaxBlocks);
    if (!reader.ok())
        return Error{reader.error()};
    plan.etag = etag.toLatin1();
    plan.sha256 = sha.toLatin1();

    for (int i = 0; i < sourceArray.size(); ++i) {
        Expected<PlanSource> source = readSource(sourceArray.at(i), i);
        if (!source)
            return Error{source.error()};
        plan.sources.push_back(std::move(source).value());
    }
    if (plan.sources.empty() && plan.size > 0)
        return Error{QStringLiteral("plan: no sources for a non-empty file")};

    const qint64 expectedBlocks = plan.size == 0 ? 0 : (plan.size - 1) / plan.pieceSize + 1;
    if (blockArray.size() != expectedBlocks) {
        return Error{QStringLiteral("plan: %1 blocks for %2 bytes in pieces of %3, expected %4")
                         .arg(blockArray.size())
                         .arg(plan.size)
                         .arg(plan.pieceSize)
                         .arg(expectedBlocks)};
    }
    plan.blocks.reserve(size_t(blockArray.size()));
    for (int i = 0; i < blockArray.size(); ++i) {
        Expected<PlanBlock> block = readBlock(blockArray.at(i), i, plan);
        if (!block)
            return Error{block.error()};
        plan.blocks.push_back(std::move(block).value());
    }
    return plan;
}

QUrl TransferPlan::blockUrl(const PlanBlock &block, int sourceIndex) const
{
    QUrl url = sources.at(size_t(sourceIndex)).url;
    url.setPath(QStringLiteral("/files/") + QString::fromLatin1(encodePath(path)),
                QUrl::TolerantMode);
    // Not QUrlQuery: it leaves '+' as is, which servers decode as a space in a query.
    QByteArray query =
        "t=" + QUrl::toPercentEncoding(transferId) + "&b=" + QByteArray::number(block.index);
    if (!block.tag.isEmpty())
        query += "&s=" + block.tag; // hex: nothing to encode
    url.setQuery(QString::fromLatin1(query), QUrl::TolerantMode);
    return url;
}

qint64 pieceSizeFor(qint64 fileSize)
{
    constexpr qint64 kMin = 256 * 1024;
    constexpr qint64 kMax = 16 * 1024 * 1024;
    qint64 piece = kMin;
    while (piece < kMax && fileSize / piece > 256)
        piece *= 2;
    return piece;
}

QByteArray makeEtag(qint64 size, std::int64_t mtimeNs)
{
    return '"' + QByteArray::number(size, 16) + '-' + QByteArray::number(qulonglong(mtimeNs), 16) +
           '"';
}

QByteArray encodePath(const QString &relativePath)
{
    // Everything but unreserved characters and '/' is encoded, so a name with '?', '#', '%'
    // or spaces survives the trip.
    return QUrl::toPercentEncoding(relativePath, "/");
}

} // namespace starling::transfer
