#include "labcgroups.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>

namespace starling::cli::lab {

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed() : QByteArray();
}

} // namespace

Expected<LabCgroups> LabCgroups::detect(const QString &root)
{
    const QString v1 = QDir(root).filePath(QStringLiteral("cpu"));
    if (QFileInfo::exists(QDir(v1).filePath(QStringLiteral("cpu.cfs_quota_us"))))
        return LabCgroups(Version::V1, v1);
    const QList<QByteArray> controllers =
        readFile(QDir(root).filePath(QStringLiteral("cgroup.controllers"))).split(' ');
    if (controllers.contains("cpu"))
        return LabCgroups(Version::V2, root);
    return Error{QStringLiteral("no cgroup cpu controller under %1 (neither v1 cpu/ nor v2 "
                                "cgroup.controllers with cpu): CPU quotas are not possible")
                     .arg(root)};
}

QString LabCgroups::directory(const QString &name) const
{
    return QDir(m_hierarchy).filePath(name);
}

Expected<bool> LabCgroups::writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    // Control files are written in one write() without truncation, as echo does.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered) ||
        file.write(bytes) != bytes.size())
        return Error{QStringLiteral("cannot write \"%1\" to %2: %3")
                         .arg(QString::fromLatin1(bytes), path, file.errorString())};
    return true;
}

Expected<bool> LabCgroups::create(const QString &directory, qint64 quotaUs, qint64 periodUs) const
{
    if (m_version == Version::V2) {
        const QString control =
            QDir(m_hierarchy).filePath(QStringLiteral("cgroup.subtree_control"));
        if (!readFile(control).split(' ').contains("cpu")) {
            if (auto enabled = writeFile(control, "+cpu"); !enabled)
                return enabled;
        }
    }
    if (!QDir().mkdir(directory) && !QFileInfo(directory).isDir())
        return Error{QStringLiteral("cannot create the cgroup %1").arg(directory)};
    return setQuota(directory, quotaUs, periodUs);
}

Expected<bool> LabCgroups::setQuota(const QString &directory, qint64 quotaUs, qint64 periodUs) const
{
    const QDir dir(directory);
    if (m_version == Version::V2) {
        const QByteArray quota = quotaUs < 0 ? QByteArray("max") : QByteArray::number(quotaUs);
        return writeFile(dir.filePath(QStringLiteral("cpu.max")),
                         quota + ' ' + QByteArray::number(periodUs));
    }
    // The period first: a quota is checked against the current period.
    if (auto period = writeFile(dir.filePath(QStringLiteral("cpu.cfs_period_us")),
                                QByteArray::number(periodUs));
        !period)
        return period;
    return writeFile(dir.filePath(QStringLiteral("cpu.cfs_quota_us")), QByteArray::number(quotaUs));
}

std::optional<std::pair<qint64, qint64>> LabCgroups::quota(const QString &directory) const
{
    const QDir dir(directory);
    bool quotaOk = false;
    bool periodOk = false;
    qint64 quotaUs = -1;
    qint64 periodUs = 0;
    if (m_version == Version::V2) {
        const QList<QByteArray> fields =
            readFile(dir.filePath(QStringLiteral("cpu.max"))).split(' ');
        quotaOk = fields.value(0) == "max";
        if (!quotaOk)
            quotaUs = fields.value(0).toLongLong(&quotaOk);
        periodUs = fields.value(1).toLongLong(&periodOk);
    } else {
        quotaUs = readFile(dir.filePath(QStringLiteral("cpu.cfs_quota_us"))).toLongLong(&quotaOk);
        periodUs =
            readFile(dir.filePath(QStringLiteral("cpu.cfs_period_us"))).toLongLong(&periodOk);
    }
    if (!quotaOk || !periodOk)
        return std::nullopt;
    return std::make_pair(quotaUs, periodUs);
}

Expected<bool> LabCgroups::join(const QString &directory, qint64 pid)
{
    return writeFile(QDir(directory).filePath(QStringLiteral("cgroup.procs")),
                     QByteArray::number(pid));
}

QList<qint64> LabCgroups::members(const QString &directory)
{
    QList<qint64> pids;
    for (const QByteArray &line :
         readFile(QDir(directory).filePath(QStringLiteral("cgroup.procs"))).split('\n')) {
        bool ok = false;
        const qint64 pid = line.toLongLong(&ok);
        if (ok && pid > 0)
            pids << pid;
    }
    return pids;
}

Expected<bool> LabCgroups::remove(const QString &directory, int timeoutMs)
{
    if (!QFileInfo(directory).isDir())
        return true;
    QElapsedTimer clock;
    clock.start();
    while (!members(directory).isEmpty() && clock.elapsed() < timeoutMs)
        QThread::msleep(20);
    const QString parent = QFileInfo(directory).absolutePath();
    for (const qint64 pid : members(directory))
        join(parent, pid); // not ours to kill: it only leaves the lab's quota
    while (!QDir().rmdir(directory)) {
        if (!QFileInfo(directory).isDir())
            return true;
        if (clock.elapsed() > timeoutMs + 2000)
            return Error{
                QStringLiteral("cannot remove the cgroup %1: still in use").arg(directory)};
        QThread::msleep(20);
    }
    return true;
}

} // namespace starling::cli::lab
