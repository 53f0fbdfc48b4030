// hashFile: piece and whole-file SHA-256 in one pass, checked against Qt's independent SHA-256
// for sizes around piece and read-chunk boundaries; progress and cancelling; a file truncated,
// grown, touched or replaced while it is hashed is an error, never a digest; clear errors for
// missing, unreadable and non-regular paths.
#include "testutil.h"
#include "transfer/piecehasher.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace starling;
using namespace starling::transfer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kChunk = 4 * kMiB; // hashFile's read size; rows straddle it

template<typename T> QString why(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

QByteArray referenceHash(QByteArrayView data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

bool setMtime(const QString &path, std::int64_t seconds, long nanoseconds)
{
    const timespec times[2] = {{seconds, nanoseconds}, {seconds, nanoseconds}};
    return ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0) == 0;
}

} // namespace

class TestPieceHasher : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void digests_data();
    void digests();
    void identity();
    void progressAndCancel();
    void changedWhileHashing_data();
    void changedWhileHashing();
    void errors_data();
    void errors();
    void unreadable();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestPieceHasher::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestPieceHasher::digests_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("pieceSize");
    QTest::newRow("empty") << qint64(0) << qint64(1024);
    QTest::newRow("1 byte") << qint64(1) << qint64(1024);
    QTest::newRow("piece - 1") << qint64(1023) << qint64(1024);
    QTest::newRow("one piece") << qint64(1024) << qint64(1024);
    QTest::newRow("piece + 1") << qint64(1025) << qint64(1024);
    QTest::newRow("piece of 1 byte") << qint64(7) << qint64(1);
    QTest::newRow("piece larger than file") << qint64(5000) << 16 * kMiB;
    QTest::newRow("chunk - 1, odd pieces") << kChunk - 1 << qint64(100003);
    QTest::newRow("chunk + 1, odd pieces") << kChunk + 1 << qint64(100003);
    QTest::newRow("pieces span chunks") << 2 * kChunk + 12345 << 3 * kMiB;
    QTest::newRow("piece = chunk") << 2 * kChunk << kChunk;
    QTest::newRow("piece > chunk") << 3 * kChunk - 7 << kChunk + 1;
}

void TestPieceHasher::digests()
{
    QFETCH(qint64, size);
    QFETCH(qint64, pieceSize);
    const QByteArray data = randomBytes(size, quint32(size));
    const QString path = m_dir->filePath(QStringLiteral("f.bin"));
    QVERIFY(writeFile(path, data));

    const Expected<FileDigest> digest = hashFile(path, pieceSize);
    QVERIFY2(digest, qPrintable(why(digest)));
    QCOMPARE(digest->size, size);
    QCOMPARE(digest->pieceSize, pieceSize);
    QCOMPARE(digest->sha256, referenceHash(data));
    const qint64 pieces = (size + pieceSize - 1) / pieceSize;
    QCOMPARE(digest->pieces.size(), pieces);
    for (qint64 i = 0; i < pieces; ++i) {
        QCOMPARE(digest->pieces[i], referenceHash(data.mid(i * pieceSize, pieceSize)));
    }
}

void TestPieceHasher::identity()
{
    const QString path = m_dir->filePath(QStringLiteral("dated.bin"));
    QVERIFY(writeFile(path, "hello"));
    QVERIFY(setMtime(path, 1795334400, 123456789));
    const Expected<FileDigest> digest = hashFile(path, 4);
    QVERIFY2(digest, qPrintable(why(digest)));
    QCOMPARE(digest->mtimeNs, std::int64_t(1795334400123456789));
    QCOMPARE(digest->pieces, (QList<QByteArray>{referenceHash("hell"), referenceHash("o")}));
}

void TestPieceHasher::progressAndCancel()
{
    const qint64 size = 3 * kChunk + 5;
    const QString path = m_dir->filePath(QStringLiteral("big.bin"));
    QVERIFY(writeFile(path, randomBytes(size, 7)));

    QList<qint64> seen;
    const Expected<FileDigest> digest = hashFile(path, kMiB, [&](qint64 done, qint64 total) {
        if (total != size)
            return false;
        seen.append(done);
        return true;
    });
    QVERIFY2(digest, qPrintable(why(digest)));
    QCOMPARE(seen, (QList<qint64>{kChunk, 2 * kChunk, 3 * kChunk, size}));

    int calls = 0;
    const Expected<FileDigest> cancelled =
        hashFile(path, kMiB, [&](qint64, qint64) { return ++calls < 2; });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.errorCode(), QStringLiteral("cancelled"));
    QCOMPARE(cancelled.error(), path + QStringLiteral(": hashing cancelled"));
    QCOMPARE(calls, 2); // it stopped reading at once

    // An empty file reports its end too.
    const QString empty = m_dir->filePath(QStringLiteral("empty"));
    QVERIFY(writeFile(empty, {}));
    QList<qint64> emptySeen;
    QVERIFY(hashFile(empty, kMiB, [&](qint64 done, qint64 total) {
        emptySeen << done << total;
        return true;
    }));
    QCOMPARE(emptySeen, (QList<qint64>{0, 0}));
}

