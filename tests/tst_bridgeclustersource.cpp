// The console's link to the monitor, against a fake monitor on loopback: it connects and
// delivers snapshots, events, answers and round trips; a wrong token, garbage from the server,
// a dropped connection and a monitor that is gone for a while all end in a scheduled retry with
// growing back-off, and a monitor that comes back (also restarted with a new port and token,
// found through the state file) is connected again without anyone asking.
#include "cluster/statefile.h"
#include "consolemodel/bridgeclustersource.h"
#include "fakemonitor.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::consolemodel;
using starling::testing::FakeMonitor;

namespace {

const QByteArray kToken(64, 'a');

BridgeClusterSource::Timing fastTiming()
{
    BridgeClusterSource::Timing t;
    t.firstRetryMs = 50;
    t.maxRetryMs = 400;
    t.pingMs = 100;
    t.handshakeMs = 2000;
    return t;
}

BridgeEndpoint endpointOf(const FakeMonitor &monitor, const QByteArray &token = kToken)
{
    return {QStringLiteral("127.0.0.1"), monitor.port(), token, QString()};
}

QJsonObject snapshotJson(int slaves, int seq)
{
    QJsonArray nodes;
    nodes.append(QJsonObject{{QStringLiteral("rank"), 0},
                             {QStringLiteral("name"), QStringLiteral("master")},
                             {QStringLiteral("role"), QStringLiteral("master")}});
    nodes.append(QJsonObject{{QStringLiteral("rank"), 1},
                             {QStringLiteral("name"), QStringLiteral("monitor")},
                             {QStringLiteral("role"), QStringLiteral("monitor")}});
    for (int i = 0; i < slaves; ++i)
        nodes.append(QJsonObject{{QStringLiteral("rank"), 2 + i},
                                 {QStringLiteral("name"), QStringLiteral("slave-%1").arg(2 + i)},
                                 {QStringLiteral("role"), QStringLiteral("slave")},
                                 {QStringLiteral("state"), QStringLiteral("ACTIVE")},
                                 {QStringLiteral("load"), 0.5 * i}});
    return {{QStringLiteral("seq"), seq},
            {QStringLiteral("time_ms"), 1700000000000.0 + seq},
            {QStringLiteral("nodes"), nodes}};
}

} // namespace

