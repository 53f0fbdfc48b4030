// BridgeServer: the monitor's NDJSON bridge, driven by raw sockets on 127.0.0.1. Hello and its
// refusals, bad lines that leave the connection usable, oversize lines that close only that
// connection, command routing, fan-out to many clients, bounded memory for a client that stops
// reading, and the connection limit.
#include "bridgetestclient.h"

#include "bridge/bridgemessage.h"
#include "bridge/bridgeserver.h"
#include "bridge/bridgetoken.h"
#include "cluster/clustersnapshot.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>
#include <vector>

using namespace starling;
using namespace starling::bridge;

namespace {

const QLatin1String kType("type");
const QLatin1String kCode("code");
const QLatin1String kId("id");

QJsonObject snapshotWithNodes(std::int64_t sequence, int slaves)
{
    cluster::ClusterSnapshot snapshot;
    snapshot.sequence = sequence;
    snapshot.timeMs = 1700000000000 + sequence;
    for (int rank = 0; rank < 2 + slaves; ++rank) {
        cluster::NodeView node;
        node.rank = rank;
        node.role = cluster::roleForRank(rank);
        node.name = rank == 0   ? QStringLiteral("master")
                    : rank == 1 ? QStringLiteral("monitor")
                                : QStringLiteral("slave-%1").arg(rank);
        node.host = QStringLiteral("localhost");
        node.stats.sequence = sequence;
        node.stats.nodeCpu = 0.25;
        snapshot.nodes.push_back(node);
    }
    return snapshot.toJson();
}

QJsonObject stateEvent(int n)
{
    return {{QLatin1String("kind"), QLatin1String("state_changed")},
            {QLatin1String("node"), QStringLiteral("slave-%1").arg(2 + n % 4)},
            {QLatin1String("from"), QLatin1String("ACTIVE")},
            {QLatin1String("to"), QLatin1String("DRAINING")},
            {QLatin1String("by"), QLatin1String("alice-cli")},
            {QLatin1String("n"), n}};
}

std::int64_t sequenceOf(const QJsonObject &snapshotMessage)
{
    return std::int64_t(snapshotMessage.value(QLatin1String("snapshot"))
                            .toObject()
                            .value(QLatin1String("seq"))
                            .toDouble(-1));
}

// Captures log output so a test can check the token never reaches it.
QStringList g_log;
void captureLog(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_log.append(message);
}

} // namespace

class TestBridgeServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void listenRefusesWithoutToken();
    void listenReportsBusyPort();
    void welcomeThenLatestSnapshot();
    void welcomeWithoutSnapshot();
    void helloRefused_data();
    void helloRefused();
    void helloTimeout();
    void badLinesKeepConnection_data();
    void badLinesKeepConnection();
    void pingWithoutId();
    void lineAtLimitIsAccepted();
    void oversizeLineClosesOnlyThatClient();
    void truncatedLineThenDisconnect();
    void commandsAndReplies();
    void eventsReachAuthenticatedClientsOnly();
    void sixteenClientsSeeEverySnapshotInOrder();
    void slowClientCostsBoundedMemory();
    void tooManyClients();

private:
    // A server on 127.0.0.1 with a free port; the test's config with this test's token.
    std::unique_ptr<BridgeServer> startServer(BridgeServer::Config config = {});

    QByteArray m_token;
    quint16 m_port = 0;
};

void TestBridgeServer::initTestCase()
{
    // helloRefused checks the refusal is logged (and the token is not): make sure it is shown.
    QLoggingCategory::setFilterRules(QStringLiteral("starling.bridge*=true"));
}

void TestBridgeServer::init()
{
    m_token = BridgeToken::generate();
    m_port = 0;
}

std::unique_ptr<BridgeServer> TestBridgeServer::startServer(BridgeServer::Config config)
{
    config.token = m_token;
    auto server = std::make_unique<BridgeServer>(config);
    const Expected<quint16> port = server->listen(QHostAddress::LocalHost, 0);
    if (!port)
        qWarning("listen failed: %s", qPrintable(port.error()));
    m_port = port ? *port : 0;
    return port ? std::move(server) : nullptr;
}

