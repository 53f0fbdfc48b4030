// HttpServer (libmicrohttpd): binding, request decoding, HEAD, 404/405/413/500, hostile input
// (garbage, truncation, oversized headers), 32 concurrent clients, and stop() releasing the
// port. Raw QTcpSockets speak HTTP/1.1 with "Connection: close" so a reply ends when the server
// closes; every wait is on a condition. No MPI is involved.
#include "http/httpserver.h"
#include "httptestclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QMutex>
#include <QMutexLocker>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

using namespace starling::http;
using namespace httptest;

namespace {

// Local address of every TCP socket listening on `port`, from the kernel's tables
// (hex "0100007F" is 127.0.0.1 in /proc/net/tcp's byte order).
QList<QByteArray> listeningAddresses(quint16 port)
{
    QList<QByteArray> addresses;
    const QByteArray portHex = QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : file.readAll().split('\n')) {
            const QList<QByteArray> f = line.simplified().split(' ');
            if (f.size() < 4 || f[3] != "0A")
                continue;
            const QList<QByteArray> local = f[1].split(':');
            if (local.size() == 2 && local[1] == portHex)
                addresses.append(local[0]);
        }
    }
    return addresses;
}

// Records what reached the handler; the handler runs on libmicrohttpd's thread.
struct Recorder
{
    QMutex mutex;
    QList<HttpRequest> requests;
    std::atomic<int> calls{0};
    std::atomic<bool> onOwnerThread{false};

    void record(const HttpRequest &request)
    {
        QMutexLocker lock(&mutex);
        requests.append(request);
    }
    HttpRequest last()
    {
        QMutexLocker lock(&mutex);
        return requests.value(requests.size() - 1);
    }
};

// The handler the tests serve: /hello (text + custom header), /json, /echo (query back),
// /throw and /throw-int (exceptions), /bad-status and /bad-header (unsendable), 404 otherwise.
HttpServer::Handler testHandler(Recorder &recorder, QThread *owner)
{
    return [&recorder, owner](const HttpRequest &request) {
        recorder.calls.fetch_add(1);
        if (QThread::currentThread() == owner)
            recorder.onOwnerThread = true;
        recorder.record(request);
        if (request.path == "/hello") {
            HttpResponse r = HttpResponse::text(200, "hello, world\n");
            r.headers.append(qMakePair(QByteArray("X-Starling"), QByteArray("yes")));
            return r;
        }
        if (request.path == "/json")
            return HttpResponse::json(201, QJsonObject{{QStringLiteral("ok"), true}});
        if (request.path == "/echo")
            return HttpResponse::text(200, "i=" + request.queryValue("i"));
        if (request.path == "/throw")
            throw std::runtime_error("handler bug");
        if (request.path == "/throw-int")
            throw 42;
        if (request.path == "/bad-status")
            return HttpResponse::text(1000, "nope");
        if (request.path == "/bad-header") {
            HttpResponse r = HttpResponse::text(200, "x");
            r.headers.append(qMakePair(QByteArray("X-Split"), QByteArray("a\r\nInjected: yes")));
            return r;
        }
        return HttpResponse::text(404, "no such path: " + request.path + '\n');
    };
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listensOnLoopbackOnly();
    void listenErrors();
    void ipv6Loopback();
    void getWithQueryAndHeaders();
    void jsonResponse();
    void head();
    void notFound();
    void rejectsOtherMethods_data();
    void rejectsOtherMethods();
    void rejectsRequestBody();
    void rejectsNulInTarget_data();
    void rejectsNulInTarget();
    void garbageRequest_data();
    void garbageRequest();
    void truncatedRequestAbandoned();
    void truncatedRequestTimesOut();
    void oversizedHeader();
    void concurrentClients();
    void throwingHandler_data();
    void throwingHandler();
    void stopReleasesPort();
    void destroyWithOpenConnection();

private:
    // Serves 127.0.0.1:<any>; the port after listen() succeeds.
    quint16 start(HttpServerLimits limits = {});
    void expectStillServing();

    std::unique_ptr<Recorder> m_recorder;
    std::unique_ptr<HttpServer> m_server;
};

