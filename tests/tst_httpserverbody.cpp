// HttpServer with request bodies (HttpServerLimits::maxBodyBytes > 0): POST bodies reach the
// handler whole, by Content-Length or chunked; bodies over the limit get 413 without the
// handler running, announced or discovered mid-stream; a server without a limit keeps refusing
// POST. Raw QTcpSockets, "Connection: close", every wait on a condition.
#include "http/httpserver.h"
#include "httptestclient.h"
#include "testutil.h"

#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTest>

#include <atomic>
#include <memory>

using namespace starling::http;
using namespace httptest;

namespace {

struct Seen
{
    QMutex mutex;
    QByteArray method;
    QByteArray body;
    QByteArray query;
    std::atomic<int> calls{0};
};

// Records the request and answers with the method and the body's length.
HttpServer::Handler echoHandler(Seen &seen)
{
    return [&seen](const HttpRequest &request) {
        seen.calls.fetch_add(1);
        {
            QMutexLocker lock(&seen.mutex);
            seen.method = request.method;
            seen.body = request.body;
            seen.query = request.queryValue("op");
        }
        return HttpResponse::text(200, request.method + ' ' +
                                           QByteArray::number(request.body.size()) + '\n');
    };
}

QByteArray post(const QByteArray &body, const QByteArray &target = "/jobs")
{
    return "POST " + target +
           " HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

QByteArray chunked(const QByteArray &body, qsizetype chunk)
{
    QByteArray request = "POST /jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         "Connection: close\r\n\r\n";
    for (qsizetype at = 0; at < body.size(); at += chunk) {
        const QByteArray part = body.mid(at, chunk);
        request += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
    }
    return request + "0\r\n\r\n";
}

} // namespace

class TestHttpServerBody : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void postBodyArrivesWhole_data();
    void postBodyArrivesWhole();
    void chunkedBodyArrivesWhole();
    void announcedTooLargeRefused();
    void chunkedTooLargeRefused();
    void truncatedBodyNeverReachesHandler();
    void getBodyStillRefused();
    void otherMethodsListPost();
    void withoutLimitPostRefused();

private:
    quint16 start(qint64 maxBodyBytes);

    std::unique_ptr<Seen> m_seen;
    std::unique_ptr<HttpServer> m_server;
};

void TestHttpServerBody::init()
{
    m_seen = std::make_unique<Seen>();
}

void TestHttpServerBody::cleanup()
{
    m_server.reset();
    m_seen.reset();
}

quint16 TestHttpServerBody::start(qint64 maxBodyBytes)
{
    HttpServerLimits limits;
    limits.maxBodyBytes = maxBodyBytes;
    limits.connectionTimeoutS = 2;
    m_server = std::make_unique<HttpServer>(echoHandler(*m_seen), limits);
    const auto port = m_server->listen(QHostAddress::LocalHost, 0);
    if (!port)
        qFatal("listen failed: %s", qPrintable(port.error()));
    return *port;
}

void TestHttpServerBody::postBodyArrivesWhole_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::newRow("empty") << qsizetype(0);
    QTest::newRow("one byte") << qsizetype(1);
    QTest::newRow("5 MiB") << qsizetype(5 << 20);
    QTest::newRow("exactly the limit") << qsizetype(8 << 20);
}

void TestHttpServerBody::postBodyArrivesWhole()
{
    QFETCH(qsizetype, size);
    const quint16 port = start(8 << 20);
    const QByteArray body = randomBytes(size);
    const Reply reply = exchange(port, post(body, "/jobs?op=blur"));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, "POST " + QByteArray::number(size) + '\n');
    QMutexLocker lock(&m_seen->mutex);
    QCOMPARE(m_seen->method, QByteArray("POST"));
    QVERIFY(m_seen->body == body);
    QCOMPARE(m_seen->query, QByteArray("blur"));
}

void TestHttpServerBody::chunkedBodyArrivesWhole()
{
    const quint16 port = start(1 << 20);
    const QByteArray body = randomBytes(300000);
    const Reply reply = exchange(port, chunked(body, 4093));
    QCOMPARE(reply.status, 200);
    QMutexLocker lock(&m_seen->mutex);
    QVERIFY(m_seen->body == body);
}

void TestHttpServerBody::announcedTooLargeRefused()
{
    const quint16 port = start(1000);
    // Only the headers go out: the 413 must come from the announced length alone.
    const Reply reply = exchange(port, "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                       "1001\r\nConnection: close\r\n\r\n");
    QCOMPARE(reply.status, 413);
    QVERIFY2(reply.body.contains("at most 1000 bytes"), reply.body.constData());
    QCOMPARE(m_seen->calls.load(), 0);
    const Reply huge = exchange(port, "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                      "99999999999999999\r\nConnection: close\r\n\r\n");
    QVERIFY2(huge.status == 413 || huge.status == 400, QByteArray::number(huge.status));
    QCOMPARE(m_seen->calls.load(), 0);
    QCOMPARE(exchange(port, post("ok")).status, 200); // still serving
}

void TestHttpServerBody::chunkedTooLargeRefused()
{
    const quint16 port = start(10000);
    const Reply reply = exchange(port, chunked(randomBytes(15000), 1000));
    QCOMPARE(reply.status, 413);
    QCOMPARE(m_seen->calls.load(), 0);
    // Far past the limit the server stops reading and closes the connection unanswered.
    const Reply endless = exchange(port, chunked(randomBytes(200000), 1000));
    QVERIFY(endless.closedByServer);
    QVERIFY(endless.status == 0 || endless.status == 413);
    QCOMPARE(m_seen->calls.load(), 0);
    QCOMPARE(exchange(port, chunked(randomBytes(9000), 1000)).status, 200);
}

void TestHttpServerBody::truncatedBodyNeverReachesHandler()
{
    const quint16 port = start(1 << 20);
    // Announces 1000 bytes, sends 10, then waits: the server must time the connection out
    // (connectionTimeoutS = 2) without calling the handler with half a body.
    const Reply reply = exchange(port, "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                                       "Connection: close\r\n\r\n0123456789");
    QVERIFY(reply.closedByServer);
    QCOMPARE(reply.status, 0);
    QCOMPARE(m_seen->calls.load(), 0);
    QCOMPARE(exchange(port, post("after")).status, 200);
}

void TestHttpServerBody::getBodyStillRefused()
{
    const quint16 port = start(1 << 20);
    const Reply reply = exchange(port, "GET /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                       "Connection: close\r\n\r\nbody");
    QCOMPARE(reply.status, 413);
    QCOMPARE(m_seen->calls.load(), 0);
}

void TestHttpServerBody::otherMethodsListPost()
{
    const quint16 port = start(1 << 20);
    const Reply reply = exchange(port, "PUT /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                       "Connection: close\r\n\r\nabc");
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.header("Allow"), QByteArray("GET, HEAD, POST"));
    QVERIFY2(reply.body.contains("use GET, HEAD or POST"), reply.body.constData());
    QCOMPARE(m_seen->calls.load(), 0);
}

void TestHttpServerBody::withoutLimitPostRefused()
{
    const quint16 port = start(0);
    const Reply reply = exchange(port, post("abc"));
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.header("Allow"), QByteArray("GET, HEAD"));
    QCOMPARE(m_seen->calls.load(), 0);
}

QTEST_GUILESS_MAIN(TestHttpServerBody)
#include "tst_httpserverbody.moc"