void TestBridgeServer::listenRefusesWithoutToken()
{
    BridgeServer server(BridgeServer::Config{});
    const Expected<quint16> port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(!port);
    QVERIFY2(port.error().contains(QLatin1String("token")), qPrintable(port.error()));
    QVERIFY(!server.isListening());
}

void TestBridgeServer::listenReportsBusyPort()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    BridgeServer server({m_token});
    const Expected<quint16> port = server.listen(QHostAddress::LocalHost, occupier.serverPort());
    QVERIFY(!port);
    QVERIFY2(port.error().contains(QString::number(occupier.serverPort())),
             qPrintable(port.error()));
}

void TestBridgeServer::welcomeThenLatestSnapshot()
{
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy joined(server.get(), &BridgeServer::clientJoined);
    server->publishSnapshot(snapshotWithNodes(1, 2));
    server->publishSnapshot(snapshotWithNodes(2, 2));

    RawBridgeClient client;
    QVERIFY(client.connectTo(m_port));
    client.sendHello(m_token, QStringLiteral("alice-cli"));
    QVERIFY(client.waitFor("snapshot"));

    // The welcome comes first, then at once the latest snapshot (not the older one).
    QCOMPARE(client.messages().size(), 2);
    const QJsonObject welcome = client.messages().at(0);
    QCOMPARE(welcome.value(kType).toString(), QStringLiteral("welcome"));
    QCOMPARE(welcome.value(QLatin1String("protocol")).toInt(), 1);
    QCOMPARE(welcome.value(QLatin1String("server")).toString(), QStringLiteral("starling-monitor"));
    const quint64 id = quint64(welcome.value(QLatin1String("client_id")).toDouble());
    QVERIFY(id > 0);
    QCOMPARE(client.messages().at(1),
             QJsonObject({{kType, QLatin1String("snapshot")},
                          {QLatin1String("snapshot"), snapshotWithNodes(2, 2)}}));
    QCOMPARE(joined.size(), 1);
    QCOMPARE(joined.at(0).at(0).value<quint64>(), id);
    QCOMPARE(joined.at(0).at(1).toString(), QStringLiteral("alice-cli"));
    QCOMPARE(server->clientCount(), 1);
    QCOMPARE(server->clientIds(), QList<quint64>{id});
    QCOMPARE(server->clientName(id), QStringLiteral("alice-cli"));
    // The wire is one object per line.
    QCOMPARE(client.received().count('\n'), 2);
    QVERIFY(client.received().endsWith('\n'));

    // A "\r\n" hello works the same, and ids are distinct.
    RawBridgeClient second;
    QVERIFY(second.connectTo(m_port));
    second.send("{\"type\":\"hello\",\"protocol\":1,\"client\":\"bob@console\",\"token\":\"" +
                m_token + "\"}\r\n");
    QVERIFY(second.waitFor("snapshot"));
    QVERIFY(quint64(second.ofType("welcome").at(0).value(QLatin1String("client_id")).toDouble()) !=
            id);
    QCOMPARE(server->clientCount(), 2);
}

void TestBridgeServer::welcomeWithoutSnapshot()
{
    auto server = startServer();
    QVERIFY(server);
    RawBridgeClient client;
    QVERIFY(client.handshake(m_port, m_token) > 0);
    // A later exchange proves nothing else was queued behind the welcome.
    client.send("{\"type\":\"ping\",\"id\":\"p\"}\n");
    QVERIFY(client.waitFor("pong"));
    QCOMPARE(client.messages().size(), 2);
    QVERIFY(client.ofType("snapshot").isEmpty());
}

