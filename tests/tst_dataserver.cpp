// DataServer on 127.0.0.1 port 0 over a QTemporaryDir export root: whole files, ranges, HEAD,
// validators (ETag, Last-Modified, If-Match -> 412, If-Range), 416 for unsatisfiable, malformed
// and multi-range headers, error statuses, 405, oversized headers, traversal over raw sockets,
// block callbacks, counters, slowloris (idle connections time out while a client is served),
// 200 concurrent downloads, and pacing (a lower bound on time only; stop() wakes sleepers).
#include "http/dataserver.h"
#include "httptestclient.h"
#include "transfer/transferplan.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

using namespace starling::mpi::http;
using namespace httptest;
using starling::Expected;
using starling::transfer::ExportRoot;

namespace {

constexpr qint64 kBigSize = 3 * 1024 * 1024 + 123;

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char(generator.bounded(256));
    return data;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray etagOf(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return starling::transfer::makeEtag(
        qint64(st.st_size), std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

struct BlockLog
{
    QMutex mutex;
    std::vector<BlockServed> blocks;

    DataServer::BlockCallback callback()
    {
        return [this](const BlockServed &block) {
            QMutexLocker lock(&mutex);
            blocks.push_back(block);
        };
    }
    int size()
    {
        QMutexLocker lock(&mutex);
        return int(blocks.size());
    }
    BlockServed last()
    {
        QMutexLocker lock(&mutex);
        return blocks.empty() ? BlockServed{} : blocks.back();
    }
};

} // namespace

class TestDataServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void wholeFile();
    void ranges_data();
    void ranges();
    void head();
    void ifMatch_data();
    void ifMatch();
    void fileChangedGives412();
    void ifRange();
    void refusedRanges_data();
    void refusedRanges();
    void errors_data();
    void errors();
    void unknownMethods();
    void oversizedHeaders();
    void traversalOverRawSockets_data();
    void traversalOverRawSockets();
    void blockCallback();
    void badBlockTags_data();
    void badBlockTags();
    void counters();
    void slowloris();
    void concurrentDownloads();
    void pacedDownloadIsCompleteAndNotTooFast();
    void pacedConnectionsShareTheLink();
    void pacedClientAbortReported();
    void pacedStopWakesReaders();

private:
    quint16 start(HttpServerLimits limits = {}, std::optional<double> linkMBps = std::nullopt);
    QString at(const char *relative) const { return m_dir.filePath(QString::fromUtf8(relative)); }

    QTemporaryDir m_dir;
    QByteArray m_big;
    BlockLog m_blocks;
    std::unique_ptr<DataServer> m_server;
};

void TestDataServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(at("root/dir")));
    QVERIFY(QDir().mkpath(at("outside")));
    m_big = randomBytes(kBigSize, 42);
    QVERIFY(writeFile(at("root/big.bin"), m_big));
    QVERIFY(writeFile(at("root/small.txt"), "0123456789"));
    QVERIFY(writeFile(at("root/empty.bin"), QByteArray()));
    QVERIFY(writeFile(at("root/dir/inner.txt"), "inner"));
    QVERIFY(writeFile(at("root/with space.txt"), "spaced"));
    QVERIFY(writeFile(at("outside/secret.txt"), "TOP SECRET CONTENT"));
    QCOMPARE(::symlink("../outside/secret.txt", QFile::encodeName(at("root/link-out")).constData()),
             0);
}

void TestDataServer::cleanup()
{
    m_server.reset();
    QMutexLocker lock(&m_blocks.mutex);
    m_blocks.blocks.clear();
}

quint16 TestDataServer::start(HttpServerLimits limits, std::optional<double> linkMBps)
{
    Expected<ExportRoot> root = ExportRoot::open(at("root"));
    if (!root) {
        qWarning("%s", qPrintable(root.error()));
        return 0;
    }
    m_server = std::make_unique<DataServer>(std::move(root).value(), limits, linkMBps,
                                            m_blocks.callback());
    const Expected<quint16> port = m_server->listen(QHostAddress::LocalHost, 0);
    if (!port) {
        qWarning("listen failed: %s", qPrintable(port.error()));
        return 0;
    }
    return *port;
}

