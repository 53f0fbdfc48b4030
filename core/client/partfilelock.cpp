#include "partfilelock.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace starling::client {

PartFileLock::~PartFileLock()
{
    release();
}

PartFileLock::PartFileLock(PartFileLock &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

PartFileLock &PartFileLock::operator=(PartFileLock &&other) noexcept
{
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

Expected<PartFileLock> PartFileLock::acquire(const QString &partPath)
{
    PartFileLock lock;
    lock.m_fd = ::open(QFile::encodeName(partPath).constData(),
                       O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (lock.m_fd < 0)
        return Error{QStringLiteral("cannot open %1: %2")
                         .arg(partPath, QString::fromLocal8Bit(std::strerror(errno))),
                     QStringLiteral("io")};
    while (::flock(lock.m_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK)
            return Error{QStringLiteral("%1 is in use: another download to the same output is "
                                        "running; wait for it or choose another output with -o")
                             .arg(partPath),
                         QLatin1String(kBusyCode)};
        return Error{QStringLiteral("cannot lock %1: %2")
                         .arg(partPath, QString::fromLocal8Bit(std::strerror(errno))),
                     QStringLiteral("io")};
    }
    return lock;
}

void PartFileLock::release()
{
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
}

} // namespace starling::client