void TestBridgeServer::helloRefused_data()
{
    // In "line", TOKEN becomes the right token, HALF its first half, UPPER it in upper case.
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("code");

    const QString unauthorized = QStringLiteral("unauthorized");
    const QString protocol = QStringLiteral("unsupported_protocol");
    const QString helloRequired = QStringLiteral("hello_required");
    const QString badHello = QStringLiteral("bad_hello");
    const QByteArray ok = R"({"type":"hello","protocol":1,"client":"me","token":"TOKEN"})";

    QTest::newRow("token missing")
        << QByteArray(R"({"type":"hello","protocol":1,"client":"me"})") << unauthorized;
    QTest::newRow("token wrong") << QByteArray(
                                        R"({"type":"hello","protocol":1,"client":"me","token":")") +
                                        QByteArray(64, 'a') + "\"}"
                                 << unauthorized;
    QTest::newRow("token empty") << QByteArray(
                                        R"({"type":"hello","protocol":1,"client":"me","token":""})")
                                 << unauthorized;
    QTest::newRow("token prefix only") << QByteArray(ok).replace("TOKEN", "HALF") << unauthorized;
    QTest::newRow("token in upper case")
        << QByteArray(ok).replace("TOKEN", "UPPER") << unauthorized;
    QTest::newRow("token with extra") << QByteArray(ok).replace("TOKEN", "TOKENx") << unauthorized;
    QTest::newRow("token a number")
        << QByteArray(R"({"type":"hello","protocol":1,"client":"me","token":12})") << unauthorized;
    QTest::newRow("protocol 2") << QByteArray(ok).replace("\"protocol\":1", "\"protocol\":2")
                                << protocol;
    QTest::newRow("protocol missing") << QByteArray(ok).replace("\"protocol\":1,", "") << protocol;
    QTest::newRow("protocol a string")
        << QByteArray(ok).replace("\"protocol\":1", "\"protocol\":\"1\"") << protocol;
    QTest::newRow("command first")
        << QByteArray(R"({"type":"command","id":"1","op":"drain","node":"slave-2"})")
        << helloRequired;
    QTest::newRow("ping first") << QByteArray(R"({"type":"ping","id":"p"})") << helloRequired;
    QTest::newRow("invalid JSON first") << QByteArray("hello?") << helloRequired;
    QTest::newRow("array first") << QByteArray("[1,2]") << helloRequired;
    QTest::newRow("no type") << QByteArray(R"({"protocol":1,"token":"TOKEN"})") << helloRequired;
    QTest::newRow("HTTP request") << QByteArray("GET / HTTP/1.1") << helloRequired;
    QTest::newRow("client missing") << QByteArray(ok).replace("\"client\":\"me\",", "") << badHello;
    QTest::newRow("client empty") << QByteArray(ok).replace("\"me\"", "\"\"") << badHello;
    QTest::newRow("client 65 characters")
        << QByteArray(ok).replace("\"me\"", QByteArray('"' + QByteArray(65, 'x') + '"'))
        << badHello;
    QTest::newRow("client with a space") << QByteArray(ok).replace("\"me\"", "\"m e\"") << badHello;
    QTest::newRow("client non-ASCII") << QByteArray(ok).replace("\"me\"", "\"zoë\"") << badHello;
    QTest::newRow("client a number") << QByteArray(ok).replace("\"me\"", "7") << badHello;
}

void TestBridgeServer::helloRefused()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, code);
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy joined(server.get(), &BridgeServer::clientJoined);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);

    g_log.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    RawBridgeClient client;
    QVERIFY(client.connectTo(m_port));
    line.replace("HALF", m_token.left(32)).replace("UPPER", m_token.toUpper());
    client.send(line.replace("TOKEN", m_token) + '\n');
    const bool closed = client.waitForClose();
    qInstallMessageHandler(previous);
    QVERIFY(closed);

    QCOMPARE(client.messages().size(), 1);
    const QJsonObject error = client.messages().constFirst();
    QCOMPARE(error.value(kType).toString(), QStringLiteral("error"));
    QCOMPARE(error.value(kCode).toString(), code);
    QVERIFY(error.value(kId).isNull());
    QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
    // Neither the reply nor the log carries the token (right or wrong).
    QVERIFY(!client.received().contains(m_token));
    QVERIFY(!client.received().contains(QByteArray(64, 'a')));
    QVERIFY(!g_log.join(u'\n').contains(QString::fromLatin1(m_token)));
    if (QLoggingCategory("starling.bridge").isInfoEnabled()) // QT_LOGGING_RULES may hide it
        QVERIFY(!g_log.isEmpty());                           // the reason was logged
    QCOMPARE(joined.size(), 0);
    QCOMPARE(left.size(), 0);
    QCOMPARE(server->clientCount(), 0);
}

