#include "chunkreader.h"

#include "transferplan.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace starling::transfer {

namespace {

class Fd
{
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

} // namespace

Expected<QByteArray> readChunk(const QString &absolutePath, qint64 offset, qint64 length,
                               const QByteArray &expectedEtag)
{
    const QByteArray native = QFile::encodeName(absolutePath);
    const Fd fd(::open(native.constData(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        const int error = errno;
        return Error{QStringLiteral("cannot open %1: %2")
                         .arg(absolutePath, QString::fromLocal8Bit(std::strerror(error))),
                     error == ENOENT ? QStringLiteral("not_found") : QStringLiteral("io")};
    }
    struct stat st = {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return Error{QStringLiteral("%1 is not a regular file").arg(absolutePath),
                     QStringLiteral("io")};
    const std::int64_t mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (makeEtag(qint64(st.st_size), mtimeNs) != expectedEtag)
        return Error{QStringLiteral("%1 changed on disk during the transfer").arg(absolutePath),
                     QStringLiteral("changed")};
    if (offset < 0 || length < 0 || offset + length > qint64(st.st_size))
        return Error{QStringLiteral("range %1+%2 is outside %3 (%4 bytes)")
                         .arg(offset)
                         .arg(length)
                         .arg(absolutePath)
                         .arg(qint64(st.st_size)),
                     QStringLiteral("io")};
    QByteArray data(length, Qt::Uninitialized);
    qint64 done = 0;
    while (done < length) {
        const ssize_t n =
            ::pread(fd.get(), data.data() + done, size_t(length - done), off_t(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error{
                QStringLiteral("reading %1 failed at %2").arg(absolutePath).arg(offset + done),
                QStringLiteral("io")};
        done += n;
    }
    // A writer between the two checks would have changed the size or mtime.
    struct stat after = {};
    if (::fstat(fd.get(), &after) != 0 || after.st_size != st.st_size ||
        after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec)
        return Error{QStringLiteral("%1 changed on disk during the transfer").arg(absolutePath),
                     QStringLiteral("changed")};
    return data;
}

} // namespace starling::transfer