void TestDataServer::wholeFile()
{
    const quint16 port = start();
    QVERIFY(!m_server->isPaced());
    const Reply reply = get(port, "/files/big.bin");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body.size(), kBigSize);
    QVERIFY(reply.body == m_big);
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(kBigSize));
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/octet-stream"));
    QCOMPARE(reply.header("Accept-Ranges"), QByteArray("bytes"));
    QCOMPARE(reply.header("ETag"), etagOf(at("root/big.bin")));
    QVERIFY(reply.header("Content-Range").isNull());
    // Qt's RFC 2822 parser wants a numeric zone where HTTP writes "GMT".
    QByteArray date = reply.header("Last-Modified");
    const QDateTime modified =
        QDateTime::fromString(QString::fromLatin1(date.replace(" GMT", " +0000")), Qt::RFC2822Date);
    QVERIFY2(modified.isValid(), reply.header("Last-Modified").constData());
    QVERIFY(reply.header("Last-Modified").endsWith(" GMT"));
    QCOMPARE(modified.toSecsSinceEpoch(),
             QFileInfo(at("root/big.bin")).lastModified().toSecsSinceEpoch());

    const Reply spaced = get(port, "/files/with%20space.txt");
    QCOMPARE(spaced.status, 200);
    QCOMPARE(spaced.body, QByteArray("spaced"));
    const Reply empty = get(port, "/files/empty.bin");
    QCOMPARE(empty.status, 200);
    QCOMPARE(empty.header("Content-Length"), QByteArray("0"));
    QVERIFY(empty.body.isEmpty());
}

void TestDataServer::ranges_data()
{
    QTest::addColumn<QByteArray>("range");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");
    QTest::newRow("first 100") << QByteArray("bytes=0-99") << qint64(0) << qint64(100);
    QTest::newRow("middle MiB") << QByteArray("bytes=1048576-2097151") << qint64(1048576)
                                << qint64(1048576);
    QTest::newRow("open end") << QByteArray("bytes=3145728-") << qint64(3145728)
                              << kBigSize - 3145728;
    QTest::newRow("suffix") << QByteArray("bytes=-1000") << kBigSize - 1000 << qint64(1000);
    QTest::newRow("clamped end") << QByteArray("bytes=100-99999999999") << qint64(100)
                                 << kBigSize - 100;
    QTest::newRow("last byte") << "bytes=" + QByteArray::number(kBigSize - 1) + '-' << kBigSize - 1
                               << qint64(1);
    QTest::newRow("whole as a range") << QByteArray("bytes=0-") << qint64(0) << kBigSize;
    QTest::newRow("upper-case unit, OWS")
        << QByteArray("  BYTES=10-19 ") << qint64(10) << qint64(10);
}

void TestDataServer::ranges()
{
    QFETCH(QByteArray, range);
    QFETCH(qint64, offset);
    QFETCH(qint64, length);
    const quint16 port = start();
    const Reply reply = get(port, "/files/big.bin", "GET", "Range: " + range + "\r\n");
    QCOMPARE(reply.status, 206);
    QCOMPARE(reply.header("Content-Range"), "bytes " + QByteArray::number(offset) + '-' +
                                                QByteArray::number(offset + length - 1) + '/' +
                                                QByteArray::number(kBigSize));
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(length));
    QCOMPARE(reply.body.size(), length);
    QVERIFY(reply.body == m_big.mid(offset, length));
    QCOMPARE(reply.header("ETag"), etagOf(at("root/big.bin")));
}