void TestBridgeServer::helloTimeout()
{
    auto server = startServer({.helloTimeoutMs = 150});
    QVERIFY(server);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);

    // This one says hello in time; its hello timer must be stopped for good.
    RawBridgeClient prompt;
    QVERIFY(prompt.handshake(m_port, m_token) > 0);

    RawBridgeClient silent;
    QVERIFY(silent.connectTo(m_port));
    RawBridgeClient halfHello; // a hello with no end of line is no hello
    QVERIFY(halfHello.connectTo(m_port));
    halfHello.send(R"({"type":"hello","protocol":1,"client":"me","token":")" + m_token);

    // Both connected after prompt's timer started, so once they are timed out, prompt's
    // timer would have fired too had it not been stopped.
    for (RawBridgeClient *client : {&silent, &halfHello}) {
        QVERIFY(client->waitForClose());
        QCOMPARE(client->messages().size(), 1);
        QCOMPARE(client->messages().constFirst().value(kCode).toString(),
                 QStringLiteral("hello_timeout"));
    }
    prompt.send("{\"type\":\"ping\",\"id\":\"still-there\"}\n");
    QVERIFY(prompt.waitFor("pong"));
    QVERIFY(!prompt.isClosed());
    QCOMPARE(prompt.ofType("error").size(), 0);
    QCOMPARE(left.size(), 0);
    QCOMPARE(server->clientCount(), 1);
}

void TestBridgeServer::badLinesKeepConnection_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QJsonValue>("id"); // the error's id

    const QString badJson = QStringLiteral("bad_json");
    const QString unknownType = QStringLiteral("unknown_type");
    const QString badCommand = QStringLiteral("bad_command");
    const QJsonValue null(QJsonValue::Null);

    QTest::newRow("not JSON") << QByteArray("drain slave-2") << badJson << null;
    QTest::newRow("truncated JSON")
        << QByteArray(R"({"type":"command","id":"1")") << badJson << null;
    QTest::newRow("garbage bytes") << QByteArray("\x00\xff\xfe\x13", 4) << badJson << null;
    QTest::newRow("invalid UTF-8 in a string")
        << QByteArray("{\"type\":\"ping\",\"id\":\"\xc3\x28\"}") << badJson << null;
    QTest::newRow("array") << QByteArray(R"([{"type":"ping"}])") << badJson << null;
    QTest::newRow("number") << QByteArray("42") << badJson << null;
    QTest::newRow("string") << QByteArray(R"("ping")") << badJson << null;
    QTest::newRow("deep nesting") << QByteArray(5000, '[') << badJson << null;
    QTest::newRow("no type") << QByteArray(R"({"id":"1","op":"drain"})") << unknownType << null;
    QTest::newRow("type a number") << QByteArray(R"({"type":3})") << unknownType << null;
    QTest::newRow("unknown type") << QByteArray(R"({"type":"subscribe"})") << unknownType << null;
    QTest::newRow("server's type")
        << QByteArray(R"({"type":"snapshot","snapshot":{}})") << unknownType << null;
    QTest::newRow("second hello")
        << QByteArray(R"({"type":"hello","protocol":1,"client":"again","token":"x"})")
        << unknownType << null;
    QTest::newRow("command without id")
        << QByteArray(R"({"type":"command","op":"drain"})") << badCommand << null;
    QTest::newRow("command id empty")
        << QByteArray(R"({"type":"command","id":"","op":"drain"})") << badCommand << null;
    QTest::newRow("command id a number")
        << QByteArray(R"({"type":"command","id":7,"op":"drain"})") << badCommand << null;
    QTest::newRow("command id 129 characters")
        << QByteArray(R"({"type":"command","id":")" + QByteArray(129, 'i') + R"(","op":"drain"})")
        << badCommand << null;
    QTest::newRow("command without op") << QByteArray(R"({"type":"command","id":"c9"})")
                                        << badCommand << QJsonValue(QStringLiteral("c9"));
    QTest::newRow("command op a number") << QByteArray(R"({"type":"command","id":"c9","op":1})")
                                         << badCommand << QJsonValue(QStringLiteral("c9"));
    QTest::newRow("command op empty") << QByteArray(R"({"type":"command","id":"c9","op":""})")
                                      << badCommand << QJsonValue(QStringLiteral("c9"));
}