class TestBridgeClusterSource : public QObject
{
    Q_OBJECT

private slots:
    void deliversSnapshotsEventsAnswersAndRoundTrips()
    {
        FakeMonitor monitor(kToken);
        QVERIFY(monitor.listen());
        BridgeClusterSource source(fixedEndpoint(endpointOf(monitor)),
                                   QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        QSignalSpy links(&source, &ClusterSource::linkStateChanged);
        QSignalSpy snapshots(&source, &ClusterSource::snapshotReceived);
        QSignalSpy events(&source, &ClusterSource::eventReceived);
        QSignalSpy answers(&source, &ClusterSource::commandAnswered);
        QSignalSpy rtts(&source, &ClusterSource::roundTripMeasured);
        source.start();
        QTRY_COMPARE(source.linkState(), LinkState::Connected);
        QCOMPARE(links.first().at(0).value<LinkState>(), LinkState::Connecting);

        monitor.sendSnapshot(snapshotJson(16, 7));
        QTRY_COMPARE(snapshots.size(), 1);
        const auto snapshot = snapshots.first().at(0).value<cluster::ClusterSnapshot>();
        QCOMPARE(snapshot.sequence, 7);
        QCOMPARE(int(snapshot.nodes.size()), 18);
        QCOMPARE(snapshot.nodes.back().name, QStringLiteral("slave-17"));

        monitor.sendEvent({{QStringLiteral("kind"), QStringLiteral("node_down")},
                           {QStringLiteral("node"), QStringLiteral("slave-3")}});
        QTRY_COMPARE(events.size(), 1);
        QCOMPARE(events.first().at(0).toJsonObject().value(u"node").toString(),
                 QStringLiteral("slave-3"));

        const QString id = source.sendCommand({{QStringLiteral("op"), QStringLiteral("drain")},
                                               {QStringLiteral("node"), QStringLiteral("slave-3")},
                                               {QStringLiteral("reason"), QStringLiteral("disk")}});
        QTRY_COMPARE(answers.size(), 1);
        QCOMPARE(answers.first().at(0).toString(), id);
        QCOMPARE(answers.first().at(1).toBool(), true);
        // The history requests after the first snapshot aside (their answers are the fetch's).
        QList<QJsonObject> operatorCommands;
        for (const QJsonObject &c : monitor.commands()) {
            if (!bridge::HistoryRequest::isHistoryRequest(c))
                operatorCommands.append(c);
        }
        QCOMPARE(operatorCommands.size(), 1);
        QCOMPARE(operatorCommands.first().value(u"op").toString(), QStringLiteral("drain"));
        QCOMPARE(operatorCommands.first().value(u"reason").toString(), QStringLiteral("disk"));

        monitor.answer = [](const QJsonObject &) {
            return QJsonObject{{QStringLiteral("code"), QStringLiteral("bad_state")},
                               {QStringLiteral("message"), QStringLiteral("slave-3 is DRAINING")}};
        };
        source.sendCommand({{QStringLiteral("op"), QStringLiteral("drain")},
                            {QStringLiteral("node"), QStringLiteral("slave-3")}});
        QTRY_COMPARE(answers.size(), 2);
        QCOMPARE(answers.at(1).at(1).toBool(), false);
        QCOMPARE(answers.at(1).at(3).toString(), QStringLiteral("bad_state"));
        QCOMPARE(answers.at(1).at(4).toString(), QStringLiteral("slave-3 is DRAINING"));

        QTRY_VERIFY(!rtts.isEmpty());
        QVERIFY(rtts.first().at(0).toLongLong() >= 0);
        source.stop();
        QCOMPARE(source.linkState(), LinkState::Disconnected);
    }

    void wrongTokenRetriesWithGrowingBackoff()
    {
        FakeMonitor monitor(kToken);
        QVERIFY(monitor.listen());
        BridgeClusterSource source(fixedEndpoint(endpointOf(monitor, QByteArray(64, 'b'))),
                                   QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        QSignalSpy links(&source, &ClusterSource::linkStateChanged);
        source.start();
        QTRY_VERIFY(monitor.helloCount() >= 3);
        QCOMPARE(monitor.welcomedCount(), 0);
        QTRY_VERIFY(std::any_of(links.begin(), links.end(), [](const QList<QVariant> &s) {
            return s.at(0).value<LinkState>() == LinkState::Disconnected &&
                   s.at(1).toString().contains(QLatin1String("wrong token"));
        }));
        // 50, 100, 200, 400, 400 ms...
        QTRY_COMPARE(source.nextRetryMs(), 400);
        QVERIFY(source.linkState() != LinkState::Connected);
    }

    void commandWithoutConnectionIsNotConnected()
    {
        FakeMonitor monitor(kToken);
        QVERIFY(monitor.listen());
        const quint16 port = monitor.port();
        monitor.stopListening();
        BridgeClusterSource source(
            fixedEndpoint({QStringLiteral("127.0.0.1"), port, kToken, QString()}),
            QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        QSignalSpy answers(&source, &ClusterSource::commandAnswered);
        source.start();
        const QString id =
            source.sendCommand({{QStringLiteral("op"), QStringLiteral("resume")},
                                {QStringLiteral("node"), QStringLiteral("slave-2")}});
        QTRY_COMPARE(answers.size(), 1);
        QCOMPARE(answers.first().at(0).toString(), id);
        QCOMPARE(answers.first().at(1).toBool(), false);
        QCOMPARE(answers.first().at(3).toString(), QStringLiteral("not_connected"));
    }

    void commandCutOffByADisconnectIsAnswered()
    {
        FakeMonitor monitor(kToken);
        QVERIFY(monitor.listen());
        monitor.answer = [](const QJsonObject &) {
            return QJsonObject{{QStringLiteral("silent"), true}};
        };
        BridgeClusterSource source(fixedEndpoint(endpointOf(monitor)),
                                   QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        QSignalSpy answers(&source, &ClusterSource::commandAnswered);
        source.start();
        QTRY_COMPARE(source.linkState(), LinkState::Connected);
        const QString id =
            source.sendCommand({{QStringLiteral("op"), QStringLiteral("drain")},
                                {QStringLiteral("node"), QStringLiteral("slave-2")}});
        QTRY_COMPARE(monitor.commands().size(), 1);
        QVERIFY(answers.isEmpty());
        monitor.dropAll();
        QTRY_COMPARE(answers.size(), 1);
        QCOMPARE(answers.first().at(0).toString(), id);
        QCOMPARE(answers.first().at(3).toString(), QStringLiteral("not_connected"));
        QVERIFY(answers.first().at(4).toString().contains(QLatin1String("may have been")));
    }

    void garbageFromTheServerDropsAndReconnects_data()
    {
        QTest::addColumn<QByteArray>("garbage");
        QTest::newRow("not json") << QByteArray("}}}not json{{{\n");
        QTest::newRow("not an object") << QByteArray("[1,2,3]\n");
        QTest::newRow("binary") << QByteArray("\x00\xff\xfe\x01\n", 5);
    }

    void garbageFromTheServerDropsAndReconnects()
    {
        QFETCH(QByteArray, garbage);
        FakeMonitor monitor(kToken);
        QVERIFY(monitor.listen());
        BridgeClusterSource source(fixedEndpoint(endpointOf(monitor)),
                                   QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        QSignalSpy links(&source, &ClusterSource::linkStateChanged);
        QSignalSpy snapshots(&source, &ClusterSource::snapshotReceived);
        source.start();
        QTRY_COMPARE(source.linkState(), LinkState::Connected);
        monitor.sendToAll(garbage);
        QTRY_VERIFY(std::any_of(links.begin(), links.end(), [](const QList<QVariant> &s) {
            return s.at(0).value<LinkState>() == LinkState::Disconnected;
        }));
        QTRY_VERIFY(monitor.helloCount() >= 2);
        QTRY_COMPARE(source.linkState(), LinkState::Connected);
        monitor.sendSnapshot(snapshotJson(2, 1));
        QTRY_COMPARE(snapshots.size(), 1);
    }

    void monitorGoneForAWhileIsFoundAgain()
    {
        FakeMonitor monitor(kToken);
        QVERIFY(monitor.listen());
        const quint16 port = monitor.port();
        BridgeClusterSource source(fixedEndpoint(endpointOf(monitor)),
                                   QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        source.start();
        QTRY_COMPARE(source.linkState(), LinkState::Connected);
        monitor.stopListening();
        monitor.dropAll();
        QTRY_COMPARE(source.linkState(), LinkState::Disconnected);
        QTRY_COMPARE(source.nextRetryMs(), 400); // it kept trying, backing off
        QVERIFY(monitor.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(source.linkState(), LinkState::Connected, 5000);
        QCOMPARE(source.nextRetryMs(), 50); // a welcome resets the back-off
    }

    void restartedClusterIsFoundThroughTheStateFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("cluster.json"));
        const auto writeState = [&](const FakeMonitor &m) {
            cluster::ClusterStateFile s;
            s.masterUrl = QStringLiteral("http://127.0.0.1:1");
            s.bridgeHost = QStringLiteral("127.0.0.1");
            s.bridgePort = m.port();
            s.token = QString::fromLatin1(m.token());
            s.runDir = dir.path();
            return bool(cluster::writeStateFile(path, s));
        };
        BridgeClusterSource source(endpointFromStateFile(path), QStringLiteral("console-test"));
        source.setTiming(fastTiming());
        QSignalSpy links(&source, &ClusterSource::linkStateChanged);
        source.start(); // no state file yet: retries, saying why
        QTRY_VERIFY(!links.isEmpty());
        QCOMPARE(links.first().at(0).value<LinkState>(), LinkState::Disconnected);

        auto first = std::make_unique<FakeMonitor>(kToken);
        QVERIFY(first->listen());
        QVERIFY(writeState(*first));
        QTRY_COMPARE_WITH_TIMEOUT(source.linkState(), LinkState::Connected, 5000);

        // The cluster restarts: new port, new token.
        first.reset();
        FakeMonitor second(QByteArray(64, 'c'));
        QVERIFY(second.listen());
        QVERIFY(writeState(second));
        QTRY_COMPARE(second.welcomedCount(), 1);
        QTRY_COMPARE(source.linkState(), LinkState::Connected);
    }

    void connectArguments_data()
    {
        QTest::addColumn<QString>("hostPort");
        QTest::addColumn<QByteArray>("tokenFile"); // contents; "-" = no such file
        QTest::addColumn<QString>("error");        // empty = accepted
        const QByteArray good(64, 'f');
        QTest::newRow("good") << "127.0.0.1:7070" << good << "";
        QTest::newRow("token with newline") << "localhost:1" << good + "\n"
                                            << "";
        QTest::newRow("ipv6") << "[::1]:7070" << good << "";
        QTest::newRow("no port") << "127.0.0.1" << good << "HOST:PORT";
        QTest::newRow("port 0") << "127.0.0.1:0" << good << "HOST:PORT";
        QTest::newRow("port too big") << "127.0.0.1:70000" << good << "HOST:PORT";
        QTest::newRow("port not a number") << "127.0.0.1:http" << good << "HOST:PORT";
        QTest::newRow("no host") << ":7070" << good << "HOST:PORT";
        QTest::newRow("missing token file")
            << "127.0.0.1:7070" << QByteArray("-") << "cannot read the token file";
        QTest::newRow("short token")
            << "127.0.0.1:7070" << QByteArray(63, 'f') << "64 hex characters";
        QTest::newRow("not hex") << "127.0.0.1:7070" << QByteArray(64, 'z') << "64 hex characters";
        QTest::newRow("empty token file") << "127.0.0.1:7070" << QByteArray() << "64 hex";
        QTest::newRow("oversized token file")
            << "127.0.0.1:7070" << QByteArray(5000, 'a') << "larger than 4 KiB";
    }

    void connectArguments()
    {
        QFETCH(QString, hostPort);
        QFETCH(QByteArray, tokenFile);
        QFETCH(QString, error);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("token"));
        if (tokenFile != "-") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(tokenFile);
        }
        const auto parsed = parseConnectArguments(hostPort, path);
        if (error.isEmpty()) {
            QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
            QCOMPARE(parsed->token, tokenFile.trimmed());
            QVERIFY(parsed->port > 0);
        } else {
            QVERIFY(!parsed);
            QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
            QVERIFY(!parsed.error().contains(u'\n'));
        }
    }
};

QTEST_GUILESS_MAIN(TestBridgeClusterSource)
#include "tst_bridgeclustersource.moc"
