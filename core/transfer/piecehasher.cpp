#include "piecehasher.h"

#include "sha256.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace starling::transfer {

namespace {

// Big enough that the per-call cost vanishes next to hashing, small enough to stay in cache.
constexpr qint64 kChunkBytes = 4 * 1024 * 1024;

class FdGuard
{
public:
    explicit FdGuard(int fd) : m_fd(fd) {}
    ~FdGuard()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FdGuard(const FdGuard &) = delete;
    FdGuard &operator=(const FdGuard &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

std::int64_t mtimeNsOf(const struct stat &st)
{
    return std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

bool sameVersion(const struct stat &a, const struct stat &b)
{
    return a.st_size == b.st_size && mtimeNsOf(a) == mtimeNsOf(b) && a.st_ino == b.st_ino &&
           a.st_dev == b.st_dev;
}

Error systemError(const QString &path, const char *what, int error)
{
    QString code = QStringLiteral("io");
    if (error == ENOENT || error == ENOTDIR)
        code = QStringLiteral("not_found");
    else if (error == EACCES || error == EPERM)
        code = QStringLiteral("forbidden");
    return Error{QStringLiteral("%1: %2: %3")
                     .arg(path, QLatin1String(what), QString::fromLocal8Bit(std::strerror(error))),
                 code};
}

Error changedError(const QString &path)
{
    return Error{path + QStringLiteral(": changed while hashing; try again once it is no longer "
                                       "being written"),
                 QStringLiteral("changed")};
}

} // namespace

Expected<FileDigest> hashFile(const QString &path, qint64 pieceSize,
                              std::function<bool(qint64, qint64)> progress)
{
    if (pieceSize <= 0) {
        return Error{QStringLiteral("%1: piece size must be positive, got %2")
                         .arg(path, QString::number(pieceSize)),
                     QStringLiteral("bad_argument")};
    }
    const QByteArray native = QFile::encodeName(path);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It has
    // no effect on regular files, the only kind read.
    FdGuard fd(::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0)
        return systemError(path, "cannot open", errno);
    struct stat before = {};
    if (::fstat(fd.get(), &before) != 0)
        return systemError(path, "cannot stat", errno);
    if (!S_ISREG(before.st_mode)) {
        return Error{path + QStringLiteral(": not a regular file"), QStringLiteral("not_regular")};
    }
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

    FileDigest digest;
    digest.size = before.st_size;
    digest.mtimeNs = mtimeNsOf(before);
    digest.pieceSize = pieceSize;
    digest.pieces.reserve(qsizetype((digest.size + pieceSize - 1) / pieceSize));

    Sha256 whole;
    Sha256 piece;
    qint64 pieceFill = 0;
    std::vector<char> buffer(size_t(qMin(kChunkBytes, qMax<qint64>(digest.size, 1))));
    qint64 done = 0;
    while (done < digest.size) {
        const qint64 want = qMin<qint64>(qint64(buffer.size()), digest.size - done);
        const ssize_t got = ::pread(fd.get(), buffer.data(), size_t(want), off_t(done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return systemError(path, "cannot read", errno);
        }
        if (got == 0)
            return changedError(path); // shorter than it was when opened
        whole.add(buffer.data(), qsizetype(got));
        // A chunk may end inside a piece and hold the ends of several pieces.
        qint64 used = 0;
        while (used < got) {
            const qint64 take = qMin<qint64>(got - used, pieceSize - pieceFill);
            piece.add(buffer.data() + used, qsizetype(take));
            used += take;
            pieceFill += take;
            if (pieceFill == pieceSize) {
                digest.pieces.append(piece.hexResult());
                pieceFill = 0;
            }
        }
        done += got;
        if (progress && done < digest.size && !progress(done, digest.size)) {
            return Error{path + QStringLiteral(": hashing cancelled"), QStringLiteral("cancelled")};
        }
    }
    if (pieceFill > 0)
        digest.pieces.append(piece.hexResult());
    digest.sha256 = whole.hexResult();

    // The same inode unchanged, and the path still naming it: otherwise the hashes describe a
    // version nobody will be served.
    struct stat after = {};
    struct stat named = {};
    if (::fstat(fd.get(), &after) != 0 || !sameVersion(before, after) ||
        ::stat(native.constData(), &named) != 0 || !sameVersion(before, named)) {
        return changedError(path);
    }
    if (progress && !progress(done, digest.size))
        return Error{path + QStringLiteral(": hashing cancelled"), QStringLiteral("cancelled")};
    return digest;
}

} // namespace starling::transfer
