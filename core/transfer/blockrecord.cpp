#include "blockrecord.h"

#include "transfer/pathrules.h"
#include "util/jsonfile.h"
#include "util/jsonobjectreader.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

#include <limits>

namespace starling::transfer {

namespace {

constexpr qint64 kMaxSize = std::numeric_limits<qint64>::max() / 2;

QLatin1String key(const char *name)
{
    return QLatin1String(name);
}

bool isEtag(const QString &text)
{
    if (text.size() < 2 || text.size() > 256 || !text.startsWith(u'"') || !text.endsWith(u'"'))
        return false;
    for (const QChar c : text) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

qint64 blocksFor(qint64 size, qint64 pieceSize)
{
    return size == 0 ? 0 : (size - 1) / pieceSize + 1;
}

QByteArray encodeBitmap(const std::vector<bool> &bits)
{
    QByteArray bytes((qsizetype(bits.size()) + 7) / 8, '\0');
    for (size_t i = 0; i < bits.size(); ++i) {
        if (bits[i])
            bytes[qsizetype(i / 8)] = char(uchar(bytes[qsizetype(i / 8)]) | (1u << (i % 8)));
    }
    return bytes.toBase64();
}

// The inverse of encodeBitmap: exactly ceil(blocks / 8) bytes, no bit set past the last block.
Expected<std::vector<bool>> decodeBitmap(const QString &base64, qint64 blocks,
                                         const QString &origin)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        base64.toLatin1(), QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    const qsizetype bitmapBytes = qsizetype(blocks + 7) / 8;
    if (!decoded || decoded.decoded.size() != bitmapBytes) {
        return Error{QStringLiteral("%1: \"verified\" must be base64 of %2 bytes for %3 blocks")
                         .arg(origin)
                         .arg(bitmapBytes)
                         .arg(blocks)};
    }
    std::vector<bool> verified(size_t(blocks), false);
    for (qint64 i = 0; i < bitmapBytes * 8; ++i) {
        const bool bit = (uchar(decoded.decoded.at(qsizetype(i / 8))) >> (i % 8)) & 1u;
        if (i >= blocks && bit)
            return Error{origin + QStringLiteral(": \"verified\" marks blocks past the last one")};
        if (i < blocks)
            verified[size_t(i)] = bit;
    }
    return verified;
}

} // namespace

BlockRecord BlockRecord::forPlan(const TransferPlan &plan)
{
    BlockRecord record;
    record.path = plan.path;
    record.size = plan.size;
    record.mtimeMs = plan.mtimeMs;
    record.etag = plan.etag;
    record.sha256 = plan.sha256;
    record.pieceSize = plan.pieceSize;
    record.verified.assign(plan.blocks.size(), false);
    return record;
}

int BlockRecord::verifiedCount() const
{
    int count = 0;
    for (const bool v : verified)
        count += v ? 1 : 0;
    return count;
}

QJsonObject BlockRecord::toJson() const
{
    return {{key("version"), kVersion},
            {key("path"), path},
            {key("size"), size},
            {key("mtime_ms"), mtimeMs},
            {key("etag"), QString::fromLatin1(etag)},
            {key("sha256"), QString::fromLatin1(sha256)},
            {key("piece_size"), pieceSize},
            {key("blocks"), qint64(verified.size())},
            {key("verified"), QString::fromLatin1(encodeBitmap(verified))}};
}

Expected<BlockRecord> BlockRecord::fromJson(const QByteArray &json, const QString &origin)
{
    const auto object = util::parseJsonObject(json, origin, kMaxFileBytes);
    if (!object)
        return Error{object.error()};
    util::JsonObjectReader reader(*object, origin, util::JsonObjectReader::MissingKey::IsError);
    BlockRecord record;
    qint64 version = 0;
    qint64 blocks = 0;
    QString etag;
    QString sha;
    QString bitmap;
    reader.readInteger(key("version"), 1, std::numeric_limits<int>::max(), version);
    if (reader.ok() && version != kVersion)
        reader.fail(QStringLiteral("version %1 is not supported (this starling writes %2)")
                        .arg(version)
                        .arg(kVersion));
    reader.readString(key("path"), record.path,
                      {[](const QString &s) { return !s.isEmpty() && s.size() <= 4096; },
                       QStringLiteral("a relative path")});
    reader.readInteger(key("size"), 0, kMaxSize, record.size);
    reader.readInteger(key("mtime_ms"), std::numeric_limits<qint64>::min() / 2, kMaxSize,
                       record.mtimeMs);
    reader.readString(key("etag"), etag, {isEtag, QStringLiteral("a quoted ETag")});
    reader.readString(key("sha256"), sha,
                      {isSha256Hex, QStringLiteral("64 lower-case hex digits (SHA-256)")});
    reader.readInteger(key("piece_size"), 1, kMaxSize, record.pieceSize);
    reader.readInteger(key("blocks"), 0, TransferPlan::kMaxBlocks, blocks);
    reader.readString(key("verified"), bitmap,
                      {[](const QString &s) { return s.size() <= kMaxFileBytes; },
                       QStringLiteral("a base64 bitmap")});
    reader.rejectUnknownKeys();
    if (!reader.ok())
        return Error{reader.error()};
    if (blocks != blocksFor(record.size, record.pieceSize)) {
        return Error{QStringLiteral("%1: %2 blocks do not fit %3 bytes in pieces of %4")
                         .arg(origin)
                         .arg(blocks)
                         .arg(record.size)
                         .arg(record.pieceSize)};
    }
    Expected<std::vector<bool>> verified = decodeBitmap(bitmap, blocks, origin);
    if (!verified)
        return Error{verified.error()};
    record.verified = std::move(verified).value();
    record.etag = etag.toLatin1();
    record.sha256 = sha.toLatin1();
    return record;
}

QString BlockRecord::mismatchWith(const TransferPlan &plan) const
{
    if (path != plan.path)
        return QStringLiteral("it is for %1, not %2").arg(path, plan.path);
    if (size != plan.size || mtimeMs != plan.mtimeMs || etag != plan.etag || sha256 != plan.sha256)
        return QStringLiteral("the file changed on the server since the partial download");
    if (pieceSize != plan.pieceSize)
        return QStringLiteral("its piece size %1 differs from the plan's %2")
            .arg(pieceSize)
            .arg(plan.pieceSize);
    if (verified.size() != plan.blocks.size())
        return QStringLiteral("it has %1 blocks, the plan %2")
            .arg(verified.size())
            .arg(plan.blocks.size());
    return {};
}

Expected<bool> BlockRecord::save(const QString &filePath) const
{
    QSaveFile file(filePath);
    const QByteArray bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Compact) + '\n';
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error{QStringLiteral("cannot write the resume record %1: %2")
                         .arg(filePath, file.errorString())};
    return true;
}

Expected<BlockRecord> BlockRecord::load(const QString &filePath, const TransferPlan &plan)
{
    if (!QFile::exists(filePath))
        return Error{filePath + QStringLiteral(": no resume record"), QStringLiteral("missing")};
    const auto bytes = util::readSmallFile(filePath, kMaxFileBytes);
    if (!bytes)
        return Error{bytes.error()};
    auto record = fromJson(*bytes, filePath);
    if (!record)
        return record;
    if (const QString mismatch = record->mismatchWith(plan); !mismatch.isEmpty())
        return Error{filePath + QStringLiteral(": ") + mismatch};
    return record;
}

QString partFilePath(const QString &outputPath)
{
    return outputPath + QStringLiteral(".starling-part");
}

QString recordFilePath(const QString &outputPath)
{
    return outputPath + QStringLiteral(".starling-part.json");
}

} // namespace starling::transfer
