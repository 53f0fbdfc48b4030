#include "openfilelimit.h"

#include <QFile>

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace starling::util {

namespace {

// The most descriptors the kernel allows any process (fs.nr_open); 1048576 if unreadable.
rlim_t kernelMaximum()
{
    QFile file(QStringLiteral("/proc/sys/fs/nr_open"));
    bool ok = false;
    const qulonglong value =
        file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toULongLong(&ok) : 0;
    return ok && value > 0 ? rlim_t(value) : rlim_t(1) << 20;
}

} // namespace

Expected<OpenFileLimit> raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return Error{QStringLiteral("cannot read the open-file limit: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)))};
    OpenFileLimit result{quint64(limit.rlim_cur), quint64(limit.rlim_cur), quint64(limit.rlim_max)};
    const rlim_t target = limit.rlim_max == RLIM_INFINITY ? kernelMaximum() : limit.rlim_max;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
        rlimit raised = limit;
        raised.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &raised) != 0)
            return Error{QStringLiteral("cannot raise the open-file limit from %1 to %2: %3")
                             .arg(quint64(limit.rlim_cur))
                             .arg(quint64(target))
                             .arg(QString::fromLocal8Bit(std::strerror(errno)))};
        result.soft = quint64(target);
    }
    return result;
}

} // namespace starling::util
