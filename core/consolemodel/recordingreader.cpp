#include "recordingreader.h"

#include <QFile>
#include <QJsonDocument>
#include <QtEndian>

#include <cstring>

namespace starling::consolemodel {

namespace {

using namespace recording;

// One block's bytes, or why not; `truncated` when the file ends inside it.
struct BlockRead
{
    QByteArray raw;
    QString error;
    bool truncated = false;
    qint64 next = 0;
};

std::uint32_t u32At(const QByteArray &bytes, qint64 at)
{
    return qFromBigEndian<std::uint32_t>(bytes.constData() + at);
}

BlockRead readBlock(const QByteArray &bytes, qint64 at)
{
    BlockRead b;
    const qint64 left = bytes.size() - at;
    if (left < kBlockHeaderBytes) {
        b.truncated = true;
        return b;
    }
    const std::uint32_t length = u32At(bytes, at);
    if (u32At(bytes, at + 4) != ~length) {
        b.error = QStringLiteral("damaged block header");
        return b;
    }
    if (length > kMaxStoredBytes || length < 4) {
        b.error = QStringLiteral("a block of %1 bytes (the limit is %2)")
                      .arg(length)
                      .arg(kMaxStoredBytes);
        return b;
    }
    if (left - kBlockHeaderBytes < qint64(length)) {
        b.truncated = true;
        return b;
    }
    const QByteArray stored = bytes.mid(at + kBlockHeaderBytes, length);
    if (crc32(stored) != u32At(bytes, at + 8)) {
        b.error = QStringLiteral("checksum mismatch");
        return b;
    }
    // qCompress's own first four bytes are the raw size: bounded before anything is allocated.
    if (u32At(stored, 0) > kMaxRawBytes) {
        b.error = QStringLiteral("a block that would expand to %1 bytes (the limit is %2)")
                      .arg(u32At(stored, 0))
                      .arg(kMaxRawBytes);
        return b;
    }
    b.raw = qUncompress(stored);
    if (b.raw.isEmpty() && u32At(stored, 0) != 0)
        b.error = QStringLiteral("a block that does not decompress");
    b.next = at + kBlockHeaderBytes + length;
    return b;
}

// Appends the block's records; an error names the record by its line in the block.
QString appendRecords(const QByteArray &raw, std::vector<Record> &records)
{
    qint64 line = 0;
    for (const QByteArray &text : raw.split('\n')) {
        ++line;
        if (text.isEmpty())
            continue;
        QString why;
        auto record = decodeRecord(text, why);
        if (!record)
            return QStringLiteral("record %1 of the block: %2").arg(line).arg(why);
        if (!records.empty() && record->atMs < records.back().atMs)
            return QStringLiteral("record %1 of the block goes back in time").arg(line);
        records.push_back(std::move(*record));
    }
    return {};
}

Error failure(const QString &name, qint64 offset, const QString &what)
{
    return Error{QStringLiteral("%1: offset %2: %3").arg(name).arg(offset).arg(what),
                 QStringLiteral("bad_recording")};
}

} // namespace

Expected<Recording> parseRecording(const QByteArray &bytes, const QString &name)
{
    if (bytes.size() < kMagicBytes || std::memcmp(bytes.constData(), kMagic, kMagicBytes) != 0)
        return Error{QStringLiteral("%1: not a Starling console recording").arg(name),
                     QStringLiteral("bad_recording")};
    if (bytes.size() < kMagicBytes + 4)
        return failure(name, bytes.size(), QStringLiteral("truncated in the file's header"));
    if (const std::uint32_t version = u32At(bytes, kMagicBytes); version != kVersion)
        return failure(name, kMagicBytes,
                       QStringLiteral("format version %1; this console reads version %2")
                           .arg(version)
                           .arg(kVersion));
    Recording r;
    r.path = name;
    qint64 at = kMagicBytes + 4;
    const BlockRead head = readBlock(bytes, at);
    if (head.truncated)
        return failure(name, at, QStringLiteral("truncated in the file's header"));
    if (!head.error.isEmpty())
        return failure(name, at, head.error);
    const auto header = RecordingHeader::fromJson(QJsonDocument::fromJson(head.raw).object());
    if (!header)
        return failure(name, at, header.error());
    r.header = *header;
    qint64 unpacked = 0;
    for (at = head.next; at < bytes.size();) {
        const BlockRead block = readBlock(bytes, at);
        if (block.truncated) {
            r.warning = QStringLiteral("%1: truncated at offset %2 (the last block is "
                                       "incomplete); the first %3 s play")
                            .arg(name)
                            .arg(at)
                            .arg(double(r.durationMs()) / 1000, 0, 'f', 1);
            break;
        }
        if (!block.error.isEmpty())
            return failure(name, at, block.error);
        unpacked += block.raw.size();
        if (unpacked > kMaxRecordedBytes)
            return failure(name, at,
                           QStringLiteral("more than %1 MiB of records unpacked; refused")
                               .arg(kMaxRecordedBytes >> 20));
        if (const QString why = appendRecords(block.raw, r.records); !why.isEmpty())
            return failure(name, at, why);
        at = block.next;
    }
    return r;
}

Expected<Recording> readRecording(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1: %2").arg(path, file.errorString()),
                     QStringLiteral("unreadable")};
    if (file.size() > kMaxRecordingBytes)
        return Error{QStringLiteral("%1: %2 bytes; recordings over %3 bytes are refused")
                         .arg(path)
                         .arg(file.size())
                         .arg(kMaxRecordingBytes),
                     QStringLiteral("bad_recording")};
    return parseRecording(file.readAll(), path);
}

} // namespace starling::consolemodel
