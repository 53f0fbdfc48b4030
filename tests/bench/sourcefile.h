#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace starling::bench {

// A file the benchmark serves and every downloaded copy is checked against.
struct SourceFile
{
    QString relativePath; // inside the export root, as clients ask for it
    QString path;         // absolute
    qint64 size = 0;
    QByteArray sha256; // lower-case hex

    // Writes size pseudo-random bytes (incompressible, seeded, so runs are reproducible) to
    // root/relativePath, flushes it to disk and reads it back once: it is then clean in the page
    // cache and its hash is the one read back.
    static Expected<SourceFile> create(const QString &root, const QString &relativePath,
                                       qint64 size, quint64 seed);

    // Size and SHA-256 of a downloaded copy against this file; the error names what differs.
    Expected<bool> verify(const QString &copy) const;
};

// SHA-256 of a whole file as lower-case hex.
Expected<QByteArray> hashFile(const QString &path);

// fsync(2) of one file: what `starling get` does before it renames its part file, so every
// contender's time can end with its bytes on disk.
Expected<bool> syncFile(const QString &path);

} // namespace starling::bench
