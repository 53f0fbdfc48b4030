// HttpServer's body kinds and threading: file ranges (an owned descriptor or a path, sent with
// sendfile), streams (reader contract: bytes, -1 aborts, 0 is a bug), HEAD without reading,
// completion outcomes, thread-per-connection (a blocked reader stalls nobody else, stop() with a
// reader watching isStopping()), the connection count, and no descriptor leaks. Raw sockets on
// 127.0.0.1 port 0; every wait is on a condition.
#include "http/httpserver.h"
#include "httptestclient.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace starling::http;
using namespace httptest;

namespace {

// Byte i of the streamed test body.
char patternAt(qint64 i)
{
    return char('a' + i % 26);
}

QByteArray pattern(qint64 from, qint64 length)
{
    QByteArray data(length, Qt::Uninitialized);
    for (qint64 i = 0; i < length; ++i)
        data[i] = patternAt(from + i);
    return data;
}

int openFdCount()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot).size());
}

// Outcomes reported by onFinished, from libmicrohttpd's threads.
struct Outcomes
{
    QMutex mutex;
    std::vector<HttpResponse::Outcome> list;

    std::function<void(const HttpResponse::Outcome &)> recorder()
    {
        return [this](const HttpResponse::Outcome &outcome) {
            QMutexLocker lock(&mutex);
            list.push_back(outcome);
        };
    }
    int size()
    {
        QMutexLocker lock(&mutex);
        return int(list.size());
    }
    HttpResponse::Outcome last()
    {
        QMutexLocker lock(&mutex);
        return list.empty() ? HttpResponse::Outcome{} : list.back();
    }
};

// A gate a blocking reader waits on, released by the test or by the server's stop flag.
struct Gate
{
    std::mutex mutex;
    std::condition_variable changed;
    bool open = false;
    std::atomic<int> waiting{0};

    void release()
    {
        {
            std::lock_guard lock(mutex);
            open = true;
        }
        changed.notify_all();
    }
};

} // namespace

class TestHttpResponseBody : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void fileRangeFromDescriptor_data();
    void fileRangeFromDescriptor();
    void fileRangeFromPath();
    void unsendableFileRange_data();
    void unsendableFileRange();
    void noDescriptorLeaks();
    void stream_data();
    void stream();
    void streamReaderAborts_data();
    void streamReaderAborts();
    void headReadsNothing();
    void clientGoesAwayMidStream();
    void blockedReaderStallsNobody();
    void stopWhileReaderBlocks();
    void connectionCount_data();
    void connectionCount();
    void threadPerConnectionKeepsTheRules();

private:
    quint16 start(HttpServer::Handler handler, HttpServerLimits limits = {});

    QTemporaryDir m_dir;
    QByteArray m_data; // the file's content
    QString m_path;
    Outcomes m_outcomes;
    std::unique_ptr<HttpServer> m_server;
};

void TestHttpResponseBody::init()
{
    QVERIFY(m_dir.isValid());
    m_data = randomBytes(3 * 1024 * 1024 + 17, 7);
    m_path = m_dir.filePath(QStringLiteral("data.bin"));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(m_data), m_data.size());
    {
        QMutexLocker lock(&m_outcomes.mutex);
        m_outcomes.list.clear();
    }
}

void TestHttpResponseBody::cleanup()
{
    m_server.reset();
}

quint16 TestHttpResponseBody::start(HttpServer::Handler handler, HttpServerLimits limits)
{
    m_server = std::make_unique<HttpServer>(std::move(handler), limits);
    const starling::Expected<quint16> port = m_server->listen(QHostAddress::LocalHost, 0);
    if (!port) {
        qWarning("listen failed: %s", qPrintable(port.error()));
        return 0;
    }
    return *port;
}

