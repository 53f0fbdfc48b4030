#include "piecehasher.h"

#include "sha256.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <optional>
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

Error cancelledError(const QString &path)
{
    return Error{path + QStringLiteral(": hashing cancelled"), QStringLiteral("cancelled")};
}

// Feeds bytes in file order to the whole-file hash and to one hash per piece; a chunk may end
// inside a piece and hold the ends of several pieces.
class PieceFeeder
{
public:
    PieceFeeder(qint64 pieceSize, QList<QByteArray> &pieces)
        : m_pieceSize(pieceSize), m_pieces(pieces)
    {}
    void add(const char *data, qint64 size)
    {
        m_whole.add(data, qsizetype(size));
        qint64 used = 0;
        while (used < size) {
            const qint64 take = qMin<qint64>(size - used, m_pieceSize - m_pieceFill);
            m_piece.add(data + used, qsizetype(take));
            used += take;
            m_pieceFill += take;
            if (m_pieceFill == m_pieceSize) {
                m_pieces.append(m_piece.hexResult());
                m_pieceFill = 0;
            }
        }
    }
    // The last, shorter piece, and the whole file's hash.
    QByteArray finish()
    {
        if (m_pieceFill > 0)
            m_pieces.append(m_piece.hexResult());
        return m_whole.hexResult();
    }

private:
    qint64 m_pieceSize;
    QList<QByteArray> &m_pieces;
    Sha256 m_whole;
    Sha256 m_piece;
    qint64 m_pieceFill = 0;
};

// Reads the file once with pread; a short read means it shrank since it was opened.
std::optional<Error> readPieces(int fd, const QString &path, FileDigest &digest,
                                const std::function<bool(qint64, qint64)> &progress)
{
    PieceFeeder feeder(digest.pieceSize, digest.pieces);
    std::vector<char> buffer(size_t(qMin(kChunkBytes, qMax<qint64>(digest.size, 1))));
    qint64 done = 0;
    while (done < digest.size) {
        const qint64 want = qMin<qint64>(qint64(buffer.size()), digest.size - done);
        const ssize_t got = ::pread(fd, buffer.data(), size_t(want), off_t(done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return systemError(path, "cannot read", errno);
        }
        if (got == 0)
            return changedError(path);
        feeder.add(buffer.data(), got);
        done += got;
        if (progress && done < digest.size && !progress(done, digest.size))
            return cancelledError(path);
    }
    digest.sha256 = feeder.finish();
    return std::nullopt;
}

// The same inode unchanged, and the path still naming it: otherwise the hashes describe a
// version nobody will be served.
bool unchangedSince(int fd, const QByteArray &native, const struct stat &before)
{
    struct stat after = {};
    struct stat named = {};
    return ::fstat(fd, &after) == 0 && sameVersion(before, after) &&
           ::stat(native.constData(), &named) == 0 && sameVersion(before, named);
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
    if (std::optional<Error> error = readPieces(fd.get(), path, digest, progress))
        return *error;
    if (!unchangedSince(fd.get(), native, before))
        return changedError(path);
    if (progress && !progress(digest.size, digest.size))
        return cancelledError(path);
    return digest;
}

} // namespace starling::transfer