void TestHttpServer::init()
{
    m_recorder = std::make_unique<Recorder>();
}

void TestHttpServer::cleanup()
{
    m_server.reset(); // stops the daemon and releases the port
    m_recorder.reset();
}

quint16 TestHttpServer::start(HttpServerLimits limits)
{
    m_server =
        std::make_unique<HttpServer>(testHandler(*m_recorder, QThread::currentThread()), limits);
    const starling::Expected<quint16> port = m_server->listen(QHostAddress::LocalHost, 0);
    if (!port) {
        qWarning("listen failed: %s", qPrintable(port.error()));
        return 0;
    }
    return *port;
}

void TestHttpServer::expectStillServing()
{
    const Reply reply = get(m_server->port(), "/hello");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray("hello, world\n"));
}

void TestHttpServer::listensOnLoopbackOnly()
{
    const quint16 port = start();
    QVERIFY(port != 0);
    QCOMPARE(m_server->port(), port);
    QVERIFY(m_server->isListening());
    // The kernel lists exactly one listening socket on that port, bound to 127.0.0.1 (not
    // 0.0.0.0 / ::).
    QCOMPARE(listeningAddresses(port), QList<QByteArray>{"0100007F"});
    // Another loopback address reaches the machine but not a socket bound to 127.0.0.1 only.
    QTcpSocket other;
    other.connectToHost(QHostAddress(QStringLiteral("127.0.0.2")), port);
    QVERIFY(!other.waitForConnected(kTimeoutMs));
    QCOMPARE(other.error(), QAbstractSocket::ConnectionRefusedError);
    expectStillServing();
    QVERIFY(!m_recorder->onOwnerThread); // the handler runs on libmicrohttpd's thread
}

void TestHttpServer::listenErrors()
{
    const quint16 port = start();
    QVERIFY(port != 0);
    // Already listening.
    const starling::Expected<quint16> again = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(!again);
    QVERIFY2(again.error().contains(QLatin1String("already listening")), qPrintable(again.error()));
    QCOMPARE(m_server->port(), port);

    // Port taken by someone else: the message names the address and the kernel's reason.
    HttpServer second([](const HttpRequest &) { return HttpResponse::text(200, "second"); });
    const starling::Expected<quint16> taken = second.listen(QHostAddress::LocalHost, port);
    QVERIFY(!taken);
    QVERIFY2(taken.error().contains(QStringLiteral("127.0.0.1:%1").arg(port)),
             qPrintable(taken.error()));
    QVERIFY2(taken.error().contains(QLatin1String("in use"), Qt::CaseInsensitive),
             qPrintable(taken.error()));
    QVERIFY(!second.isListening());
    QCOMPARE(second.port(), quint16(0));

    const starling::Expected<quint16> nullAddress = second.listen(QHostAddress(), 0);
    QVERIFY(!nullAddress);
    QVERIFY2(nullAddress.error().contains(QLatin1String("not an IP address")),
             qPrintable(nullAddress.error()));
    expectStillServing();
}

void TestHttpServer::ipv6Loopback()
{
    if (!QFile::exists(QStringLiteral("/proc/net/if_inet6")))
        QSKIP("the kernel has no IPv6 (no /proc/net/if_inet6)");
    HttpServer server(testHandler(*m_recorder, QThread::currentThread()));
    const starling::Expected<quint16> port = server.listen(QHostAddress::LocalHostIPv6, 0);
    QVERIFY2(port, port ? "" : qPrintable(port.error()));
    QCOMPARE(listeningAddresses(*port),
             QList<QByteArray>{"00000000000000000000000001000000"}); // ::1
    const Reply reply =
        exchange(*port, "GET /hello HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n",
                 QHostAddress::LocalHostIPv6);
    QCOMPARE(reply.status, 200);
    QCOMPARE(m_recorder->last().peer, QHostAddress(QHostAddress::LocalHostIPv6));
    // IPv4 loopback does not reach an IPv6-only socket.
    QTcpSocket v4;
    v4.connectToHost(QHostAddress::LocalHost, *port);
    QVERIFY(!v4.waitForConnected(kTimeoutMs));
}

