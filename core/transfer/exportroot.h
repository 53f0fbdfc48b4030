#pragma once

#include "transfer/fileentry.h"
#include "util/expected.h"

#include <QByteArrayView>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace starling::transfer {

// A file or directory inside the export root, as resolve() found it.
struct ResolvedFile
{
    QString absolutePath; // canonical (symlinks resolved), inside the root
    QString relativePath; // as requested, '/'-separated, no leading or trailing '/'; "" = root
    bool isDirectory = false;
    qint64 size = 0; // bytes; 0 for directories
    std::int64_t mtimeNs = 0;
};

// An open descriptor, closed when the last copy goes away.
using SharedFd = std::shared_ptr<const int>;

// A regular file opened for serving; size and mtime come from the open descriptor, so they
// describe exactly the bytes that will be read (an ETag built from them cannot go stale).
struct OpenedFile
{
    SharedFd fd;
    ResolvedFile file;
};

// The directory a data server may serve, and the only gate between a request path and the
// file system. Paths arrive percent-decoded ("%2e%2e" is already "..", "%2f" already "/"), so
// every check is on the decoded bytes:
// - "bad_path" (HTTP 400): no leading '/', empty segments ("//etc/passwd"), "." or "..",
//   backslashes, NUL or other control bytes, invalid UTF-8, over 4096 bytes or a segment over
//   255;
// - "not_found" (404): nothing there (also a file asked for with a trailing '/');
// - "forbidden" (403): the canonical, symlink-resolved target leaves the root, is unreadable,
//   or is neither a regular file nor a directory (a FIFO or device is never opened);
// - "is_directory" (403 for a data server): open() on a directory;
// - "not_a_directory": list() on a file; "too_many_entries": a listing over its limit.
//
// THREADS: const members only read the file system and the immutable root; any thread may
// call them at once.
class ExportRoot
{
public:
    // Fails if `directory` does not exist, is not a directory or is not readable.
    static Expected<ExportRoot> open(const QString &directory);

    // The canonical path of the root, without a trailing '/' (except for "/").
    const QString &path() const { return m_root; }

    // "/" is the root itself; "/dir/file.bin" a file below it.
    Expected<ResolvedFile> resolve(QByteArrayView decodedPath) const;
    // resolve() and open a regular file for reading, checking again on the open descriptor
    // that it is the file resolved inside the root (a symlink swapped in between is caught).
    Expected<OpenedFile> openFile(QByteArrayView decodedPath) const;

    // One directory's entries (files and directories, symlinks followed when they stay inside
    // the root, others skipped; names a request could not address skipped), sorted by path.
    Expected<std::vector<FileEntry>> list(QByteArrayView decodedDirPath, int maxEntries) const;
    // Every regular file under the root, sorted by path: symlinks to files inside the root are
    // listed under their own name; symlinked directories are not descended (their target is
    // listed under its real path, and a link cannot make a cycle); nesting stops at 64 levels.
    Expected<std::vector<FileEntry>> listRecursive(int maxEntries) const;

    // True if a canonical path is the root or below it.
    bool contains(const QString &canonicalPath) const;

private:
    explicit ExportRoot(QString canonicalRoot);

    // Canonical path of `candidate` if it is inside the root, else an error.
    Expected<QString> canonicalInside(const QString &candidate, const QString &shown) const;

    QString m_root;
};

} // namespace starling::transfer
