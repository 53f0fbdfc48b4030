// BridgeClient against a real BridgeServer on 127.0.0.1 (welcome, snapshots, events, commands,
// pings, refusals) and against a scripted fake server that answers the hello with garbage.
#include "bridge/bridgeclient.h"
#include "bridge/bridgeserver.h"
#include "bridge/bridgetoken.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace starling;
using namespace starling::bridge;

namespace {

const QString kLocalHost = QStringLiteral("127.0.0.1");

QJsonObject snapshot(int sequence)
{
    return {{QLatin1String("seq"), sequence},
            {QLatin1String("strategy"), QLatin1String("pdds")},
            {QLatin1String("nodes"), QJsonArray()}};
}

QJsonObject taskEvent(int n)
{
    return {{QLatin1String("kind"), QLatin1String("task_done")}, {QLatin1String("task"), n}};
}

// Accepts one connection, waits for its first line (the hello) and answers with a script.
class FakeBridge
{
public:
    explicit FakeBridge(QByteArray script) : m_script(std::move(script))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                m_received += socket->readAll();
                if (!m_answered && m_received.contains('\n')) {
                    m_answered = true;
                    socket->write(m_script);
                }
            });
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    const QByteArray &received() const { return m_received; }

private:
    QTcpServer m_server;
    QByteArray m_script;
    QByteArray m_received;
    bool m_answered = false;
};

QByteArray welcomeLine(int protocol = 1)
{
    return QByteArrayLiteral(R"({"type":"welcome","protocol":)") + QByteArray::number(protocol) +
           QByteArrayLiteral(R"(,"server":"fake","client_id":5})") + '\n';
}

QByteArray snapshotLine(int sequence)
{
    return QJsonDocument(QJsonObject{{QLatin1String("type"), QLatin1String("snapshot")},
                                     {QLatin1String("snapshot"), snapshot(sequence)}})
               .toJson(QJsonDocument::Compact) +
           '\n';
}

} // namespace

class TestBridgeClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void welcomedAndStreams();
    void commandRoundTrip();
    void commandsBeforeWelcomeAreQueued();
    void commandWithoutConnection();
    void pingPong();
    void wrongToken();
    void connectionRefused();
    void invalidClientName();
    void serverShutsDown();
    void noWelcomeInTime();
    void garbageFromServer_data();
    void garbageFromServer();
    void unknownTypesAreIgnored();
    void slotMayDeleteTheClient_data();
    void slotMayDeleteTheClient();
    void reconnect();

private:
    std::unique_ptr<BridgeServer> startServer();

    QByteArray m_token;
    quint16 m_port = 0;
};

void TestBridgeClient::init()
{
    m_token = BridgeToken::generate();
    m_port = 0;
}

std::unique_ptr<BridgeServer> TestBridgeClient::startServer()
{
    auto server = std::make_unique<BridgeServer>(BridgeServer::Config{m_token});
    const Expected<quint16> port = server->listen(QHostAddress::LocalHost, 0);
    m_port = port ? *port : 0;
    return port ? std::move(server) : nullptr;
}

void TestBridgeClient::welcomedAndStreams()
{
    auto server = startServer();
    QVERIFY(server);
    server->publishSnapshot(snapshot(1));

    BridgeClient client;
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy snapshots(&client, &BridgeClient::snapshotReceived);
    QSignalSpy events(&client, &BridgeClient::eventReceived);
    QSignalSpy failed(&client, &BridgeClient::failed);
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("console@host"));
    QVERIFY(welcomed.wait());
    QVERIFY(client.isWelcomed());
    QCOMPARE(server->clientIds().size(), 1);
    QCOMPARE(welcomed.at(0).at(0).value<quint64>(), server->clientIds().constFirst());
    QCOMPARE(client.clientId(), server->clientIds().constFirst());
    QCOMPARE(server->clientName(client.clientId()), QStringLiteral("console@host"));
    QTRY_COMPARE(snapshots.size(), 1); // the latest, right after the welcome
    QCOMPARE(snapshots.at(0).at(0).toJsonObject(), snapshot(1));

    for (int i = 2; i <= 10; ++i) {
        server->publishSnapshot(snapshot(i));
        server->publishEvent(taskEvent(i));
    }
    QTRY_COMPARE(snapshots.size(), 10);
    QTRY_COMPARE(events.size(), 9);
    for (int i = 2; i <= 10; ++i) {
        QCOMPARE(snapshots.at(i - 1).at(0).toJsonObject(), snapshot(i));
        QCOMPARE(events.at(i - 2).at(0).toJsonObject(), taskEvent(i));
    }
    QCOMPARE(failed.size(), 0);

    QSignalSpy disconnected(&client, &BridgeClient::disconnected);
    QSignalSpy left(server.get(), &BridgeServer::clientLeft);
    client.disconnectFromBridge();
    QCOMPARE(disconnected.size(), 1);
    QVERIFY(left.wait());
    QCOMPARE(failed.size(), 0);
}

