#include "partfile.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utility>

namespace starling::client {

namespace {

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

Error failure(const QString &what, const QString &path, int error)
{
    return Error{QStringLiteral("%1 %2: %3").arg(what, path, systemError(error))};
}

// Bytes the caller may still write on fd's file system; nullopt where the kernel cannot say.
std::optional<qint64> freeBytes(int fd)
{
    struct statvfs info;
    if (::fstatvfs(fd, &info) != 0)
        return std::nullopt;
    const auto blocks = ::geteuid() == 0 ? info.f_bfree : info.f_bavail; // root may use reserve
    return qint64(blocks) * qint64(info.f_frsize);
}

} // namespace

PartFile::~PartFile()
{
    close();
}

PartFile::PartFile(PartFile &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)), m_size(other.m_size),
      m_kept(other.m_kept), m_reservation(std::move(other.m_reservation))
{}

PartFile &PartFile::operator=(PartFile &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_path = std::move(other.m_path);
        m_size = other.m_size;
        m_kept = other.m_kept;
        m_reservation = std::move(other.m_reservation);
    }
    return *this;
}

Expected<PartFile> PartFile::open(const QString &path, qint64 size, bool keepContent)
{
    const QByteArray native = QFile::encodeName(path);
    PartFile file;
    file.m_path = path;
    file.m_size = size;
    if (keepContent) {
        const int fd = ::open(native.constData(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        struct stat info;
        if (fd >= 0 && ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size == size) {
            file.m_fd = fd;
            file.m_kept = true;
            return file;
        }
        if (fd >= 0)
            ::close(fd);
    }
    const int fd =
        ::open(native.constData(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return failure(QStringLiteral("cannot create"), path, errno);
    file.m_fd = fd;
    if (size <= 0)
        return file;
    if (const std::optional<qint64> free = freeBytes(fd); free && *free < size) {
        file.remove();
        return Error{QStringLiteral("not enough space for %1 bytes at %2: %3 bytes free")
                         .arg(size)
                         .arg(path)
                         .arg(*free)};
    }
    if (::ftruncate(fd, off_t(size)) != 0) {
        const int error = errno;
        file.remove();
        return failure(QStringLiteral("cannot size"), path, error);
    }
    file.m_reservation = std::make_unique<SpaceReservation>(fd, size, path);
    return file;
}

Expected<bool> PartFile::write(qint64 offset, const char *data, qint64 length)
{
    while (length > 0) {
        const ssize_t written = ::pwrite(m_fd, data, size_t(length), off_t(offset));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return failure(QStringLiteral("cannot write"), m_path, errno);
        }
        data += written;
        offset += written;
        length -= written;
    }
    return true;
}

Expected<bool> PartFile::read(qint64 offset, qint64 length, QByteArray &buffer) const
{
    buffer.resize(qsizetype(length));
    qint64 done = 0;
    while (done < length) {
        const ssize_t got =
            ::pread(m_fd, buffer.data() + done, size_t(length - done), off_t(offset + done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return failure(QStringLiteral("cannot read"), m_path, errno);
        }
        if (got == 0)
            return Error{QStringLiteral("cannot read %1: it is shorter than expected").arg(m_path)};
        done += got;
    }
    return true;
}

void PartFile::startWriteback(qint64 offset, qint64 length) const
{
    if (m_fd >= 0 && length > 0)
        ::sync_file_range(m_fd, off_t(offset), off_t(length), SYNC_FILE_RANGE_WRITE);
}

std::optional<QString> PartFile::reservationFailure() const
{
    return m_reservation ? m_reservation->failure() : std::nullopt;
}

Expected<bool> PartFile::commit(const QString &finalPath)
{
    m_reservation.reset(); // every byte is written: what it would still reserve is in use
    if (::fsync(m_fd) != 0)
        return failure(QStringLiteral("cannot flush"), m_path, errno);
    close();
    if (::rename(QFile::encodeName(m_path).constData(), QFile::encodeName(finalPath).constData()) !=
        0)
        return failure(QStringLiteral("cannot rename %1 to").arg(m_path), finalPath, errno);
    // The rename is durable only once the directory entry is on disk too.
    const QByteArray dir = QFile::encodeName(QFileInfo(finalPath).absolutePath());
    const int dirFd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    m_path = finalPath;
    return true;
}

void PartFile::remove()
{
    close();
    if (!m_path.isEmpty())
        ::unlink(QFile::encodeName(m_path).constData());
}

void PartFile::close()
{
    m_reservation.reset();
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
}

} // namespace starling::client