void TestPieceHasher::changedWhileHashing_data()
{
    QTest::addColumn<QString>("change");
    QTest::newRow("truncated") << QStringLiteral("truncate");
    QTest::newRow("grown") << QStringLiteral("append");
    QTest::newRow("rewritten in place, same size") << QStringLiteral("touch");
    QTest::newRow("replaced by rename") << QStringLiteral("replace");
    QTest::newRow("deleted") << QStringLiteral("delete");
}

void TestPieceHasher::changedWhileHashing()
{
    QFETCH(QString, change);
    const qint64 size = 3 * kChunk;
    const QString path = m_dir->filePath(QStringLiteral("moving.bin"));
    const QByteArray data = randomBytes(size, 11);
    QVERIFY(writeFile(path, data));
    QVERIFY(setMtime(path, 1700000000, 0));

    bool changed = false;
    const Expected<FileDigest> digest = hashFile(path, kMiB, [&](qint64, qint64) {
        if (changed)
            return true;
        changed = true;
        if (change == u"truncate")
            return ::truncate(QFile::encodeName(path).constData(), kChunk + 10) == 0;
        if (change == u"append") {
            QFile file(path);
            return file.open(QIODevice::Append) && file.write("x", 1) == 1;
        }
        if (change == u"touch")
            return setMtime(path, 1700000001, 0);
        if (change == u"replace") {
            const QString other = m_dir->filePath(QStringLiteral("other.bin"));
            // Same size and mtime: only the inode tells them apart.
            return writeFile(other, data) && setMtime(other, 1700000000, 0) &&
                   ::rename(QFile::encodeName(other).constData(),
                            QFile::encodeName(path).constData()) == 0;
        }
        return QFile::remove(path);
    });
    QVERIFY2(changed, "the file was not changed mid-way");
    QVERIFY2(!digest, "a digest of a file that changed while hashed");
    QCOMPARE(digest.errorCode(), QStringLiteral("changed"));
    QCOMPARE(digest.error(), path + QStringLiteral(": changed while hashing; try again once it is "
                                                   "no longer being written"));
}

void TestPieceHasher::errors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("pieceSize");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing") << QStringLiteral("nope.bin") << qint64(1024)
                             << QStringLiteral("not_found")
                             << QStringLiteral(": cannot open: No such file or directory");
    QTest::newRow("missing directory")
        << QStringLiteral("no/such/file") << qint64(1024) << QStringLiteral("not_found")
        << QStringLiteral(": cannot open: No such file or directory");
    QTest::newRow("directory") << QStringLiteral("sub") << qint64(1024)
                               << QStringLiteral("not_regular")
                               << QStringLiteral(": not a regular file");
    QTest::newRow("fifo") << QStringLiteral("fifo") << qint64(1024) << QStringLiteral("not_regular")
                          << QStringLiteral(": not a regular file");
    QTest::newRow("piece size 0") << QStringLiteral("ok.bin") << qint64(0)
                                  << QStringLiteral("bad_argument")
                                  << QStringLiteral(": piece size must be positive, got 0");
    QTest::newRow("piece size negative")
        << QStringLiteral("ok.bin") << qint64(-4) << QStringLiteral("bad_argument")
        << QStringLiteral(": piece size must be positive, got -4");
}

void TestPieceHasher::errors()
{
    QFETCH(QString, name);
    QFETCH(qint64, pieceSize);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("sub")));
    // No writer: opening it must not wait for one.
    const QByteArray fifo = QFile::encodeName(m_dir->filePath(QStringLiteral("fifo")));
    QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("ok.bin")), "abc"));

    const QString path = m_dir->filePath(name);
    const Expected<FileDigest> digest = hashFile(path, pieceSize);
    QVERIFY(!digest);
    QCOMPARE(digest.errorCode(), code);
    QCOMPARE(digest.error(), path + message);
}

void TestPieceHasher::unreadable()
{
    if (::geteuid() == 0)
        QSKIP("running as root: permission bits do not stop reading");
    const QString path = m_dir->filePath(QStringLiteral("secret.bin"));
    QVERIFY(writeFile(path, "x"));
    QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
    const Expected<FileDigest> digest = hashFile(path, 1024);
    QVERIFY(!digest);
    QCOMPARE(digest.errorCode(), QStringLiteral("forbidden"));
    QCOMPARE(digest.error(), path + QStringLiteral(": cannot open: Permission denied"));
}

QTEST_APPLESS_MAIN(TestPieceHasher)
#include "tst_piecehasher.moc"