void TestBridgeClient::commandRoundTrip()
{
    auto server = startServer();
    QVERIFY(server);
    QList<QJsonObject> seen;
    connect(server.get(), &BridgeServer::commandReceived, this,
            [&](quint64 clientId, const QString &name, const QJsonObject &command) {
                seen.append(command);
                const QString id = command.value(QLatin1String("id")).toString();
                if (command.value(QLatin1String("op")).toString() == QLatin1String("drain")) {
                    server->reply(clientId, id,
                                  {{QLatin1String("node"), command.value(QLatin1String("node"))},
                                   {QLatin1String("by"), name}});
                } else {
                    server->replyError(clientId, id, QStringLiteral("unknown_op"),
                                       QStringLiteral("no such op"));
                }
            });

    BridgeClient client;
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy replied(&client, &BridgeClient::replied);
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("alice-cli"));
    QVERIFY(welcomed.wait());

    const QString drainId = client.sendCommand({{QLatin1String("op"), QLatin1String("drain")},
                                                {QLatin1String("node"), QLatin1String("slave-2")},
                                                {QLatin1String("reason"), QLatin1String("disk")}});
    const QString bogusId = client.sendCommand({{QLatin1String("op"), QLatin1String("explode")}});
    const QString givenId = client.sendCommand({{QLatin1String("id"), QLatin1String("mine-7")},
                                                {QLatin1String("op"), QLatin1String("x")}});
    const QString badGivenId =
        client.sendCommand({{QLatin1String("id"), 42}, {QLatin1String("op"), QLatin1String("x")}});
    QVERIFY(!drainId.isEmpty());
    QVERIFY(drainId != bogusId);
    QCOMPARE(givenId, QStringLiteral("mine-7"));
    QVERIFY(!badGivenId.isEmpty() && badGivenId != QStringLiteral("42"));

    QTRY_COMPARE(replied.size(), 4);
    QCOMPARE(replied.at(0).at(0).toString(), drainId);
    QCOMPARE(replied.at(0).at(1).toBool(), true);
    QCOMPARE(replied.at(0).at(2).toJsonObject(),
             QJsonObject({{QLatin1String("node"), QLatin1String("slave-2")},
                          {QLatin1String("by"), QLatin1String("alice-cli")}}));
    QCOMPARE(replied.at(1).at(0).toString(), bogusId);
    QCOMPARE(replied.at(1).at(1).toBool(), false);
    QCOMPARE(replied.at(1).at(3).toString(), QStringLiteral("unknown_op"));
    QCOMPARE(replied.at(1).at(4).toString(), QStringLiteral("no such op"));
    QCOMPARE(replied.at(2).at(0).toString(), givenId);
    QCOMPARE(replied.at(3).at(0).toString(), badGivenId);

    QCOMPARE(seen.size(), 4);
    QCOMPARE(seen.at(0).value(QLatin1String("type")).toString(), QStringLiteral("command"));
    QCOMPARE(seen.at(0).value(QLatin1String("reason")).toString(), QStringLiteral("disk"));
}

void TestBridgeClient::commandsBeforeWelcomeAreQueued()
{
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy commands(server.get(), &BridgeServer::commandReceived);
    BridgeClient client;
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("early"));
    const QString id = client.sendCommand({{QLatin1String("op"), QLatin1String("resume")}});
    QVERIFY(commands.wait());
    QCOMPARE(commands.at(0).at(2).toJsonObject().value(QLatin1String("id")).toString(), id);
}

void TestBridgeClient::commandWithoutConnection()
{
    BridgeClient client;
    QSignalSpy replied(&client, &BridgeClient::replied);
    const QString id = client.sendCommand({{QLatin1String("op"), QLatin1String("drain")}});
    QCOMPARE(replied.size(), 0); // not from inside sendCommand: the caller gets the id first
    QVERIFY(replied.wait());
    QCOMPARE(replied.at(0).at(0).toString(), id);
    QCOMPARE(replied.at(0).at(1).toBool(), false);
    QCOMPARE(replied.at(0).at(3).toString(), QStringLiteral("not_connected"));
}

void TestBridgeClient::pingPong()
{
    auto server = startServer();
    QVERIFY(server);
    BridgeClient client;
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy ponged(&client, &BridgeClient::ponged);
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("pinger"));
    QVERIFY(welcomed.wait());
    client.ping();
    client.ping();
    QTRY_COMPARE(ponged.size(), 2);
    QVERIFY(ponged.at(0).at(0).toString() != ponged.at(1).at(0).toString());
    QVERIFY(ponged.at(0).at(1).toLongLong() >= 0);
}

