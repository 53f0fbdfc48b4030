// DataServer under load and pacing: slowloris (idle connections time out while a client is
// served), 200 concurrent downloads all byte-identical, a paced link (complete bytes and a lower
// bound on time only, never an upper one), connections sharing one link, an aborted paced
// download reported, and stop() waking sleeping readers.
#include "dataserverfixture.h"

using namespace dataservertest;

class TestDataServerLoad : public QObject, protected DataServerFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { createTree(); }
    void cleanup() { stopServer(); }

    void slowloris();
    void concurrentDownloads();
    void pacedDownloadIsCompleteAndNotTooFast();
    void pacedConnectionsShareTheLink();
    void pacedClientAbortReported();
    void pacedStopWakesReaders();
};

void TestDataServerLoad::slowloris()
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

void TestDataServerLoad::concurrentDownloads()
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
            QByteArray request =
                "GET /files/medium.bin?" +
                signedTag(QStringLiteral("medium.bin"), QStringLiteral("many"), i) +
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

void TestDataServerLoad::pacedDownloadIsCompleteAndNotTooFast()
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
    const Reply reply = get(
        port, "/files/paced.bin?" + signedTag(QStringLiteral("paced.bin"), QStringLiteral("p"), 0));
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

void TestDataServerLoad::pacedConnectionsShareTheLink()
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

void TestDataServerLoad::pacedClientAbortReported()
{
    const quint16 port = start({}, 1.0);
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(kTimeoutMs));
        socket.write("GET /files/big.bin?" +
                     signedTag(QStringLiteral("big.bin"), QStringLiteral("gone"), 5) +
                     " HTTP/1.1\r\nHost: x\r\n\r\n");
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

void TestDataServerLoad::pacedStopWakesReaders()
{
    // A 0.05 MB/s link would take a minute for the file: stop() must not wait for that.
    const quint16 port = start({}, 0.05);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 3; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(sockets.back()->waitForConnected(kTimeoutMs));
        sockets.back()->write("GET /files/big.bin?" +
                              signedTag(QStringLiteral("big.bin"), QStringLiteral("s"), i) +
                              " HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    QTRY_VERIFY_WITH_TIMEOUT(sockets[0]->bytesAvailable() > 0, kTimeoutMs);
    // Every request is being served (the handler ran, so each one will report its block), not
    // merely connected: an open connection may still be waiting to have its request read.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests(), qint64(3), kTimeoutMs);
    QCOMPARE(m_server->openConnections(), 3u);
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

QTEST_GUILESS_MAIN(TestDataServerLoad)
#include "tst_dataserverload.moc"