void TestDataServer::head()
{
    const quint16 port = start();
    const Reply whole = get(port, "/files/big.bin", "HEAD");
    QCOMPARE(whole.status, 200);
    QVERIFY(whole.body.isEmpty());
    QCOMPARE(whole.header("Content-Length"), QByteArray::number(kBigSize));
    QCOMPARE(whole.header("ETag"), etagOf(at("root/big.bin")));
    QCOMPARE(whole.header("Accept-Ranges"), QByteArray("bytes"));
    const Reply part = get(port, "/files/big.bin", "HEAD", "Range: bytes=10-19\r\n");
    QCOMPARE(part.status, 206);
    QVERIFY(part.body.isEmpty());
    QCOMPARE(part.header("Content-Length"), QByteArray("10"));
    QCOMPARE(part.header("Content-Range"), "bytes 10-19/" + QByteArray::number(kBigSize));
    QCOMPARE(get(port, "/files/missing", "HEAD").status, 404);
    QCOMPARE(m_server->bytesSent(), qint64(0));
}

void TestDataServer::ifMatch_data()
{
    QTest::addColumn<QByteArray>("ifMatch"); // "ETAG" stands for the file's ETag
    QTest::addColumn<int>("status");
    QTest::newRow("current tag") << QByteArray("ETAG") << 206;
    QTest::newRow("star") << QByteArray("*") << 206;
    QTest::newRow("list containing it") << QByteArray("\"nope\", ETAG") << 206;
    QTest::newRow("other tag") << QByteArray("\"1-2\"") << 412;
    QTest::newRow("weak form of it") << QByteArray("W/ETAG") << 412;
    QTest::newRow("unquoted") << QByteArray("garbage") << 412;
    QTest::newRow("empty") << QByteArray("") << 412;
}

void TestDataServer::ifMatch()
{
    QFETCH(QByteArray, ifMatch);
    QFETCH(int, status);
    const quint16 port = start();
    const QByteArray etag = etagOf(at("root/big.bin"));
    ifMatch.replace("ETAG", etag);
    const Reply reply = get(port, "/files/big.bin?t=tr1&b=0", "GET",
                            "If-Match: " + ifMatch + "\r\nRange: bytes=0-9\r\n");
    QCOMPARE(reply.status, status);
    if (status == 412) {
        QVERIFY2(reply.body.startsWith("file changed"), reply.body.constData());
        QCOMPARE(reply.header("ETag"), etag); // so the client can tell what it is now
        QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 1, kTimeoutMs);
        QCOMPARE(m_blocks.last().status, 412);
        QVERIFY(!m_blocks.last().complete);
        QCOMPARE(m_blocks.last().bytes, qint64(0));
    } else {
        QCOMPARE(reply.body, m_big.left(10));
    }
}