void TestBridgeServer::badLinesKeepConnection()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, code);
    QFETCH(QJsonValue, id);
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy commands(server.get(), &BridgeServer::commandReceived);

    RawBridgeClient client;
    QVERIFY(client.handshake(m_port, m_token) > 0);
    client.send(line + '\n');
    QVERIFY(client.waitFor("error"));
    const QJsonObject error = client.ofType("error").constFirst();
    QCOMPARE(error.value(kCode).toString(), code);
    QCOMPARE(error.value(kId), id);
    QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());

    // Still usable: a ping gets its pong, a good command reaches the owner.
    client.send(R"({"type":"ping","id":"p1"})"
                "\n"
                R"({"type":"command","id":"ok","op":"resume","node":"slave-2"})"
                "\n");
    QVERIFY(client.waitFor("pong"));
    QCOMPARE(client.ofType("pong").constFirst().value(kId).toString(), QStringLiteral("p1"));
    QTRY_COMPARE(commands.size(), 1);
    QCOMPARE(commands.at(0).at(2).toJsonObject().value(kId).toString(), QStringLiteral("ok"));
    QVERIFY(!client.isClosed());
    QCOMPARE(client.ofType("error").size(), 1);
    QCOMPARE(server->clientCount(), 1);
}

void TestBridgeServer::pingWithoutId()
{
    auto server = startServer();
    QVERIFY(server);
    RawBridgeClient client;
    QVERIFY(client.handshake(m_port, m_token) > 0);
    client.send("{\"type\":\"ping\"}\n");
    QVERIFY(client.waitFor("pong"));
    QVERIFY(client.ofType("pong").constFirst().value(kId).isNull());
}

void TestBridgeServer::lineAtLimitIsAccepted()
{
    const qsizetype limit = 1024;
    auto server = startServer({.lineLimit = limit});
    QVERIFY(server);
    QSignalSpy commands(server.get(), &BridgeServer::commandReceived);
    RawBridgeClient client;
    QVERIFY(client.handshake(m_port, m_token) > 0);

    const QByteArray head = R"({"type":"command","id":"big","op":"drain","reason":")";
    const QByteArray tail = "\"}";
    const QByteArray line = head + QByteArray(limit - head.size() - tail.size(), 'r') + tail;
    QCOMPARE(line.size(), limit);
    client.send(line + "\r\n");
    QVERIFY(commands.wait());
    QCOMPARE(commands.at(0).at(2).toJsonObject().value(kId).toString(), QStringLiteral("big"));
    QVERIFY(!client.isClosed());
}