void TestBridgeClient::wrongToken()
{
    auto server = startServer();
    QVERIFY(server);
    BridgeClient client;
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy failed(&client, &BridgeClient::failed);
    QSignalSpy disconnected(&client, &BridgeClient::disconnected);
    client.connectToBridge(kLocalHost, m_port, BridgeToken::generate(), QStringLiteral("mallory"));
    QVERIFY(failed.wait());
    QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("unauthorized")),
             qPrintable(failed.at(0).at(0).toString()));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(welcomed.size(), 0);
    QVERIFY(!client.isWelcomed());
    QCOMPARE(server->clientCount(), 0);
}

void TestBridgeClient::connectionRefused()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe; // a port that was free a moment ago and now has no listener
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    BridgeClient client;
    QSignalSpy failed(&client, &BridgeClient::failed);
    QSignalSpy disconnected(&client, &BridgeClient::disconnected);
    client.connectToBridge(kLocalHost, closedPort, m_token, QStringLiteral("cli"));
    QVERIFY(failed.wait());
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains(QString::number(closedPort)), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(message));
    QCoreApplication::processEvents(); // anything queued behind failed() has run now
    QCOMPARE(disconnected.size(), 0);  // there never was a connection
    QCOMPARE(failed.size(), 1);
}

void TestBridgeClient::invalidClientName()
{
    BridgeClient client;
    QSignalSpy failed(&client, &BridgeClient::failed);
    client.connectToBridge(kLocalHost, 1, m_token, QStringLiteral("has space"));
    QVERIFY(failed.wait());
    QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("client name")));
}

void TestBridgeClient::serverShutsDown()
{
    auto server = startServer();
    QVERIFY(server);
    BridgeClient client;
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy failed(&client, &BridgeClient::failed);
    QSignalSpy disconnected(&client, &BridgeClient::disconnected);
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("console"));
    QVERIFY(welcomed.wait());
    server->close();
    QVERIFY(failed.wait());
    QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("shutting_down")),
             qPrintable(failed.at(0).at(0).toString()));
    QTRY_COMPARE(disconnected.size(), 1);
    QVERIFY(!client.isWelcomed());
}

void TestBridgeClient::noWelcomeInTime()
{
    FakeBridge silent{QByteArray()}; // reads the hello, never answers
    QVERIFY(silent.listen());
    BridgeClient client;
    client.setHandshakeTimeout(200);
    QSignalSpy failed(&client, &BridgeClient::failed);
    QSignalSpy disconnected(&client, &BridgeClient::disconnected);
    client.connectToBridge(kLocalHost, silent.port(), m_token, QStringLiteral("cli"));
    QVERIFY(failed.wait());
    QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("no welcome")),
             qPrintable(failed.at(0).at(0).toString()));
    QTRY_COMPARE(disconnected.size(), 1);
    // The hello went out with the token (to this server, which the caller chose).
    QVERIFY(silent.received().contains(R"("type":"hello")"));
    QVERIFY(silent.received().contains(m_token));
}

void TestBridgeClient::garbageFromServer_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<QString>("mentions");
    QTest::addColumn<int>("snapshotsFirst"); // snapshots delivered before the garbage

    QTest::newRow("not JSON") << welcomeLine() + snapshotLine(1) + "HTTP/1.1 400 Bad Request\n"
                              << QStringLiteral("bad data") << 1;
    QTest::newRow("binary") << welcomeLine() + QByteArray("\x00\xff\xfe\x01\n", 5)
                            << QStringLiteral("bad data") << 0;
    QTest::newRow("array") << welcomeLine() + "[1,2,3]\n" << QStringLiteral("bad data") << 0;
    QTest::newRow("no type") << welcomeLine() + "{\"snapshot\":{}}\n"
                             << QStringLiteral("bad data") << 0;
    QTest::newRow("truncated then more") << welcomeLine() + snapshotLine(1) + "{\"type\":\"snap\n"
                                         << QStringLiteral("bad data") << 1;
    QTest::newRow("line over the limit")
        << welcomeLine() + snapshotLine(1) + QByteArray(64 * 1024, 'x')
        << QStringLiteral("longer than") << 1;
    QTest::newRow("garbage instead of welcome")
        << QByteArray("SSH-2.0-OpenSSH_9.2\r\n") << QStringLiteral("bad data") << 0;
    QTest::newRow("snapshot before welcome") << snapshotLine(1) << QStringLiteral("before") << 0;
    QTest::newRow("welcome for protocol 2") << welcomeLine(2) << QStringLiteral("protocol 2") << 0;
}