void TestDataServer::fileChangedGives412()
{
    const quint16 port = start();
    const QString path = at("root/changing.bin");
    QVERIFY(writeFile(path, "version one"));
    const QByteArray before = get(port, "/files/changing.bin").header("ETag");
    QVERIFY(!before.isEmpty());
    // A new mtime (set explicitly: the file system's clock may be coarse) changes the tag.
    QVERIFY(writeFile(path, "version two"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.setFileTime(QDateTime::currentDateTimeUtc().addSecs(5),
                             QFileDevice::FileModificationTime));
    file.close();
    const Reply reply = get(port, "/files/changing.bin", "GET", "If-Match: " + before + "\r\n");
    QCOMPARE(reply.status, 412);
    QVERIFY(reply.header("ETag") != before);
    QVERIFY(!reply.body.contains("version"));
    QCOMPARE(
        get(port, "/files/changing.bin", "GET", "If-Match: " + reply.header("ETag") + "\r\n").body,
        QByteArray("version two"));
}

void TestDataServer::ifRange()
{
    const quint16 port = start();
    const QByteArray etag = etagOf(at("root/small.txt"));
    const Reply fresh =
        get(port, "/files/small.txt", "GET", "Range: bytes=2-4\r\nIf-Range: " + etag + "\r\n");
    QCOMPARE(fresh.status, 206);
    QCOMPARE(fresh.body, QByteArray("234"));
    // A stale validator means the client's partial copy is useless: the whole file, 200.
    const Reply stale =
        get(port, "/files/small.txt", "GET", "Range: bytes=2-4\r\nIf-Range: \"0-0\"\r\n");
    QCOMPARE(stale.status, 200);
    QCOMPARE(stale.body, QByteArray("0123456789"));
    const QByteArray date = fresh.header("Last-Modified");
    const Reply byDate =
        get(port, "/files/small.txt", "GET", "Range: bytes=2-4\r\nIf-Range: " + date + "\r\n");
    QCOMPARE(byDate.status, 206);
}

void TestDataServer::refusedRanges_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("range");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<qint64>("size");
    QTest::newRow("start at size") << QByteArray("small.txt") << QByteArray("bytes=10-")
                                   << QByteArray("range not satisfiable") << qint64(10);
    QTest::newRow("suffix zero") << QByteArray("small.txt") << QByteArray("bytes=-0")
                                 << QByteArray("range not satisfiable") << qint64(10);
    QTest::newRow("empty file") << QByteArray("empty.bin") << QByteArray("bytes=0-")
                                << QByteArray("range not satisfiable") << qint64(0);
    QTest::newRow("garbage") << QByteArray("big.bin") << QByteArray("bytes=abc")
                             << QByteArray("malformed Range") << kBigSize;
    QTest::newRow("unknown unit") << QByteArray("big.bin") << QByteArray("items=0-1")
                                  << QByteArray("malformed Range") << kBigSize;
    QTest::newRow("reversed") << QByteArray("big.bin") << QByteArray("bytes=9-1")
                              << QByteArray("malformed Range") << kBigSize;
    QTest::newRow("truncated") << QByteArray("big.bin") << QByteArray("bytes=")
                               << QByteArray("malformed Range") << kBigSize;
    QTest::newRow("oversized number")
        << QByteArray("big.bin") << "bytes=" + QByteArray(40, '9') + "-"
        << QByteArray("malformed Range") << kBigSize;
    QTest::newRow("two ranges") << QByteArray("big.bin") << QByteArray("bytes=0-1,5-6")
                                << QByteArray("multiple ranges") << kBigSize;
    QTest::newRow("many ranges") << QByteArray("big.bin")
                                 << "bytes=" + QByteArray("0-0,").repeated(200) + "1-1"
                                 << QByteArray("multiple ranges") << kBigSize;
}

void TestDataServer::refusedRanges()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, range);
    QFETCH(QByteArray, message);
    QFETCH(qint64, size);
    const quint16 port = start();
    const Reply reply = get(port, "/files/" + path, "GET", "Range: " + range + "\r\n");
    QCOMPARE(reply.status, 416);
    QCOMPARE(reply.header("Content-Range"), "bytes */" + QByteArray::number(size));
    QVERIFY2(reply.body.startsWith(message), reply.body.constData());
    QVERIFY(reply.body.size() < 200); // a message, never the file
    QCOMPARE(m_server->bytesSent(), qint64(0));
}

void TestDataServer::errors_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("the root") << QByteArray("/files/") << 403 << QByteArray("is a directory");
    QTest::newRow("a directory") << QByteArray("/files/dir") << 403 << QByteArray("is a directory");
    QTest::newRow("a directory with slash")
        << QByteArray("/files/dir/") << 403 << QByteArray("is a directory");
    QTest::newRow("missing") << QByteArray("/files/missing.bin") << 404 << QByteArray("/missing");
    QTest::newRow("file as directory") << QByteArray("/files/small.txt/x") << 404 << QByteArray();
    QTest::newRow("symlink out") << QByteArray("/files/link-out") << 403 << QByteArray("outside");
    QTest::newRow("not under /files/")
        << QByteArray("/other/big.bin") << 404 << QByteArray("/files/");
    QTest::newRow("bare /files") << QByteArray("/files") << 404 << QByteArray("/files/");
    QTest::newRow("prefix lookalike") << QByteArray("/filesystem/big.bin") << 404 << QByteArray();
    QTest::newRow("slash") << QByteArray("/") << 404 << QByteArray();
    QTest::newRow("bad path") << QByteArray("/files/a\\b") << 400 << QByteArray("backslash");
}

