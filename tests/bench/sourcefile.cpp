#include "sourcefile.h"

#include "transfer/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace starling::bench {

namespace {

constexpr qint64 kChunk = 4 << 20;

// splitmix64: fast, and good enough that no tool on the path can compress the bytes.
quint64 nextRandom(quint64 &state)
{
    quint64 z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

Expected<SourceFile> SourceFile::create(const QString &root, const QString &relativePath,
                                        qint64 size, quint64 seed)
{
    SourceFile source;
    source.relativePath = relativePath;
    source.path = QDir(root).filePath(relativePath);
    source.size = size;
    QFile file(source.path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Error{QStringLiteral("%1: cannot create: %2").arg(source.path, file.errorString())};
    QByteArray chunk(kChunk, Qt::Uninitialized);
    quint64 state = seed;
    for (qint64 written = 0; written < size;) {
        const qint64 n = std::min(kChunk, size - written);
        auto *words = reinterpret_cast<quint64 *>(chunk.data());
        for (qint64 i = 0; i < (n + 7) / 8; ++i)
            words[i] = nextRandom(state);
        if (file.write(chunk.constData(), n) != n)
            return Error{
                QStringLiteral("%1: cannot write: %2").arg(source.path, file.errorString())};
        written += n;
    }
    file.close();
    if (auto synced = syncFile(source.path); !synced)
        return Error{synced.error()};
    auto hash = hashFile(source.path); // the one read that puts it in the page cache
    if (!hash)
        return Error{hash.error()};
    source.sha256 = *hash;
    return source;
}

Expected<bool> SourceFile::verify(const QString &copy) const
{
    const QFileInfo info(copy);
    if (!info.exists())
        return Error{QStringLiteral("no output file")};
    if (info.size() != size)
        return Error{
            QStringLiteral("wrong size: %1 bytes instead of %2").arg(info.size()).arg(size)};
    auto hash = hashFile(copy);
    if (!hash)
        return Error{hash.error()};
    if (*hash != sha256)
        return Error{QStringLiteral("wrong SHA-256: %1").arg(QString::fromLatin1(*hash))};
    return true;
}

Expected<QByteArray> hashFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1: cannot read: %2").arg(path, file.errorString())};
    transfer::Sha256 hasher;
    QByteArray chunk(kChunk, Qt::Uninitialized);
    for (;;) {
        const qint64 n = file.read(chunk.data(), kChunk);
        if (n < 0)
            return Error{QStringLiteral("%1: cannot read: %2").arg(path, file.errorString())};
        if (n == 0)
            break;
        hasher.add(chunk.constData(), qsizetype(n));
    }
    return hasher.hexResult();
}

Expected<bool> syncFile(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error{QStringLiteral("%1: cannot open: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    const bool ok = ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!ok)
        return Error{QStringLiteral("%1: fsync failed: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(error)))};
    return true;
}

} // namespace starling::bench