void TestHttpResponseBody::fileRangeFromDescriptor_data()
{
    QTest::addColumn<bool>("threadPerConnection");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");
    const qint64 size = 3 * 1024 * 1024 + 17;
    QTest::newRow("whole file") << false << qint64(0) << size;
    QTest::newRow("middle") << false << qint64(1000003) << qint64(777777);
    QTest::newRow("last byte") << false << size - 1 << qint64(1);
    QTest::newRow("empty") << false << qint64(5) << qint64(0);
    QTest::newRow("whole file, thread per connection") << true << qint64(0) << size;
    QTest::newRow("tail, thread per connection") << true << qint64(65536) << size - 65536;
}

void TestHttpResponseBody::fileRangeFromDescriptor()
{
    QFETCH(bool, threadPerConnection);
    QFETCH(qint64, offset);
    QFETCH(qint64, length);
    const QByteArray native = QFile::encodeName(m_path);
    const quint16 port = start(
        [&](const HttpRequest &) {
            HttpResponse response = HttpResponse::fileRange(
                206, ::open(native.constData(), O_RDONLY | O_CLOEXEC), offset, length);
            response.headers.append({"X-Range", QByteArray::number(offset)});
            response.onFinished = m_outcomes.recorder();
            return response;
        },
        HttpServerLimits{.threadPerConnection = threadPerConnection});
    const Reply reply = get(port, "/f");
    QCOMPARE(reply.status, 206);
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(length));
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/octet-stream"));
    QCOMPARE(reply.header("X-Range"), QByteArray::number(offset));
    QCOMPARE(reply.body.size(), length);
    QVERIFY(reply.body == m_data.mid(offset, length));
    QTRY_COMPARE_WITH_TIMEOUT(m_outcomes.size(), 1, kTimeoutMs);
    QVERIFY(m_outcomes.last().complete);
    QCOMPARE(m_outcomes.last().bodyBytes, length);
}

void TestHttpResponseBody::fileRangeFromPath()
{
    const quint16 port = start([&](const HttpRequest &request) {
        HttpResponse response = HttpResponse::fileRange(200, m_path, 10, 100);
        if (request.path == "/missing")
            response.filePath = m_dir.filePath(QStringLiteral("nope"));
        response.onFinished = m_outcomes.recorder();
        return response;
    });
    const Reply reply = get(port, "/f");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, m_data.mid(10, 100));
    // A file that cannot be opened when the response is queued is the server's failure.
    const Reply missing = get(port, "/missing");
    QCOMPARE(missing.status, 500);
    QTRY_COMPARE_WITH_TIMEOUT(m_outcomes.size(), 2, kTimeoutMs);
    QVERIFY(!m_outcomes.last().complete); // the planned body never left
    QCOMPARE(m_outcomes.last().bodyBytes, qint64(0));
}

void TestHttpResponseBody::unsendableFileRange_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<bool>("badFd");
    QTest::newRow("negative offset") << qint64(-1) << qint64(10) << false;
    QTest::newRow("negative length") << qint64(0) << qint64(-10) << false;
    QTest::newRow("overflowing end")
        << std::numeric_limits<qint64>::max() << std::numeric_limits<qint64>::max() << false;
    QTest::newRow("closed descriptor") << qint64(0) << qint64(10) << true;
}

void TestHttpResponseBody::unsendableFileRange()
{
    QFETCH(qint64, offset);
    QFETCH(qint64, length);
    QFETCH(bool, badFd);
    const quint16 port = start([&](const HttpRequest &request) {
        if (request.path == "/ok")
            return HttpResponse::text(200, "ok\n");
        return badFd ? HttpResponse::fileRange(200, -1, offset, length)
                     : HttpResponse::fileRange(200, m_path, offset, length);
    });
    const Reply reply = get(port, "/f");
    QCOMPARE(reply.status, 500);
    QCOMPARE(reply.body, QByteArray("internal server error\n"));
    QCOMPARE(get(port, "/ok").status, 200);
}