void TestDataServer::errors()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QByteArray, message);
    const quint16 port = start();
    const Reply reply = get(port, target);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.body.contains(message), reply.body.constData());
    QVERIFY(reply.body.endsWith('\n'));
    QVERIFY(!reply.body.contains(QFile::encodeName(m_dir.path()))); // no server paths leak
    QVERIFY(!reply.body.contains("SECRET"));
}

void TestDataServer::unknownMethods()
{
    const quint16 port = start();
    for (const char *method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        const Reply reply = get(port, "/files/small.txt", method);
        QCOMPARE(reply.status, 405);
        QCOMPARE(reply.header("Allow"), QByteArray("GET, HEAD"));
    }
    QCOMPARE(m_server->requests(), qint64(0)); // refused before the handler
}

void TestDataServer::oversizedHeaders()
{
    const quint16 port = start(HttpServerLimits{.memoryLimitBytes = 32 * 1024});
    const Reply big = exchange(port, "GET /files/small.txt HTTP/1.1\r\nHost: x\r\nX-Pad: " +
                                         QByteArray(64 * 1024, 'a') + "\r\n\r\n");
    QVERIFY(big.closedByServer);
    QVERIFY2(big.status == 0 || big.status >= 400, big.raw.left(100).constData());
    const Reply bigRange = exchange(port, "GET /files/small.txt HTTP/1.1\r\nHost: x\r\nRange: "
                                          "bytes=" +
                                              QByteArray(64 * 1024, '1') + "-\r\n\r\n");
    QVERIFY(bigRange.status == 0 || bigRange.status >= 400);
    QCOMPARE(m_server->requests(), qint64(0));
    QCOMPARE(get(port, "/files/small.txt").body, QByteArray("0123456789"));
}

void TestDataServer::traversalOverRawSockets_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("raw ..") << QByteArray("/files/../outside/secret.txt") << 400;
    QTest::newRow("raw .. deeper") << QByteArray("/files/dir/../../outside/secret.txt") << 400;
    QTest::newRow("%2e%2e") << QByteArray("/files/%2e%2e/outside/secret.txt") << 400;
    QTest::newRow("%2E%2E") << QByteArray("/files/%2E%2E/outside/secret.txt") << 400;
    QTest::newRow("a%2f..%2f..%2fx")
        << QByteArray("/files/a%2f..%2f..%2foutside%2fsecret.txt") << 400;
    QTest::newRow("%2f..") << QByteArray("/files/dir%2f%2e%2e%2f%2e%2e%2foutside/secret.txt")
                           << 400;
    QTest::newRow("%5c backslashes") << QByteArray("/files/..%5c..%5coutside%5csecret.txt") << 400;
    QTest::newRow("absolute //etc/passwd") << QByteArray("//etc/passwd") << 404;
    QTest::newRow("absolute after prefix") << QByteArray("/files//etc/passwd") << 400;
    QTest::newRow("%2fetc%2fpasswd") << QByteArray("/files/%2fetc%2fpasswd") << 400;
    QTest::newRow("%00 truncation") << QByteArray("/files/small.txt%00.png") << 400;
    QTest::newRow("symlink out") << QByteArray("/files/link-out") << 403;
    QTest::newRow("absolute-form URI") << QByteArray("http://x/files/../outside/secret.txt") << 0;
}

void TestDataServer::traversalOverRawSockets()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    const quint16 port = start();
    const Reply reply = get(port, target);
    QVERIFY(reply.connected);
    if (status != 0)
        QCOMPARE(reply.status, status);
    else
        QVERIFY2(reply.status >= 400 || reply.status == 0, reply.raw.left(100).constData());
    QVERIFY(!reply.raw.contains("SECRET"));
    QVERIFY(!reply.raw.contains("root:"));
}

