#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <cstdint>
#include <vector>

namespace starling::transfer {

// One slave a plan pulls from: its data server and what the planner knew of it.
struct PlanSource
{
    int rank = 0;        // MPI rank of the slave
    QString name;        // "slave-2"
    QUrl url;            // data server base, e.g. http://127.0.0.1:40123 (no path)
    double linkMBps = 0; // estimated uplink (profiled or measured); 0 = unknown
    double share = 0;    // fraction of the file's bytes planned for it, 0..1
};

// One block of the file. Blocks are the Metalink pieces: every block but the last is
// `pieceSize` long, so a block is also the unit of verification, resume and reassignment.
struct PlanBlock
{
    int index = 0;
    qint64 offset = 0;
    qint64 length = 0;
    QByteArray sha256; // lower-case hex, 64 characters
    int source = 0;    // index into TransferPlan::sources
    // The master's signature of this block's report tag (BlockTagSigner), lower-case hex;
    // empty when the plan came unsigned. Only a signed tag makes a slave report the block.
    QByteArray tag = {};
};

// What the master answers to "how do I fetch this file in parallel": the file's identity
// (size, mtime, ETag, whole-file hash), its blocks with their hashes, and which slave serves
// which block. The same document is the client's contract: every block is fetched with
// `If-Match: etag` and verified against its hash, so a file changed on disk is detected, never
// silently mixed.
struct TransferPlan
{
    QString transferId; // unique per plan; slaves report block progress under it
    QString path;       // relative to the export root, '/'-separated, no leading '/'
    qint64 size = 0;
    qint64 mtimeMs = 0;
    QByteArray etag;      // strong ETag as sent in HTTP, quotes included
    qint64 pieceSize = 0; // > 0; blocks are this long except the last
    QByteArray sha256;    // whole file, lower-case hex
    QString strategy;     // equal, bw, pdds, optimal, ...
    std::vector<PlanSource> sources;
    std::vector<PlanBlock> blocks; // in file order, contiguous, covering [0, size)

    QJsonObject toJson() const;
    // Validates everything a client relies on (it comes over the network): blocks contiguous
    // from 0 to size with uniform piece length, hashes 64 hex characters, source indices in
    // range, http(s) URLs, at most kMaxBlocks blocks and kMaxSources sources. One-line error.
    static Expected<TransferPlan> fromJson(const QJsonObject &object);

    // The URL a client fetches `block` from on `sources[sourceIndex]`: the data server's
    // /files/<percent-encoded path>?t=<transferId>&b=<index>[&s=<tag>] (the query lets the
    // slave report progress per block, once it has checked the master's signature); the byte
    // range goes in a Range header.
    QUrl blockUrl(const PlanBlock &block, int sourceIndex) const;

    static constexpr int kMaxBlocks = 1 << 20;
    static constexpr int kMaxSources = 4096;
};

// The piece (block) size for a file: a power of two that keeps the piece count near 256,
// clamped to [256 KiB, 16 MiB], so a 256 MiB file has 1 MiB pieces and a 1 GiB file 4 MiB. A
// small block makes a reassigned block cheap; a big one keeps the per-request cost down.
qint64 pieceSizeFor(qint64 fileSize);

// The strong ETag Starling uses for a file: "<size hex>-<mtime ns hex>". Identical copies on
// several machines (same size and mtime) give the same tag; the inode is left out for that.
QByteArray makeEtag(qint64 size, std::int64_t mtimeNs);

// Percent-encodes a relative path for a URL, keeping '/' between segments.
QByteArray encodePath(const QString &relativePath);

} // namespace starling::transfer
