#pragma once

#include "transfer/transferplan.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::transfer {

// The resume record `starling get` keeps next to a partial download: which file it is (path,
// size, mtime, ETag, whole-file hash, piece size) and which blocks were verified against their
// hashes. Blocks are the plan's pieces, so a record fits any later plan of the same file,
// whichever slaves and strategy that plan uses. The bytes themselves are in the part file; the
// record only says which of them were verified once, and the downloader checks them again
// before trusting them (a crash can lose page-cache data the record already counted).
//
// On disk: `<out>.starling-part.json`, compact JSON, replaced atomically. The verified blocks
// are a base64 bitmap (bit i of byte i/8, least significant first), 128 KiB at the plan's
// limit of 2^20 blocks, so the file stays below kMaxFileBytes.
struct BlockRecord
{
    static constexpr int kVersion = 1;
    static constexpr qint64 kMaxFileBytes = 1 << 20;

    QString path; // relative to the export root, as in the plan
    qint64 size = 0;
    qint64 mtimeMs = 0;
    QByteArray etag;   // quotes included
    QByteArray sha256; // whole file, lower-case hex
    qint64 pieceSize = 0;
    std::vector<bool> verified; // one per block

    // The record of a download of `plan` with nothing verified yet.
    static BlockRecord forPlan(const TransferPlan &plan);

    int blockCount() const { return int(verified.size()); }
    int verifiedCount() const;

    QJsonObject toJson() const;
    // Full validation (it is a file anyone could have edited or truncated): every key required,
    // unknown keys and other versions rejected, the bitmap exactly as long as the block count
    // needs with its padding bits clear. `origin` (usually the path) starts every error.
    static Expected<BlockRecord> fromJson(const QByteArray &json, const QString &origin);

    // Why this record cannot resume `plan` (another path, another version of the file, another
    // piece size), or an empty string when it can.
    QString mismatchWith(const TransferPlan &plan) const;

    // Replaces `filePath` atomically (QSaveFile).
    Expected<bool> save(const QString &filePath) const;
    // Reads, validates and matches against `plan`. A missing file is the error code "missing"
    // (nothing to resume, no warning needed); every other problem is one line to warn with.
    static Expected<BlockRecord> load(const QString &filePath, const TransferPlan &plan);

    bool operator==(const BlockRecord &) const = default;
};

// `<output>.starling-part`: where the bytes go until the whole file is verified.
QString partFilePath(const QString &outputPath);
// `<output>.starling-part.json`: the BlockRecord of that part file.
QString recordFilePath(const QString &outputPath);

} // namespace starling::transfer