void TestDataServer::blockCallback()
{
    const quint16 port = start();
    const Reply reply =
        get(port, "/files/big.bin?t=tr-42.a_b&b=7", "GET", "Range: bytes=1000-1999\r\n");
    QCOMPARE(reply.status, 206);
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 1, kTimeoutMs);
    BlockServed block = m_blocks.last();
    QCOMPARE(block.transferId, QStringLiteral("tr-42.a_b"));
    QCOMPARE(block.block, 7);
    QCOMPARE(block.bytes, qint64(1000));
    QVERIFY(block.complete);
    QCOMPARE(block.status, 206);
    // Refusals of a tagged request are reported too, as not complete.
    QCOMPARE(get(port, "/files/missing?t=tr&b=1").status, 404);
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 2, kTimeoutMs);
    QCOMPARE(m_blocks.last().status, 404);
    QVERIFY(!m_blocks.last().complete);
    QCOMPARE(get(port, "/files/big.bin?t=tr&b=2", "GET", "Range: bytes=x\r\n").status, 416);
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 3, kTimeoutMs);
    QCOMPARE(m_blocks.last().status, 416);
    // Untagged requests and HEAD report nothing.
    QCOMPARE(get(port, "/files/small.txt").status, 200);
    QCOMPARE(get(port, "/files/small.txt?t=tr&b=3", "HEAD").status, 200);
    QCOMPARE(get(port, "/files/small.txt?t=tr&b=4").status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 4, kTimeoutMs);
    QCOMPARE(m_blocks.last().block, 4);
    QCOMPARE(m_blocks.last().bytes, qint64(10));
}

void TestDataServer::badBlockTags_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("t without b") << QByteArray("t=tr");
    QTest::newRow("b without t") << QByteArray("b=1");
    QTest::newRow("empty t") << QByteArray("t=&b=1");
    QTest::newRow("negative b") << QByteArray("t=tr&b=-1");
    QTest::newRow("b not a number") << QByteArray("t=tr&b=one");
    QTest::newRow("b overflows int") << QByteArray("t=tr&b=2147483648");
    QTest::newRow("b huge") << QByteArray("t=tr&b=99999999999999999999999");
    QTest::newRow("space in t") << QByteArray("t=a%20b&b=1");
    QTest::newRow("newline in t") << QByteArray("t=a%0ab&b=1");
    QTest::newRow("t too long") << "t=" + QByteArray(129, 'x') + "&b=1";
}

void TestDataServer::badBlockTags()
{
    QFETCH(QByteArray, query);
    const quint16 port = start();
    const Reply reply = get(port, "/files/small.txt?" + query);
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.body.startsWith("bad block tag"), reply.body.constData());
    QCOMPARE(m_blocks.size(), 0);
}

void TestDataServer::counters()
{
    const quint16 port = start();
    QCOMPARE(m_server->requests(), qint64(0));
    QCOMPARE(m_server->bytesSent(), qint64(0));
    QCOMPARE(get(port, "/files/big.bin").status, 200);
    QCOMPARE(get(port, "/files/small.txt", "GET", "Range: bytes=0-4\r\n").status, 206);
    QCOMPARE(get(port, "/files/missing").status, 404);
    QCOMPARE(m_server->requests(), qint64(3));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->bytesSent(), kBigSize + 5, kTimeoutMs);
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(idle.back()->waitForConnected(kTimeoutMs));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 3u, kTimeoutMs);
    idle.clear();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 0u, kTimeoutMs);
}

void TestDataServer::slowloris()
{
    // 40 clients open connections and trickle half a request; with a 1 s idle timeout they are
    // all closed, and a normal client is served meanwhile and afterwards.
    const quint16 port = start(HttpServerLimits{.connectionLimit = 64, .connectionTimeoutS = 1});
    constexpr int kIdle = 40;
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < kIdle; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(idle.back()->waitForConnected(kTimeoutMs));
        idle.back()->write("GET /files/big.bin HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), unsigned(kIdle), kTimeoutMs);
    const Reply reply = get(port, "/files/big.bin");
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.body == m_big);
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(idle.begin(), idle.end(),
                    [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; }),
        kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 0u, kTimeoutMs);
    QCOMPARE(m_server->requests(), qint64(1)); // the half requests never reached the handler
    QCOMPARE(get(port, "/files/small.txt").body, QByteArray("0123456789"));
}