void TestHttpServer::getWithQueryAndHeaders()
{
    const quint16 port = start();
    const Reply reply =
        exchange(port, "GET /hello?x=1&y=hello%20world&flag&z=a%26b HTTP/1.1\r\nHost: localhost\r\n"
                       "X-Custom-Thing: Value 1\r\nConnection: close\r\n\r\n");
    QVERIFY(reply.connected);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray("hello, world\n"));
    QCOMPARE(reply.header("Content-Type"), QByteArray("text/plain; charset=utf-8"));
    QCOMPARE(reply.header("Content-Length"), QByteArray("13"));
    QCOMPARE(reply.header("X-Starling"), QByteArray("yes"));

    QCOMPARE(m_recorder->calls.load(), 1);
    const HttpRequest request = m_recorder->last();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.path, QByteArray("/hello"));
    const HeaderList query{{"x", "1"}, {"y", "hello world"}, {"flag", ""}, {"z", "a&b"}};
    QCOMPARE(request.query, query);
    QCOMPARE(request.queryValue("y"), QByteArray("hello world"));
    QVERIFY(request.queryValue("missing").isNull());
    QVERIFY(!request.queryValue("flag").isNull());
    QCOMPARE(request.header("x-custom-thing"), QByteArray("Value 1"));
    QCOMPARE(request.header("HOST"), QByteArray("localhost"));
    QVERIFY(request.header("X-Absent").isNull());
    QCOMPARE(request.peer, QHostAddress(QHostAddress::LocalHost));

    // The path arrives percent-decoded and without the query.
    QCOMPARE(get(port, "/a%20b/c%3F?q=1").status, 404);
    QCOMPARE(m_recorder->last().path, QByteArray("/a b/c?"));
}

void TestHttpServer::jsonResponse()
{
    const quint16 port = start();
    const Reply reply = get(port, "/json");
    QCOMPARE(reply.status, 201);
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(reply.body, QByteArray("{\"ok\":true}\n"));
}

void TestHttpServer::head()
{
    const quint16 port = start();
    const Reply full = get(port, "/hello");
    const Reply head = get(port, "/hello", "HEAD");
    QCOMPARE(head.status, 200);
    QVERIFY(head.closedByServer);
    QCOMPARE(head.body, QByteArray()); // headers only
    QCOMPARE(head.header("Content-Length"), QByteArray::number(full.body.size()));
    QCOMPARE(head.header("X-Starling"), QByteArray("yes"));
    QCOMPARE(m_recorder->last().method, QByteArray("HEAD"));
}

void TestHttpServer::notFound()
{
    const quint16 port = start();
    const Reply reply = get(port, "/nope");
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.body, QByteArray("no such path: /nope\n"));
}

void TestHttpServer::rejectsOtherMethods_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("POST with body")
        << QByteArray("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                      "Connection: close\r\n\r\nabcde");
    QTest::newRow("PUT") << QByteArray("PUT /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                       "Connection: close\r\n\r\nabc");
    QTest::newRow("DELETE") << QByteArray("DELETE /hello HTTP/1.1\r\nHost: x\r\n"
                                          "Connection: close\r\n\r\n");
    QTest::newRow("OPTIONS") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: x\r\n"
                                           "Connection: close\r\n\r\n");
    QTest::newRow("lower-case get") << QByteArray("get /hello HTTP/1.1\r\nHost: x\r\n"
                                                  "Connection: close\r\n\r\n");
}

void TestHttpServer::rejectsOtherMethods()
{
    QFETCH(QByteArray, request);
    const quint16 port = start();
    const Reply reply = exchange(port, request);
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.header("Allow"), QByteArray("GET, HEAD"));
    QCOMPARE(m_recorder->calls.load(), 0);
    expectStillServing();
}

