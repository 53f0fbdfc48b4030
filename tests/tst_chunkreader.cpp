// readChunk: the slave's read of one relay chunk, refusing a file that changed under it.
#include "transfer/chunkreader.h"
#include "transfer/transferplan.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace starling::transfer;

namespace {

QByteArray etagOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return makeEtag(qint64(st.st_size),
                    std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

} // namespace

class TestChunkReader final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("f.bin"));
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        m_bytes.clear();
        for (int i = 0; i < 100000; ++i)
            m_bytes += char(i % 253);
        file.write(m_bytes);
    }

    void readsTheRange()
    {
        const auto chunk = readChunk(m_path, 1234, 5000, etagOf(m_path));
        QVERIFY2(chunk, qPrintable(chunk.error()));
        QCOMPARE(*chunk, m_bytes.mid(1234, 5000));
        const auto tail = readChunk(m_path, 99999, 1, etagOf(m_path));
        QVERIFY(tail);
        QCOMPARE(*tail, m_bytes.right(1));
    }

    void changedFileIsRefused()
    {
        const QByteArray before = etagOf(m_path);
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::Append));
        file.write("more");
        file.close();
        const auto chunk = readChunk(m_path, 0, 10, before);
        QVERIFY(!chunk);
        QCOMPARE(chunk.errorCode(), QStringLiteral("changed"));
    }

    void outsideTheFile()
    {
        const QByteArray etag = etagOf(m_path);
        QCOMPARE(readChunk(m_path, 99990, 11, etag).errorCode(), QStringLiteral("io"));
        QCOMPARE(readChunk(m_path, -1, 5, etag).errorCode(), QStringLiteral("io"));
        QCOMPARE(readChunk(m_path, 1LL << 50, 5, etag).errorCode(), QStringLiteral("io"));
    }

    void missingAndNotRegular()
    {
        QCOMPARE(readChunk(m_dir.filePath(QStringLiteral("nope")), 0, 1, "\"x\"").errorCode(),
                 QStringLiteral("not_found"));
        QCOMPARE(readChunk(m_dir.path(), 0, 1, "\"x\"").errorCode(), QStringLiteral("io"));
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    QByteArray m_bytes;
};

QTEST_GUILESS_MAIN(TestChunkReader)
#include "tst_chunkreader.moc"
