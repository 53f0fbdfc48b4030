// PartFile and SpaceReservation: the download's part file refuses a file system too small for
// it at once, and reserves its space on a thread while it is being written.
#include "client/partfile.h"
#include "client/spacereservation.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace starling::client;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

// A tmpfs of `bytes` mounted on a directory, unmounted whatever the test does.
struct SmallTmpfs
{
    QTemporaryDir dir;
    bool mounted = false;
    explicit SmallTmpfs(qint64 bytes)
    {
        const QByteArray options = "size=" + QByteArray::number(bytes);
        mounted =
            dir.isValid() && ::mount("starling-test", QFile::encodeName(dir.path()).constData(),
                                     "tmpfs", 0, options.constData()) == 0;
    }
    ~SmallTmpfs()
    {
        if (mounted)
            ::umount2(QFile::encodeName(dir.path()).constData(), MNT_DETACH);
    }
};

// RLIMIT_FSIZE lowered for the test's process (a file growing past it fails with EFBIG),
// restored afterwards.
struct FileSizeLimit
{
    rlimit saved{};
    bool set = false;
    explicit FileSizeLimit(qint64 bytes)
    {
        std::signal(SIGXFSZ, SIG_IGN);
        if (::getrlimit(RLIMIT_FSIZE, &saved) == 0) {
            rlimit lowered = saved;
            lowered.rlim_cur = rlim_t(bytes);
            set = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
        }
    }
    ~FileSizeLimit()
    {
        if (set)
            ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, SIG_DFL);
    }
};

qint64 allocatedBytes(const QString &path)
{
    struct stat info;
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? qint64(info.st_blocks) * 512
                                                                   : -1;
}

} // namespace

class TestPartFile : public QObject
{
    Q_OBJECT

private slots:
    void reservationAllocatesEveryBlock()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("reserved"));
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT, 0600);
        QVERIFY(fd >= 0);
        const qint64 size = 2 * SpaceReservation::kSliceBytes + 12345; // a partial last slice
        {
            SpaceReservation reservation(fd, size, path);
            reservation.wait();
            QCOMPARE(reservation.failure(), std::nullopt);
        }
        QCOMPARE(QFileInfo(path).size(), size);
        QVERIFY2(allocatedBytes(path) >= size, qPrintable(QString::number(allocatedBytes(path))));
        ::close(fd);
    }

    void reservationReportsAFullFileSystem()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("too-big"));
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT, 0600);
        QVERIFY(fd >= 0);
        const qint64 size = 3 * SpaceReservation::kSliceBytes;
        std::optional<QString> failure;
        {
            FileSizeLimit limit(SpaceReservation::kSliceBytes + kMiB);
            QVERIFY(limit.set);
            SpaceReservation reservation(fd, size, path);
            reservation.wait();
            failure = reservation.failure();
        }
        ::close(fd);
        QVERIFY(failure.has_value());
        QVERIFY2(failure->startsWith(
                     QStringLiteral("not enough space for %1 bytes at %2: ").arg(size).arg(path)),
                 qPrintable(*failure));
        // It stopped at the first slice that did not fit.
        QCOMPARE(QFileInfo(path).size(), SpaceReservation::kSliceBytes);
    }

    void partFileIsWrittenWhileItsSpaceIsReserved()
    {
        QTemporaryDir dir;
        const qint64 size = 5 * SpaceReservation::kSliceBytes + 7;
        auto opened = PartFile::open(dir.filePath(QStringLiteral("out.part")), size, false);
        QVERIFY2(opened.hasValue(), qPrintable(opened.error()));
        PartFile file = std::move(opened).value();     // the reservation moves with it
        QCOMPARE(QFileInfo(file.path()).size(), size); // sized at once, before it is reserved
        // Blocks land anywhere, also ahead of the reservation: the last byte first.
        const QByteArray tail(7, 'z');
        QVERIFY(file.write(size - 7, tail.constData(), 7).hasValue());
        QByteArray chunk(int(kMiB), 'a');
        for (qint64 offset = 0; offset + kMiB <= size - 7; offset += kMiB) {
            chunk.fill(char('a' + offset / kMiB % 26));
            QVERIFY(file.write(offset, chunk.constData(), chunk.size()).hasValue());
        }
        QCOMPARE(file.reservationFailure(), std::nullopt);
        const QString finalPath = dir.filePath(QStringLiteral("out"));
        QVERIFY(file.commit(finalPath).hasValue());
        QFile out(finalPath);
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(out.size(), size);
        QVERIFY(out.seek(3 * kMiB));
        QCOMPARE(out.read(4), QByteArray("dddd"));
        QVERIFY(out.seek(size - 7));
        QCOMPARE(out.read(7), tail);
    }

    void aFileSystemTooSmallIsRefusedAtOnce()
    {
        if (::geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root; the check itself is unchanged without it");
        SmallTmpfs small(2 * kMiB);
        QVERIFY2(small.mounted, "mount -t tmpfs failed although running as root");
        const QString path = QDir(small.dir.path()).filePath(QStringLiteral("big.part"));
        auto opened = PartFile::open(path, 8 * kMiB, false);
        QVERIFY(!opened.hasValue());
        QVERIFY2(
            opened.error().startsWith(
                QStringLiteral("not enough space for %1 bytes at %2: ").arg(8 * kMiB).arg(path)),
            qPrintable(opened.error()));
        QVERIFY2(opened.error().endsWith(QStringLiteral(" bytes free")),
                 qPrintable(opened.error()));
        QVERIFY(!QFile::exists(path)); // nothing left behind
        // What fits is accepted.
        auto fits = PartFile::open(path, kMiB, false);
        QVERIFY2(fits.hasValue(), qPrintable(fits.error()));
        PartFile file = std::move(fits).value();
        file.remove();
    }
};

QTEST_GUILESS_MAIN(TestPartFile)
#include "tst_partfile.moc"