void TestHttpServer::rejectsRequestBody()
{
    const quint16 port = start();
    const Reply length = exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                        "Connection: close\r\n\r\nbody");
    QCOMPARE(length.status, 413);
    const Reply chunked =
        exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Connection: close\r\n\r\n4\r\nbody\r\n0\r\n\r\n");
    QCOMPARE(chunked.status, 413);
    QCOMPARE(m_recorder->calls.load(), 0);
    // An explicit empty body is no body.
    const Reply empty = exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                       "Connection: close\r\n\r\n");
    QCOMPARE(empty.status, 200);
}

void TestHttpServer::rejectsNulInTarget_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("in the path") << QByteArray("/hello%00.png");
    QTest::newRow("at the start") << QByteArray("/%00");
    QTest::newRow("in a query value") << QByteArray("/echo?i=1%002");
    QTest::newRow("in a query key") << QByteArray("/echo?%00=1");
}

void TestHttpServer::rejectsNulInTarget()
{
    // The handler gets the path as a C string: a decoded NUL would cut "/hello%00.png" down to
    // "/hello". The request is refused instead; an encoded "%" followed by "00" is no NUL.
    QFETCH(QByteArray, target);
    const quint16 port = start();
    const Reply reply = get(port, target);
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.body.contains("%00"), reply.body.constData());
    QCOMPARE(m_recorder->calls.load(), 0);
    const Reply literal = get(port, "/echo?i=%2500");
    QCOMPARE(literal.status, 200);
    QCOMPARE(literal.body, QByteArray("i=%00"));
    QCOMPARE(m_recorder->calls.load(), 1);
}

void TestHttpServer::garbageRequest_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("words") << QByteArray("hello there\r\n\r\n");
    QTest::newRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
                                          15);
    QTest::newRow("no target") << QByteArray("GET\r\n\r\n");
    QTest::newRow("bad version") << QByteArray("GET / HTTX/1.1\r\nHost: x\r\n\r\n");
    QTest::newRow("header without colon")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n");
    QTest::newRow("bad content length")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -12\r\n\r\n");
}

void TestHttpServer::garbageRequest()
{
    QFETCH(QByteArray, request);
    const quint16 port = start();
    const Reply reply = exchange(port, request);
    QVERIFY(reply.connected);
    // Answered with a client error (or just dropped), and the connection is closed.
    QVERIFY(reply.closedByServer);
    QVERIFY2(reply.status == 0 || (reply.status >= 400 && reply.status < 500),
             reply.raw.left(200).constData());
    QCOMPARE(m_recorder->calls.load(), 0);
    expectStillServing();
}

void TestHttpServer::truncatedRequestAbandoned()
{
    // The client sends half a request and goes away.
    const quint16 port = start();
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(kTimeoutMs));
        socket.write("GET /hello HTTP/1.1\r\nHost: loc");
        QVERIFY(socket.waitForBytesWritten(kTimeoutMs));
        socket.abort();
    }
    expectStillServing();
    QCOMPARE(m_recorder->calls.load(), 1); // only the request that completed
}