void TestDataServer::concurrentDownloads()
{
    // 200 clients at once, each a different range of a 1 MiB file (every 8th the whole file).
    const quint16 port = start(HttpServerLimits{.connectionLimit = 256});
    const QByteArray data = randomBytes(1 << 20, 9);
    QVERIFY(writeFile(at("root/medium.bin"), data));
    constexpr int kClients = 200;
    std::vector<QByteArray> received(kClients);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    std::vector<std::pair<qint64, qint64>> wanted;
    for (int i = 0; i < kClients; ++i) {
        const qint64 offset = i % 8 == 0 ? 0 : qint64(i) * 4099 % (data.size() / 2);
        const qint64 length = i % 8 == 0 ? data.size() : 1000 + qint64(i) * 2311;
        wanted.emplace_back(offset, length);
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        connect(raw, &QTcpSocket::readyRead, this,
                [raw, &received, i] { received[size_t(i)] += raw->readAll(); });
        connect(raw, &QTcpSocket::connected, this, [raw, offset, length, i] {
            QByteArray request = "GET /files/medium.bin?t=many&b=" + QByteArray::number(i) +
                                 " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
            if (i % 8 != 0) {
                request += "Range: bytes=" + QByteArray::number(offset) + '-' +
                           QByteArray::number(offset + length - 1) + "\r\n";
            }
            raw->write(request + "\r\n");
        });
        socket->connectToHost(QHostAddress::LocalHost, port);
        sockets.push_back(std::move(socket));
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(sockets.begin(), sockets.end(),
                    [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; }),
        60000);
    qint64 total = 0;
    for (int i = 0; i < kClients; ++i) {
        Reply reply;
        reply.raw = received[size_t(i)] + sockets[size_t(i)]->readAll();
        parseReply(reply);
        const auto [offset, length] = wanted[size_t(i)];
        QCOMPARE(reply.status, i % 8 == 0 ? 200 : 206);
        QCOMPARE(reply.body.size(), length);
        QVERIFY2(reply.body == data.mid(offset, length), qPrintable(QString::number(i)));
        total += length;
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), kClients, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->bytesSent(), total, kTimeoutMs);
    QMutexLocker lock(&m_blocks.mutex);
    for (const BlockServed &block : m_blocks.blocks)
        QVERIFY(block.complete);
}

void TestDataServer::pacedDownloadIsCompleteAndNotTooFast()
{
    // 4 MB/s; 2,000,000 bytes; the burst is two 64 KiB chunks, so the transfer cannot take
    // less than (size - burst) / rate. Only that lower bound is a property of pacing.
    const double rate = 4e6;
    const quint16 port = start({}, 4.0);
    QVERIFY(m_server->isPaced());
    const QByteArray data = randomBytes(2000000, 5);
    QVERIFY(writeFile(at("root/paced.bin"), data));
    QElapsedTimer timer;
    timer.start();
    const Reply reply = get(port, "/files/paced.bin?t=p&b=0");
    const qint64 elapsedMs = timer.elapsed();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(data.size()));
    QVERIFY(reply.body == data);
    const double floorMs = double(data.size() - 2 * DataServer::kChunkBytes) / rate * 1000.0;
    QVERIFY2(double(elapsedMs) >= floorMs - 5,
             qPrintable(QStringLiteral("%1 ms < %2 ms").arg(elapsedMs).arg(floorMs)));
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 1, kTimeoutMs);
    QVERIFY(m_blocks.last().complete);
    QCOMPARE(m_blocks.last().bytes, qint64(data.size()));
    QCOMPARE(m_server->bytesSent(), qint64(data.size()));
    // Ranges are paced streams too; HEAD sends nothing and does not wait.
    const Reply part = get(port, "/files/paced.bin", "GET", "Range: bytes=100-199\r\n");
    QCOMPARE(part.status, 206);
    QCOMPARE(part.body, data.mid(100, 100));
    QCOMPARE(get(port, "/files/paced.bin", "HEAD").header("Content-Length"),
             QByteArray::number(data.size()));
}

