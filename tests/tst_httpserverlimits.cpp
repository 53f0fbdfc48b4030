// HttpServer's flood limits (issue 15): at most N connections from one client address (more
// are closed as soon as they are accepted, other addresses still served), and a streamed body
// whose client reads below the minimum rate is closed, while one whose own reader is slow is not.
#include "floodsocket.h"

#include "http/httpserver.h"

#include <QTest>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using namespace starling::http;

namespace {

const QByteArray kGet = "GET /big HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

int openCount(std::vector<std::unique_ptr<FloodSocket>> &sockets)
{
    int open = 0;
    for (auto &socket : sockets)
        open += socket->readAvailable() ? 1 : 0;
    return open;
}

} // namespace

class TestHttpServerLimits : public QObject
{
    Q_OBJECT

private slots:
    void connectionsPerAddressAreCapped();
    void slowStreamReaderIsClosed();
    void streamWaitingForItsOwnDataIsNotClosed();
};

void TestHttpServerLimits::connectionsPerAddressAreCapped()
{
    HttpServerLimits limits;
    limits.connectionsPerAddress = 3;
    HttpServer server([](const HttpRequest &) { return HttpResponse::text(200, "ok\n"); }, limits);
    const auto port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY2(port, qPrintable(port.error()));

    // Eight idle connections from one address: three are held, five closed at once (well
    // before the 30 s idle timeout that would close them all).
    std::vector<std::unique_ptr<FloodSocket>> flood;
    for (int i = 0; i < 8; ++i) {
        flood.push_back(std::make_unique<FloodSocket>());
        QVERIFY(flood.back()->connectTo(*port));
    }
    QTRY_COMPARE_WITH_TIMEOUT(openCount(flood), 3, 10000);

    // Another address is still served, and so is this one once a place is free.
    FloodSocket other;
    QVERIFY(other.connectTo(*port, "127.0.0.2"));
    QVERIFY(other.send(kGet));
    QCOMPARE(other.readStatus(10000), 200);
    flood.clear();
    QTRY_COMPARE_WITH_TIMEOUT(server.currentConnections(), 0u, 10000);
    FloodSocket again;
    QVERIFY(again.connectTo(*port));
    QVERIFY(again.send(kGet));
    QCOMPARE(again.readStatus(10000), 200);
}

void TestHttpServerLimits::slowStreamReaderIsClosed()
{
    constexpr qint64 kLength = qint64(1) << 30; // never sent whole: the client stops reading
    HttpServerLimits limits;
    limits.minStreamBytesPerS = 256 * 1024;
    limits.minStreamWindowS = 1;
    HttpServer server(
        [](const HttpRequest &) {
            return HttpResponse::streamed(
                200, kLength,
                [](qint64, char *buffer, qint64 max) {
                    std::memset(buffer, 'x', size_t(max));
                    return max;
                },
                64 * 1024);
        },
        limits);
    const auto port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY2(port, qPrintable(port.error()));

    FloodSocket reader;
    QVERIFY(reader.connectTo(*port));
    QVERIFY(reader.send(kGet));
    QCOMPARE(reader.readStatus(10000), 200);
    // It reads nothing more; the kernel's buffers fill and the stream stops moving. The
    // libmicrohttpd idle timeout (30 s) is far off: only the rate floor can close it this soon.
    QTRY_COMPARE_WITH_TIMEOUT(server.slowStreamsClosed(), 1, 15000);
    QVERIFY(reader.drainToEnd(15000));
    QVERIFY2(reader.bodyBytes() < kLength, QByteArray::number(reader.bodyBytes()).constData());
    QTRY_COMPARE_WITH_TIMEOUT(server.currentConnections(), 0u, 10000);
}

void TestHttpServerLimits::streamWaitingForItsOwnDataIsNotClosed()
{
    // The reader itself is slow (a relay waiting for its slaves): 12 bytes over ~2.4 s, far
    // below the floor, yet the client reads everything, so nothing is closed.
    HttpServerLimits limits;
    limits.minStreamBytesPerS = 256 * 1024;
    limits.minStreamWindowS = 1;
    HttpServer server(
        [](const HttpRequest &) {
            return HttpResponse::streamed(200, 12, [](qint64, char *buffer, qint64) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                buffer[0] = 'y';
                return qint64(1);
            });
        },
        limits);
    const auto port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY2(port, qPrintable(port.error()));
    FloodSocket client;
    QVERIFY(client.connectTo(*port));
    QVERIFY(client.send(kGet));
    QVERIFY(client.drainToEnd(20000));
    QCOMPARE(client.bodyBytes(), 12);
    QCOMPARE(server.slowStreamsClosed(), 0);
}

QTEST_GUILESS_MAIN(TestHttpServerLimits)
#include "tst_httpserverlimits.moc"