void TestBridgeClient::garbageFromServer()
{
    QFETCH(QByteArray, script);
    QFETCH(QString, mentions);
    QFETCH(int, snapshotsFirst);
    FakeBridge fake{script};
    QVERIFY(fake.listen());

    BridgeClient client;
    client.setLineLimit(16 * 1024);
    QSignalSpy failed(&client, &BridgeClient::failed);
    QSignalSpy disconnected(&client, &BridgeClient::disconnected);
    QSignalSpy snapshots(&client, &BridgeClient::snapshotReceived);
    client.connectToBridge(kLocalHost, fake.port(), m_token, QStringLiteral("cli"));
    QVERIFY(failed.wait());
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains(mentions),
             qPrintable(failed.at(0).at(0).toString()));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(snapshots.size(), snapshotsFirst);
    QVERIFY(!client.isWelcomed());
}

void TestBridgeClient::unknownTypesAreIgnored()
{
    FakeBridge fake{welcomeLine() +
                    R"({"type":"notice","text":"from a newer server"})"
                    "\n" +
                    "\r\n\n" + snapshotLine(7)};
    QVERIFY(fake.listen());
    BridgeClient client;
    QSignalSpy failed(&client, &BridgeClient::failed);
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy snapshots(&client, &BridgeClient::snapshotReceived);
    client.connectToBridge(kLocalHost, fake.port(), m_token, QStringLiteral("cli"));
    QVERIFY(snapshots.wait());
    QCOMPARE(welcomed.size(), 1);
    QCOMPARE(welcomed.at(0).at(0).value<quint64>(), quint64(5));
    QCOMPARE(snapshots.at(0).at(0).toJsonObject(), snapshot(7));
    QCOMPARE(failed.size(), 0);
    QVERIFY(client.isWelcomed());
}

void TestBridgeClient::slotMayDeleteTheClient_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<QString>("signal");
    const QByteArray tail = snapshotLine(2) + "garbage\n";
    QTest::newRow("welcomed") << welcomeLine() + tail << QStringLiteral("welcomed");
    QTest::newRow("snapshotReceived")
        << welcomeLine() + snapshotLine(1) + tail << QStringLiteral("snapshotReceived");
    QTest::newRow("replied, ack") << welcomeLine() +
                                         R"({"type":"ack","id":"c1","result":{}})"
                                         "\n" +
                                         tail
                                  << QStringLiteral("replied");
    QTest::newRow("replied, error") << welcomeLine() +
                                           R"({"type":"error","id":"c1","code":"x","message":"y"})"
                                           "\n" +
                                           tail
                                    << QStringLiteral("replied");
    QTest::newRow("failed, garbage")
        << welcomeLine() + "garbage\n" + snapshotLine(1) << QStringLiteral("failed");
    QTest::newRow("failed, refused")
        << QByteArray(R"({"type":"error","id":null,"code":"unauthorized","message":"no"})"
                      "\n")
        << QStringLiteral("failed");
}

void TestBridgeClient::slotMayDeleteTheClient()
{
    // What a careless caller might do: delete the client (not deleteLater) in a slot, with more
    // lines from the server already read. Nothing may touch the client afterwards.
    QFETCH(QByteArray, script);
    QFETCH(QString, signal);
    FakeBridge fake{script};
    QVERIFY(fake.listen());
    QPointer<BridgeClient> client = new BridgeClient;
    bool deleted = false;
    const auto deleteClient = [&] {
        if (!deleted) {
            deleted = true;
            delete client.data();
        }
    };
    if (signal == QLatin1String("welcomed"))
        connect(client, &BridgeClient::welcomed, this, deleteClient);
    else if (signal == QLatin1String("snapshotReceived"))
        connect(client, &BridgeClient::snapshotReceived, this, deleteClient);
    else if (signal == QLatin1String("replied"))
        connect(client, &BridgeClient::replied, this, deleteClient);
    else
        connect(client, &BridgeClient::failed, this, deleteClient);
    client->connectToBridge(kLocalHost, fake.port(), m_token, QStringLiteral("cli"));
    QTRY_VERIFY(deleted);
    QVERIFY(client.isNull());
    QCoreApplication::processEvents(); // anything still queued for the client is dropped
}

void TestBridgeClient::reconnect()
{
    auto server = startServer();
    QVERIFY(server);
    BridgeClient client;
    QSignalSpy welcomed(&client, &BridgeClient::welcomed);
    QSignalSpy failed(&client, &BridgeClient::failed);
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("first"));
    QVERIFY(welcomed.wait());
    const quint64 firstId = client.clientId();
    client.connectToBridge(kLocalHost, m_port, m_token, QStringLiteral("second"));
    QVERIFY(welcomed.wait());
    QVERIFY(client.clientId() != firstId);
    QTRY_COMPARE(server->clientCount(), 1);
    QCOMPARE(server->clientName(client.clientId()), QStringLiteral("second"));
    QCOMPARE(failed.size(), 0);
}

QTEST_GUILESS_MAIN(TestBridgeClient)
#include "tst_bridgeclient.moc"