void TestDataServer::pacedConnectionsShareTheLink()
{
    // Two clients at once on one 4 MB/s link: together they cannot beat the link.
    const double rate = 4e6;
    const quint16 port = start({}, 4.0);
    const QByteArray data = randomBytes(1000000, 6);
    QVERIFY(writeFile(at("root/shared.bin"), data));
    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    std::vector<QByteArray> received(2);
    for (int i = 0; i < 2; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *raw = sockets.back().get();
        connect(raw, &QTcpSocket::readyRead, this,
                [raw, &received, i] { received[size_t(i)] += raw->readAll(); });
        raw->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(raw->waitForConnected(kTimeoutMs));
        raw->write("GET /files/shared.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(sockets.begin(), sockets.end(),
                    [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; }),
        kTimeoutMs);
    const qint64 elapsedMs = timer.elapsed();
    for (int i = 0; i < 2; ++i) {
        Reply reply;
        reply.raw = received[size_t(i)] + sockets[size_t(i)]->readAll();
        parseReply(reply);
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body == data);
    }
    const double floorMs = double(2 * data.size() - 2 * DataServer::kChunkBytes) / rate * 1000.0;
    QVERIFY2(double(elapsedMs) >= floorMs - 5,
             qPrintable(QStringLiteral("%1 ms < %2 ms").arg(elapsedMs).arg(floorMs)));
}

void TestDataServer::pacedClientAbortReported()
{
    const quint16 port = start({}, 1.0);
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(kTimeoutMs));
        socket.write("GET /files/big.bin?t=gone&b=5 HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += socket.readAll()).size() > 200000, kTimeoutMs);
        socket.abort();
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 1, kTimeoutMs);
    const BlockServed block = m_blocks.last();
    QCOMPARE(block.transferId, QStringLiteral("gone"));
    QCOMPARE(block.block, 5);
    QVERIFY(!block.complete);
    QVERIFY(block.bytes > 200000);
    QVERIFY(block.bytes < kBigSize);
}

void TestDataServer::pacedStopWakesReaders()
{
    // A 0.05 MB/s link would take a minute for the file: stop() must not wait for that.
    const quint16 port = start({}, 0.05);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 3; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(sockets.back()->waitForConnected(kTimeoutMs));
        sockets.back()->write("GET /files/big.bin?t=s&b=" + QByteArray::number(i) +
                              " HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    QTRY_VERIFY_WITH_TIMEOUT(sockets[0]->bytesAvailable() > 0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 3u, kTimeoutMs);
    m_server->stop(); // returns once every sleeping reader has woken and given up
    QVERIFY(!m_server->isListening());
    QCOMPARE(m_server->openConnections(), 0u);
    QCOMPARE(m_blocks.size(), 3);
    QMutexLocker lock(&m_blocks.mutex);
    for (const BlockServed &block : m_blocks.blocks) {
        QVERIFY(!block.complete);
        QVERIFY(block.bytes < kBigSize);
    }
    lock.unlock();
    for (const auto &socket : sockets)
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::UnconnectedState, kTimeoutMs);
    // And it serves again after listen(), without the debt the aborted readers left on the link
    // (at 0.05 MB/s three reserved chunks would hold the next request back for seconds).
    const Expected<quint16> again = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(again);
    QCOMPARE(get(*again, "/files/small.txt").body, QByteArray("0123456789"));
}

QTEST_GUILESS_MAIN(TestDataServer)
#include "tst_dataserver.moc"