void TestHttpResponseBody::noDescriptorLeaks()
{
    const QByteArray native = QFile::encodeName(m_path);
    const quint16 port = start(
        [&](const HttpRequest &request) {
            const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
            HttpResponse response = HttpResponse::fileRange(200, fd, 0, 4096);
            if (request.path == "/unsent") // dropped unsent: its descriptor closes with it
                return HttpResponse::text(404, "no\n");
            return response;
        },
        HttpServerLimits{.threadPerConnection = true});
    QCOMPARE(get(port, "/f").status, 200); // warm up: threads and sockets of the first request
    QTRY_COMPARE_WITH_TIMEOUT(m_server->currentConnections(), 0u, kTimeoutMs);
    const int before = openFdCount();
    for (int i = 0; i < 40; ++i) {
        QCOMPARE(get(port, "/f").body.size(), 4096);
        QCOMPARE(get(port, "/unsent").status, 404);
        QCOMPARE(get(port, "/f", "HEAD").status, 200);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_server->currentConnections(), 0u, kTimeoutMs);
    // 120 requests, each with a descriptor of its own (and a duplicate): none stays open.
    QTRY_VERIFY_WITH_TIMEOUT(openFdCount() <= before, kTimeoutMs);
}

void TestHttpResponseBody::stream_data()
{
    QTest::addColumn<bool>("threadPerConnection");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<qint64>("chunk");
    QTest::newRow("one chunk") << false << qint64(1000) << qint64(64 * 1024);
    QTest::newRow("many chunks") << false << qint64(1 << 20) << qint64(64 * 1024);
    QTest::newRow("odd chunk size") << true << qint64(300001) << qint64(4099);
    QTest::newRow("tiny chunk clamped to 1 KiB") << true << qint64(5000) << qint64(1);
    QTest::newRow("empty") << true << qint64(0) << qint64(64 * 1024);
}

void TestHttpResponseBody::stream()
{
    QFETCH(bool, threadPerConnection);
    QFETCH(qint64, length);
    QFETCH(qint64, chunk);
    std::atomic<qint64> expectedPosition{0};
    std::atomic<bool> outOfOrder{false};
    std::atomic<qint64> largestAsk{0};
    const quint16 port = start(
        [&](const HttpRequest &) {
            HttpResponse response = HttpResponse::streamed(
                200, length,
                [&](qint64 position, char *buffer, qint64 max) -> qint64 {
                    if (position != expectedPosition.load())
                        outOfOrder = true;
                    largestAsk = std::max(largestAsk.load(), max);
                    const qint64 n = std::min<qint64>(max, 777); // short reads are fine
                    for (qint64 i = 0; i < n; ++i)
                        buffer[i] = patternAt(position + i);
                    expectedPosition = position + n;
                    return n;
                },
                chunk);
            response.onFinished = m_outcomes.recorder();
            return response;
        },
        HttpServerLimits{.threadPerConnection = threadPerConnection});
    const Reply reply = get(port, "/s");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(length));
    QCOMPARE(reply.body.size(), length);
    QVERIFY(reply.body == pattern(0, length));
    QVERIFY(!outOfOrder);
    QVERIFY(largestAsk <= std::max<qint64>(chunk, 1024));
    QTRY_COMPARE_WITH_TIMEOUT(m_outcomes.size(), 1, kTimeoutMs);
    QVERIFY(m_outcomes.last().complete);
    QCOMPARE(m_outcomes.last().bodyBytes, length);
}

void TestHttpResponseBody::streamReaderAborts_data()
{
    QTest::addColumn<qint64>("result"); // what the reader returns at byte 100000
    QTest::newRow("-1 aborts") << qint64(-1);
    QTest::newRow("0 is a reader bug") << qint64(0);
    QTest::newRow("more than asked is a reader bug") << qint64(1 << 30);
    QTest::newRow("throwing reader") << qint64(-99);
}

