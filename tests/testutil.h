#pragma once

// Small helpers the tests share, written once.
#include <QByteArray>
#include <QFile>
#include <QRandomGenerator>
#include <QString>

// Writes `bytes` to `path`, replacing what was there; false if any of it failed.
inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size();
}

// `size` bytes that are the same for the same seed on every run.
inline QByteArray randomBytes(qint64 size, quint32 seed = 7)
{
    QByteArray bytes(qsizetype(size), Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char &c : bytes)
        c = char(generator.bounded(256));
    return bytes;
}
