// DataServer's HTTP behaviour on 127.0.0.1 port 0 over a QTemporaryDir export root: whole
// files, ranges, HEAD, validators (ETag, Last-Modified, If-Match -> 412, If-Range), 416 for
// unsatisfiable, malformed and multi-range headers, error statuses, 405, oversized headers,
// traversal over raw sockets, block callbacks and tags, counters. Load, slow clients and pacing
// are in tst_dataserverload.
#include "dataserverfixture.h"

using namespace dataservertest;

class TestDataServer : public QObject, protected DataServerFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { createTree(); }
    void cleanup() { stopServer(); }

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
    void forgedTagsAreServedButNotReported_data();
    void forgedTagsAreServedButNotReported();
    void fileTokenWhenRequired();
    void badBlockTags_data();
    void badBlockTags();
    void counters();
};

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
    const Reply reply = get(
        port, "/files/big.bin?" + signedTag(QStringLiteral("big.bin"), QStringLiteral("tr1"), 0),
        "GET", "If-Match: " + ifMatch + "\r\nRange: bytes=0-9\r\n");
    QCOMPARE(reply.status, status);
    if (status == 412) {
        QVERIFY2(reply.body.startsWith("file changed"), reply.body.constData());
        QCOMPARE(reply.header("ETag"), etag); // so the client can tell what it is now
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
    const auto tagged = [](const char *path, const char *transfer, int block) -> QByteArray {
        return "/files/" + QByteArray(path) + '?' +
               signedTag(QString::fromUtf8(path), QString::fromUtf8(transfer), block);
    };
    const Reply reply =
        get(port, tagged("big.bin", "tr-42.a_b", 7), "GET", "Range: bytes=1000-1999\r\n");
    QCOMPARE(reply.status, 206);
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 1, kTimeoutMs);
    BlockServed block = m_blocks.last();
    QCOMPARE(block.transferId, QStringLiteral("tr-42.a_b"));
    QCOMPARE(block.block, 7);
    QCOMPARE(block.bytes, qint64(1000));
    QVERIFY(block.complete);
    QCOMPARE(block.status, 206);
    // Refusals of a signed request, untagged requests and HEAD report nothing: only served
    // reads are a block's progress.
    QCOMPARE(get(port, tagged("missing", "tr", 1)).status, 404);
    QCOMPARE(get(port, tagged("big.bin", "tr", 2), "GET", "Range: bytes=x\r\n").status, 416);
    QCOMPARE(get(port, "/files/small.txt").status, 200);
    QCOMPARE(get(port, tagged("small.txt", "tr", 3), "HEAD").status, 200);
    QCOMPARE(get(port, tagged("small.txt", "tr", 4)).status, 200);
    // Reports come in request order on these one-at-a-time exchanges: once block 4's is in,
    // none of the others can still come.
    QTRY_VERIFY_WITH_TIMEOUT(m_blocks.last().block == 4, kTimeoutMs);
    QCOMPARE(m_blocks.size(), 2);
    QCOMPARE(m_blocks.last().bytes, qint64(10));
    QCOMPARE(m_server->unverifiedTags(), qint64(0));
}

void TestDataServer::forgedTagsAreServedButNotReported_data()
{
    const QByteArray good = signedTag(QStringLiteral("small.txt"), QStringLiteral("tr"), 5);
    QByteArray tampered = good;
    tampered[tampered.size() - 1] = tampered.back() == '0' ? '1' : '0';
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("no signature") << QByteArray("t=tr&b=5");
    QTest::newRow("tampered signature") << tampered;
    QTest::newRow("empty signature") << QByteArray("t=tr&b=5&s=");
    QTest::newRow("another block's") << QByteArray(good).replace("b=5", "b=6");
    QTest::newRow("another file's")
        << signedTag(QStringLiteral("big.bin"), QStringLiteral("tr"), 5);
    QTest::newRow("garbage") << QByteArray("t=tr&b=5&s=%0a%ff") + QByteArray(300, 'f');
}

// A stranger's tag is a plain read: served (curl keeps working) but never reported.
void TestDataServer::forgedTagsAreServedButNotReported()
{
    QFETCH(QByteArray, query);
    const quint16 port = start();
    const Reply forged = get(port, "/files/small.txt?" + query);
    QCOMPARE(forged.status, 200);
    QCOMPARE(forged.body, QByteArray("0123456789"));
    QCOMPARE(m_server->unverifiedTags(), qint64(1));
    // A signed request afterwards is reported alone: the forged one left nothing behind.
    const QByteArray good = signedTag(QStringLiteral("small.txt"), QStringLiteral("ok"), 1);
    QCOMPARE(get(port, "/files/small.txt?" + good).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_blocks.size(), 1, kTimeoutMs);
    QCOMPARE(m_blocks.last().transferId, QStringLiteral("ok"));
    QCOMPARE(m_server->unverifiedTags(), qint64(1));
}

// With the file token required, a read needs "Authorization: Bearer <cluster token>".
void TestDataServer::fileTokenWhenRequired()
{
    const quint16 port = start({}, std::nullopt, DataServerAccess{kToken, true});
    const Reply bare = get(port, "/files/small.txt");
    QCOMPARE(bare.status, 401);
    QCOMPARE(bare.header("WWW-Authenticate"), QByteArray("Bearer"));
    QVERIFY2(bare.body.contains("\"code\":\"unauthorized\""), bare.body.constData());
    QVERIFY(!bare.body.contains("0123456789"));
    QCOMPARE(get(port, "/files/small.txt", "GET", "Authorization: Bearer wrong\r\n").status, 401);
    QCOMPARE(get(port, "/files/small.txt", "HEAD").status, 401);
    const Reply right =
        get(port, "/files/small.txt", "GET", "Authorization: Bearer " + kToken + "\r\n");
    QCOMPARE(right.status, 200);
    QCOMPARE(right.body, QByteArray("0123456789"));
    QCOMPARE(
        get(port, "/files/small.txt", "GET", "Authorization: bearer " + kToken + "\r\n").status,
        200); // the scheme is case-insensitive
    // Required without a token to check: the server refuses to start rather than lock nobody out.
    stopServer();
    Expected<ExportRoot> root = ExportRoot::open(at("root"));
    QVERIFY(root);
    DataServer open(std::move(root).value(), {}, std::nullopt, {}, DataServerAccess{{}, true});
    QVERIFY(!open.listen(QHostAddress::LocalHost, 0));
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

QTEST_GUILESS_MAIN(TestDataServer)
#include "tst_dataserver.moc"