void TestBridgeServer::oversizeLineClosesOnlyThatClient()
{
    auto server = startServer({.lineLimit = 1024});
    QVERIFY(server);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);
    RawBridgeClient bystander;
    QVERIFY(bystander.handshake(m_port, m_token) > 0);
    RawBridgeClient flooder;
    const quint64 flooderId = flooder.handshake(m_port, m_token);
    QVERIFY(flooderId > 0);

    // 4 MiB with no newline: closed after the first KiB, nothing of it is buffered.
    flooder.send(QByteArray(4 << 20, 'x'));
    QVERIFY(flooder.waitForClose());
    const QList<QJsonObject> errors = flooder.ofType("error");
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.constFirst().value(kCode).toString(), QStringLiteral("line_too_long"));
    QTRY_COMPARE(left.size(), 1);
    QCOMPARE(left.at(0).at(0).value<quint64>(), flooderId);

    for (int i = 1; i <= 3; ++i)
        server->publishSnapshot(snapshotWithNodes(i, 1));
    QVERIFY(bystander.waitFor("snapshot", 3));
    bystander.send("{\"type\":\"ping\",\"id\":\"p\"}\n");
    QVERIFY(bystander.waitFor("pong"));
    QVERIFY(!bystander.isClosed());
    QCOMPARE(server->clientCount(), 1);
}

void TestBridgeServer::truncatedLineThenDisconnect()
{
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy commands(server.get(), &BridgeServer::commandReceived);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);
    {
        RawBridgeClient client;
        const quint64 id = client.handshake(m_port, m_token);
        QVERIFY(id > 0);
        client.send(R"({"type":"command","id":"1","op":"dra)");
        QVERIFY(client.socket().waitForBytesWritten(5000));
        client.socket().disconnectFromHost();
        QVERIFY(left.wait());
        QCOMPARE(left.at(0).at(0).value<quint64>(), id);
    }
    QCOMPARE(commands.size(), 0);
    QCOMPARE(server->clientCount(), 0);
    server->publishSnapshot(snapshotWithNodes(1, 1)); // nothing to write to, nothing breaks
    server->reply(1, QStringLiteral("1"), {});

    RawBridgeClient next;
    QVERIFY(next.handshake(m_port, m_token) > 0);
    QVERIFY(next.waitFor("snapshot"));
}

void TestBridgeServer::commandsAndReplies()
{
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy commands(server.get(), &BridgeServer::commandReceived);
    RawBridgeClient alice;
    const quint64 aliceId = alice.handshake(m_port, m_token, QStringLiteral("alice-cli"));
    QVERIFY(aliceId > 0);
    RawBridgeClient bob;
    const quint64 bobId = bob.handshake(m_port, m_token, QStringLiteral("bob.console"));
    QVERIFY(bobId > 0);

    const QJsonObject drain{{kType, QLatin1String("command")},
                            {kId, QLatin1String("c1")},
                            {QLatin1String("op"), QLatin1String("drain")},
                            {QLatin1String("node"), QLatin1String("slave-2")},
                            {QLatin1String("reason"), QLatin1String("disk swap")}};
    alice.send(QJsonDocument(drain).toJson(QJsonDocument::Compact) + '\n');
    QVERIFY(commands.wait());
    QCOMPARE(commands.at(0).at(0).value<quint64>(), aliceId);
    QCOMPARE(commands.at(0).at(1).toString(), QStringLiteral("alice-cli"));
    QCOMPARE(commands.at(0).at(2).toJsonObject(), drain);

    const QJsonObject result{{QLatin1String("node"), QLatin1String("slave-2")},
                             {QLatin1String("state"), QLatin1String("DRAINING")}};
    server->reply(aliceId, QStringLiteral("c1"), result);
    server->replyError(aliceId, QStringLiteral("c2"), QStringLiteral("unknown_node"),
                       QStringLiteral("no node called slave-9"));
    QVERIFY(alice.waitFor("error"));
    QCOMPARE(alice.ofType("ack").size(), 1);
    QCOMPARE(alice.ofType("ack").constFirst(), QJsonObject({{kType, QLatin1String("ack")},
                                                            {kId, QLatin1String("c1")},
                                                            {QLatin1String("result"), result}}));
    const QJsonObject error = alice.ofType("error").constFirst();
    QCOMPARE(error.value(kId).toString(), QStringLiteral("c2"));
    QCOMPARE(error.value(kCode).toString(), QStringLiteral("unknown_node"));
    QCOMPARE(error.value(QLatin1String("message")).toString(),
             QStringLiteral("no node called slave-9"));

    // Bob saw none of it: his ping's pong is the first thing after his welcome.
    bob.send("{\"type\":\"ping\",\"id\":\"b\"}\n");
    QVERIFY(bob.waitFor("pong"));
    QCOMPARE(bob.messages().size(), 2);

    // Replies to a client that has gone, or never was, are dropped quietly.
    server->reply(9999, QStringLiteral("c1"), result);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);
    bob.socket().disconnectFromHost();
    QVERIFY(left.wait());
    server->reply(bobId, QStringLiteral("x"), result);
    QCOMPARE(server->clientCount(), 1);
}