void TestHttpResponseBody::streamReaderAborts()
{
    QFETCH(qint64, result);
    const quint16 port = start(
        [&](const HttpRequest &) {
            HttpResponse response = HttpResponse::streamed(
                200, 1 << 20,
                [result](qint64 position, char *buffer, qint64 max) -> qint64 {
                    if (position >= 100000) {
                        if (result == -99)
                            throw std::runtime_error("reader bug");
                        return result;
                    }
                    const qint64 n = std::min<qint64>(max, 100000 - position);
                    for (qint64 i = 0; i < n; ++i)
                        buffer[i] = patternAt(position + i);
                    return n;
                },
                16384);
            response.onFinished = m_outcomes.recorder();
            return response;
        },
        HttpServerLimits{.threadPerConnection = true});
    const Reply reply = get(port, "/s");
    QVERIFY(reply.closedByServer);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(1 << 20));
    QCOMPARE(reply.body, pattern(0, 100000)); // a short body: the client sees the abort
    QTRY_COMPARE_WITH_TIMEOUT(m_outcomes.size(), 1, kTimeoutMs);
    QVERIFY(!m_outcomes.last().complete);
    QCOMPARE(m_outcomes.last().bodyBytes, qint64(100000));
}

void TestHttpResponseBody::headReadsNothing()
{
    std::atomic<int> reads{0};
    const quint16 port = start([&](const HttpRequest &request) {
        HttpResponse response = request.path == "/s"
                                    ? HttpResponse::streamed(200, 12345,
                                                             [&](qint64, char *, qint64) -> qint64 {
                                                                 reads.fetch_add(1);
                                                                 return -1;
                                                             })
                                    : HttpResponse::fileRange(200, m_path, 0, 4321);
        response.onFinished = m_outcomes.recorder();
        return response;
    });
    const Reply stream = get(port, "/s", "HEAD");
    QCOMPARE(stream.status, 200);
    QCOMPARE(stream.header("Content-Length"), QByteArray("12345"));
    QVERIFY(stream.body.isEmpty());
    const Reply file = get(port, "/f", "HEAD");
    QCOMPARE(file.header("Content-Length"), QByteArray("4321"));
    QVERIFY(file.body.isEmpty());
    QCOMPARE(reads.load(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_outcomes.size(), 2, kTimeoutMs);
    QVERIFY(m_outcomes.last().complete);
    QCOMPARE(m_outcomes.last().bodyBytes, qint64(0));
}

void TestHttpResponseBody::clientGoesAwayMidStream()
{
    Gate gate;
    const quint16 port = start(
        [&](const HttpRequest &) {
            HttpResponse response = HttpResponse::streamed(
                200, 10 << 20,
                [&](qint64 position, char *buffer, qint64 max) -> qint64 {
                    if (position >= 65536) {
                        // Hold the rest back until the client has gone.
                        gate.waiting.fetch_add(1);
                        std::unique_lock lock(gate.mutex);
                        gate.changed.wait(lock, [&] { return gate.open; });
                    }
                    std::memset(buffer, 'x', size_t(max));
                    return max;
                },
                65536);
            response.onFinished = m_outcomes.recorder();
            return response;
        },
        HttpServerLimits{.threadPerConnection = true});
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(kTimeoutMs));
        socket.write("GET /s HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(gate.waiting.load() > 0, kTimeoutMs);
        socket.abort();
    }
    gate.release(); // the next send fails: the client is gone
    QTRY_COMPARE_WITH_TIMEOUT(m_outcomes.size(), 1, kTimeoutMs);
    QVERIFY(!m_outcomes.last().complete);
    QVERIFY(m_outcomes.last().bodyBytes >= 65536);
    QVERIFY(m_outcomes.last().bodyBytes < (10 << 20));
}

void TestHttpResponseBody::blockedReaderStallsNobody()
{
    Gate gate;
    const quint16 port = start(
        [&](const HttpRequest &request) {
            if (request.path != "/blocked")
                return HttpResponse::text(200, "free\n");
            return HttpResponse::streamed(200, 3, [&](qint64, char *buffer, qint64) -> qint64 {
                gate.waiting.fetch_add(1);
                std::unique_lock lock(gate.mutex);
                gate.changed.wait(lock, [&] { return gate.open; });
                std::memcpy(buffer, "ok\n", 3);
                return 3;
            });
        },
        HttpServerLimits{.threadPerConnection = true});
    std::optional<Reply> blocked;
    std::thread client([&] { blocked = get(port, "/blocked"); });
    QTRY_VERIFY_WITH_TIMEOUT(gate.waiting.load() == 1, kTimeoutMs);
    // Another client is served while the first connection's reader blocks.
    for (int i = 0; i < 5; ++i)
        QCOMPARE(get(port, "/free").body, QByteArray("free\n"));
    gate.release();
    client.join();
    QVERIFY(blocked.has_value());
    QCOMPARE(blocked->status, 200);
    QCOMPARE(blocked->body, QByteArray("ok\n"));
}

