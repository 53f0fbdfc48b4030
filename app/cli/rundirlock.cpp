#include "rundirlock.h"

#include "util/processinfo.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace starling::cli {

namespace {

constexpr qint64 kMaxHolderBytes = 4096;

struct Holder
{
    qint64 pid = 0;
    QString program;
    qint64 sinceMs = 0;
};

Holder readHolder(int fd)
{
    QByteArray bytes(kMaxHolderBytes, '\0');
    const ssize_t got = ::pread(fd, bytes.data(), size_t(bytes.size()), 0);
    bytes.resize(got > 0 ? qsizetype(got) : 0);
    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    return {object.value(QLatin1String("pid")).toInteger(),
            object.value(QLatin1String("program")).toString(),
            object.value(QLatin1String("since_ms")).toInteger()};
}

QString describe(const Holder &holder)
{
    if (holder.pid <= 0)
        return QStringLiteral("another starling up");
    return QStringLiteral("%1 (pid %2, since %3)")
        .arg(holder.program.isEmpty() ? QStringLiteral("another process") : holder.program)
        .arg(holder.pid)
        .arg(QDateTime::fromMSecsSinceEpoch(holder.sinceMs)
                 .toLocalTime()
                 .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
}

// 0 once locked, else the errno (EWOULDBLOCK: someone holds it).
int tryLock(int fd)
{
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

} // namespace

RunDirLock::~RunDirLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // our copy only: an inheriting mpiexec keeps the lock
}

RunDirLock::RunDirLock(RunDirLock &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path))
{}

RunDirLock &RunDirLock::operator=(RunDirLock &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_path = std::move(other.m_path);
    }
    return *this;
}

Expected<RunDirLock> RunDirLock::acquire(const QString &runDir, int staleWaitMs)
{
    RunDirLock lock;
    lock.m_path = QDir(runDir).filePath(QStringLiteral("lock"));
    // No O_CLOEXEC: the children we start must inherit the lock (see the class comment).
    lock.m_fd =
        ::open(QFile::encodeName(lock.m_path).constData(), O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
    if (lock.m_fd < 0)
        return Error{QStringLiteral("cannot open %1: %2")
                         .arg(lock.m_path, QString::fromLocal8Bit(std::strerror(errno)))};
    QElapsedTimer clock;
    clock.start();
    while (const int error = tryLock(lock.m_fd)) {
        const Holder holder = readHolder(lock.m_fd);
        const bool holderGone = holder.pid > 0 && !util::processAlive(holder.pid);
        if (error != EWOULDBLOCK || !holderGone || clock.elapsed() > staleWaitMs)
            return Error{QStringLiteral("a cluster already runs in %1: the run directory is "
                                        "locked by %2 (stop it with: starling down --run-dir %1)")
                             .arg(runDir, describe(holder))};
        QThread::msleep(50);
    }
    lock.recordHolder(::getpid(), QStringLiteral("starling up"));
    return lock;
}

void RunDirLock::recordHolder(qint64 pid, const QString &program)
{
    const QByteArray bytes =
        QJsonDocument(QJsonObject{
                          {QLatin1String("pid"), pid},
                          {QLatin1String("program"), program},
                          {QLatin1String("since_ms"), QDateTime::currentMSecsSinceEpoch()},
                      })
            .toJson(QJsonDocument::Compact);
    // Best effort: the lock itself is the flock; this only names its holder.
    if (::ftruncate(m_fd, 0) == 0 && ::pwrite(m_fd, bytes.constData(), size_t(bytes.size()), 0) < 0)
        return;
    ::fchmod(m_fd, 0600);
}

} // namespace starling::cli
