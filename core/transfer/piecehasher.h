#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <functional>

namespace starling::transfer {

// What a file's bytes hash to, and which version of the file that was: the plan's and the
// Metalink's hashes come from here, and the identity lets a cache tell a changed file apart.
struct FileDigest
{
    qint64 size = 0;
    std::int64_t mtimeNs = 0; // modification time when hashing began, ns since the epoch
    qint64 pieceSize = 0;
    QByteArray sha256;        // whole file, 64 lower-case hex characters
    QList<QByteArray> pieces; // one hash per piece (the last may be short); empty for 0 bytes
};

// Hashes the whole file and every piece of `pieceSize` bytes in one sequential pass (large
// pread chunks, OpenSSL SHA-256). `progress(done, total)` is called after every chunk, the last
// time (done == total, also for an empty file) once the file was found unchanged; returning
// false cancels (error code "cancelled"). A file whose size, mtime or inode
// differs after the pass from before it, or that ends early, was being written while hashed: the
// result would match no version of it, so that is an error (code "changed").
// Other error codes: "bad_argument", "not_found", "forbidden", "not_regular", "io".
Expected<FileDigest> hashFile(const QString &path, qint64 pieceSize,
                              std::function<bool(qint64 done, qint64 total)> progress = {});

} // namespace starling::transfer