void TestHttpServer::truncatedRequestTimesOut()
{
    // The client sends half a request and stays: the connection timeout closes it, and other
    // clients are served meanwhile.
    const quint16 port = start(HttpServerLimits{.connectionTimeoutS = 1});
    QTcpSocket socket;
    QSignalSpy disconnected(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(socket.waitForConnected(kTimeoutMs));
    socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n");
    QVERIFY(socket.waitForBytesWritten(kTimeoutMs));
    expectStillServing();
    QTRY_VERIFY_WITH_TIMEOUT(
        socket.state() == QAbstractSocket::UnconnectedState || !disconnected.isEmpty(), kTimeoutMs);
    QCOMPARE(m_recorder->calls.load(), 1); // the half request never reached the handler
    expectStillServing();
}

void TestHttpServer::oversizedHeader()
{
    const quint16 port = start();
    const QByteArray big(1 << 20, 'a');
    const Reply reply =
        exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
    QVERIFY(reply.connected);
    QVERIFY(reply.closedByServer);
    // An error status (431 or 414 from libmicrohttpd) or a plain close; never the handler.
    QVERIFY2(reply.status == 0 || reply.status >= 400, reply.raw.left(200).constData());
    QCOMPARE(m_recorder->calls.load(), 0);

    const Reply longTarget = exchange(port, "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(longTarget.closedByServer);
    QVERIFY2(longTarget.status == 0 || longTarget.status >= 400,
             longTarget.raw.left(200).constData());
    QCOMPARE(m_recorder->calls.load(), 0);
    expectStillServing();
}

void TestHttpServer::concurrentClients()
{
    const quint16 port = start();
    constexpr int kClients = 32;
    std::vector<QByteArray> received(kClients); // outlives the sockets that append to it
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < kClients; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        connect(raw, &QTcpSocket::readyRead, this,
                [raw, &received, i] { received[size_t(i)] += raw->readAll(); });
        socket->connectToHost(QHostAddress::LocalHost, port);
        sockets.push_back(std::move(socket));
    }
    // All 32 connections are open at once before any request is sent.
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(sockets.begin(), sockets.end(),
                    [](const auto &s) { return s->state() == QAbstractSocket::ConnectedState; }),
        kTimeoutMs);
    for (int i = 0; i < kClients; ++i) {
        sockets[size_t(i)]->write("GET /echo?i=" + QByteArray::number(i) +
                                  " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(sockets.begin(), sockets.end(),
                    [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; }),
        kTimeoutMs);
    for (int i = 0; i < kClients; ++i) {
        Reply reply;
        reply.raw = received[size_t(i)] + sockets[size_t(i)]->readAll();
        parseReply(reply);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, "i=" + QByteArray::number(i));
    }
    QCOMPARE(m_recorder->calls.load(), kClients);
}

void TestHttpServer::throwingHandler_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("std::exception") << QByteArray("/throw");
    QTest::newRow("non-std exception") << QByteArray("/throw-int");
    QTest::newRow("status out of range") << QByteArray("/bad-status");
    QTest::newRow("header with CRLF") << QByteArray("/bad-header");
}

void TestHttpServer::throwingHandler()
{
    QFETCH(QByteArray, path);
    const quint16 port = start();
    const Reply reply = get(port, path);
    QCOMPARE(reply.status, 500);
    QCOMPARE(reply.body, QByteArray("internal server error\n"));
    QVERIFY(reply.header("Injected").isNull());
    expectStillServing();
}

void TestHttpServer::stopReleasesPort()
{
    const quint16 port = start();
    expectStillServing();
    m_server->stop();
    QVERIFY(!m_server->isListening());
    QCOMPARE(m_server->port(), quint16(0));
    m_server->stop(); // idempotent
    QVERIFY(listeningAddresses(port).isEmpty());
    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!late.waitForConnected(kTimeoutMs));

    QTcpServer rebind;
    QVERIFY2(rebind.listen(QHostAddress::LocalHost, port), qPrintable(rebind.errorString()));
    rebind.close();
    // And the same server object can listen again.
    const starling::Expected<quint16> again = m_server->listen(QHostAddress::LocalHost, port);
    QVERIFY2(again, again ? "" : qPrintable(again.error()));
    QCOMPARE(*again, port);
    expectStillServing();
}

void TestHttpServer::destroyWithOpenConnection()
{
    const quint16 port = start();
    QTcpSocket idle;
    idle.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(idle.waitForConnected(kTimeoutMs));
    idle.write("GET /hel");
    QVERIFY(idle.waitForBytesWritten(kTimeoutMs));
    m_server.reset(); // must not wait for the client
    QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, kTimeoutMs);
    QVERIFY(listeningAddresses(port).isEmpty());
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