void TestBridgeServer::eventsReachAuthenticatedClientsOnly()
{
    auto server = startServer();
    QVERIFY(server);
    RawBridgeClient member;
    QVERIFY(member.handshake(m_port, m_token) > 0);
    RawBridgeClient stranger; // connected, no hello yet
    QVERIFY(stranger.connectTo(m_port));
    QTRY_VERIFY(server->clientCount() == 1);

    for (int n = 0; n < 5; ++n)
        server->publishEvent(stateEvent(n));
    QVERIFY(member.waitFor("event", 5));
    for (int n = 0; n < 5; ++n)
        QCOMPARE(member.ofType("event").at(n).value(QLatin1String("event")).toObject(),
                 stateEvent(n));

    stranger.sendHello(m_token);
    QVERIFY(stranger.waitFor("welcome"));
    stranger.send("{\"type\":\"ping\",\"id\":\"s\"}\n");
    QVERIFY(stranger.waitFor("pong"));
    QVERIFY(stranger.ofType("event").isEmpty());
}

void TestBridgeServer::sixteenClientsSeeEverySnapshotInOrder()
{
    constexpr int kClients = 16;
    constexpr int kSnapshots = 40;
    auto server = startServer();
    QVERIFY(server);
    std::vector<std::unique_ptr<RawBridgeClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<RawBridgeClient>());
        QVERIFY(clients.back()->connectTo(m_port));
    }
    for (int i = 0; i < kClients; ++i)
        clients[i]->sendHello(m_token, QStringLiteral("client-%1").arg(i));
    for (auto &client : clients)
        QVERIFY(client->waitFor("welcome"));
    QCOMPARE(server->clientCount(), kClients);

    for (int seq = 1; seq <= kSnapshots; ++seq) {
        server->publishSnapshot(snapshotWithNodes(seq, 4));
        if (seq % 10 == 0)
            server->publishEvent(stateEvent(seq));
    }
    for (auto &client : clients) {
        QVERIFY(client->waitFor("snapshot", kSnapshots));
        const QList<QJsonObject> snapshots = client->ofType("snapshot");
        QCOMPARE(snapshots.size(), kSnapshots);
        for (int i = 0; i < kSnapshots; ++i)
            QCOMPARE(sequenceOf(snapshots.at(i)), std::int64_t(i + 1));
        QVERIFY(client->waitFor("event", kSnapshots / 10));
        QCOMPARE(client->unparsedLines(), 0);
    }
    QCOMPARE(server->droppedSnapshots(), 0);
}