void TestHttpResponseBody::stopWhileReaderBlocks()
{
    std::atomic<bool> sawStop{false};
    std::atomic<int> waiting{0};
    const quint16 port = start(
        [&](const HttpRequest &) {
            HttpResponse response =
                HttpResponse::streamed(200, 1000, [&](qint64, char *, qint64) -> qint64 {
                    waiting.fetch_add(1);
                    // A reader that waits for data polls the stop flag between waits.
                    while (!m_server->isStopping())
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    sawStop = true;
                    return -1;
                });
            response.onFinished = m_outcomes.recorder();
            return response;
        },
        HttpServerLimits{.threadPerConnection = true});
    QVERIFY(!m_server->isStopping());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(socket.waitForConnected(kTimeoutMs));
    socket.write("GET /s HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(waiting.load() == 1, kTimeoutMs);
    m_server->stop(); // returns once the reader has noticed and returned
    QVERIFY(sawStop);
    QVERIFY(m_server->isStopping());
    QCOMPARE(m_outcomes.size(), 1);
    QVERIFY(!m_outcomes.last().complete);
    QCOMPARE(m_server->currentConnections(), 0u);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, kTimeoutMs);
    // Listening again clears the flag.
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    QVERIFY(!m_server->isStopping());
}

void TestHttpResponseBody::connectionCount_data()
{
    QTest::addColumn<bool>("threadPerConnection");
    QTest::newRow("one polling thread") << false;
    QTest::newRow("thread per connection") << true;
}

void TestHttpResponseBody::connectionCount()
{
    QFETCH(bool, threadPerConnection);
    const quint16 port = start([](const HttpRequest &) { return HttpResponse::text(200, "x"); },
                               HttpServerLimits{.threadPerConnection = threadPerConnection});
    QCOMPARE(m_server->currentConnections(), 0u);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 5; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(sockets.back()->waitForConnected(kTimeoutMs));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_server->currentConnections(), 5u, kTimeoutMs);
    sockets.resize(2);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->currentConnections(), 2u, kTimeoutMs);
    sockets.clear();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->currentConnections(), 0u, kTimeoutMs);
}

void TestHttpResponseBody::threadPerConnectionKeepsTheRules()
{
    std::atomic<int> calls{0};
    const quint16 port = start(
        [&](const HttpRequest &) {
            calls.fetch_add(1);
            return HttpResponse::text(200, "hello\n");
        },
        HttpServerLimits{.connectionTimeoutS = 1, .threadPerConnection = true});
    QCOMPARE(get(port, "/x", "DELETE").status, 405);
    const Reply big = exchange(
        port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(1 << 20, 'a') + "\r\n\r\n");
    QVERIFY(big.status == 0 || big.status >= 400);
    QCOMPARE(exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                            "Connection: close\r\n\r\nbody")
                 .status,
             413);
    QCOMPARE(calls.load(), 0);
    // A half request is closed by the idle timeout.
    QTcpSocket half;
    half.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(half.waitForConnected(kTimeoutMs));
    half.write("GET / HTTP/1.1\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(half.state(), QAbstractSocket::UnconnectedState, kTimeoutMs);
    QCOMPARE(get(port, "/").body, QByteArray("hello\n"));
    QCOMPARE(calls.load(), 1);
}

QTEST_GUILESS_MAIN(TestHttpResponseBody)
#include "tst_httpresponsebody.moc"