void TestBridgeServer::slowClientCostsBoundedMemory()
{
    const qint64 limit = 64 * 1024;
    auto server = startServer({.clientBufferLimit = limit});
    QVERIFY(server);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);

    RawBridgeClient fast;
    const quint64 fastId = fast.handshake(m_port, m_token, QStringLiteral("fast"));
    QVERIFY(fastId > 0);
    RawBridgeClient slow;
    const quint64 slowId = slow.handshake(m_port, m_token, QStringLiteral("slow"));
    QVERIFY(slowId > 0);
    slow.stopReading();

    // Publish until the kernel buffers are full and the slow client has skipped a few; a
    // bounded number of rounds (each the size of a 30-node cluster).
    const QJsonObject probe = snapshotWithNodes(0, 30);
    const qint64 lineSize = BridgeMessage::snapshot(probe).size();
    QVERIFY(lineSize > 8 * 1024);
    int published = 0;
    qint64 maxPending = 0;
    while (server->droppedSnapshots(slowId) < 10 && published < 4000) {
        ++published;
        server->publishSnapshot(snapshotWithNodes(published, 30));
        maxPending = std::max(maxPending, server->pendingBytes(slowId));
        QVERIFY2(server->pendingBytes(slowId) <= limit + lineSize,
                 qPrintable(QString::number(server->pendingBytes(slowId))));
        // Let the fast one keep up (this is what keeps it from being dropped too).
        QVERIFY(fast.waitFor("snapshot", published));
    }
    QVERIFY2(server->droppedSnapshots(slowId) >= 10,
             qPrintable(QStringLiteral("no drops after %1 snapshots").arg(published)));
    qInfo("published %d snapshots of %lld bytes; slow client skipped %lld, at most %lld unsent",
          published, lineSize, server->droppedSnapshots(slowId), maxPending);
    QVERIFY(maxPending > limit); // it really was behind
    QCOMPARE(server->droppedSnapshots(fastId), 0);
    QCOMPARE(server->droppedSnapshots(), server->droppedSnapshots(slowId));
    const QList<QJsonObject> seen = fast.ofType("snapshot");
    QCOMPARE(seen.size(), published);
    for (int i = 0; i < published; ++i)
        QCOMPARE(sequenceOf(seen.at(i)), std::int64_t(i + 1));
    QVERIFY(!slow.isClosed());
    QCOMPARE(left.size(), 0);
    QCOMPARE(server->tooSlowClosures(), 0); // skipped snapshots do not count

    // Events are not dropped: a few more and the slow client is closed as too slow, while
    // the fast one gets every event.
    int events = 0;
    while (left.isEmpty() && events < 100) {
        server->publishEvent(probe);
        ++events;
        QVERIFY(server->pendingBytes(slowId) <= 2 * limit + lineSize);
        QVERIFY(fast.waitFor("event", events));
    }
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.at(0).at(0).value<quint64>(), slowId);
    QCOMPARE(server->tooSlowClosures(), 1); // what /metrics counts (issue 17)
    QVERIFY(events > 1);
    QVERIFY(fast.waitFor("event", events));
    QCOMPARE(server->clientCount(), 1);
    QCOMPARE(server->pendingBytes(slowId), 0);
    server->publishSnapshot(snapshotWithNodes(published + 1, 30));
    QVERIFY(fast.waitFor("snapshot", published + 1));
    QVERIFY(!fast.isClosed());
}

void TestBridgeServer::tooManyClients()
{
    // maxClients counts authenticated clients (connections still to say hello have quotas of
    // their own, tst_bridgeflood): one more is refused at its hello.
    auto server = startServer({.maxClients = 2});
    QVERIFY(server);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);
    RawBridgeClient first;
    QVERIFY(first.handshake(m_port, m_token) > 0);
    RawBridgeClient second;
    QVERIFY(second.connectTo(m_port));
    RawBridgeClient third;
    QVERIFY(third.connectTo(m_port));
    second.sendHello(m_token);
    QVERIFY(second.waitFor("welcome"));

    third.sendHello(m_token);
    QVERIFY(third.waitForClose());
    QCOMPARE(third.messages().size(), 1);
    QCOMPARE(third.messages().constFirst().value(kCode).toString(),
             QStringLiteral("too_many_clients"));
    QCOMPARE(server->clientCount(), 2);

    // Once one leaves there is room again.
    second.socket().disconnectFromHost();
    QVERIFY(left.wait());
    RawBridgeClient fourth;
    QVERIFY(fourth.handshake(m_port, m_token) > 0);
    QCOMPARE(server->clientCount(), 2);
    QVERIFY(!first.isClosed());
}

QTEST_GUILESS_MAIN(TestBridgeServer)
#include "tst_bridgeserver.moc"
