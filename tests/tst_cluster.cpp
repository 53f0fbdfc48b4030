// The cluster end to end: `starling up` starts mpiexec -n 6 starling-node in a temporary run
// directory on free loopback ports; the test talks to it with the core bridge client, a raw
// socket and the CLI, stops a slave with SIGSTOP, restarts the cluster, and checks that nothing
// is left running. Every wait is on a condition with a timeout.
#include "bridge/bridgeclient.h"
#include "bridge/historypage.h"
#include "cluster/clustersnapshot.h"
#include "cluster/statefile.h"
#include "cluster/statereport.h"
#include "clusterharness.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace starling;
using cluster::ClusterSnapshot;
using cluster::NodeState;

using testing::CliResult;
using testing::processAlive;

class TestCluster final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_runDir;
    std::unique_ptr<bridge::BridgeClient> m_client;
    ClusterSnapshot m_latest;
    QJsonArray m_events;
    int m_snapshots = 0;
    std::vector<qint64> m_startedPids;

    CliResult cli(QStringList arguments, int timeoutMs = 60000)
    {
        return testing::runCli(arguments, timeoutMs);
    }

    CliResult run(QStringList arguments)
    {
        arguments << QStringLiteral("--run-dir") << m_runDir;
        return cli(arguments);
    }

    cluster::ClusterStateFile state() const
    {
        const auto read = cluster::readStateFile(cluster::stateFilePath(m_runDir));
        return read ? *read : cluster::ClusterStateFile{};
    }

    bool up()
    {
        const CliResult result =
            run({QStringLiteral("up"), QStringLiteral("--detach"), QStringLiteral("--slaves"),
                 QStringLiteral("4"), QStringLiteral("--config"),
                 m_dir.filePath(QStringLiteral("config.json")), QStringLiteral("--profile"),
                 QStringLiteral(STARLING_PROFILE), QStringLiteral("--export"),
                 m_dir.filePath(QStringLiteral("export"))});
        if (result.exitCode != 0) {
            qWarning("starling up failed: %s %s", qPrintable(result.out), qPrintable(result.err));
            return false;
        }
        const cluster::ClusterStateFile s = state();
        m_startedPids = s.nodePids;
        m_startedPids.push_back(s.mpiexecPid);
        return connectClient();
    }

    bool connectClient()
    {
        m_client = std::make_unique<bridge::BridgeClient>();
        m_snapshots = 0;
        m_latest = {};
        connect(m_client.get(), &bridge::BridgeClient::snapshotReceived, this,
                [this](const QJsonObject &s) {
                    m_latest = ClusterSnapshot::fromJson(s);
                    ++m_snapshots;
                });
        connect(m_client.get(), &bridge::BridgeClient::eventReceived, this,
                [this](const QJsonObject &e) { m_events.append(e); });
        QSignalSpy welcomed(m_client.get(), &bridge::BridgeClient::welcomed);
        const cluster::ClusterStateFile s = state();
        m_client->connectToBridge(s.bridgeHost, s.bridgePort, s.token.toLatin1(),
                                  QStringLiteral("tst-cluster"));
        return welcomed.wait(10000);
    }

    const cluster::NodeView &node(const QString &name)
    {
        static const cluster::NodeView none;
        const cluster::NodeView *n = m_latest.nodeByName(name);
        return n ? *n : none;
    }

    QString stateOf(const QString &name) { return cluster::toString(node(name).state); }

    bool sawEvent(const QString &kind, const QString &nodeName)
    {
        for (const QJsonValue &v : std::as_const(m_events)) {
            const QJsonObject e = v.toObject();
            if (e.value(QLatin1String("kind")).toString() == kind &&
                e.value(QLatin1String("node")).toString() == nodeName)
                return true;
        }
        return false;
    }

    bool allSlavesHeard()
    {
        int heard = 0;
        for (const cluster::NodeView &n : m_latest.nodes)
            heard += n.role == cluster::NodeRole::Slave && n.heartbeatAgeMs >= 0 ? 1 : 0;
        return heard == 4;
    }

    bool idle()
    {
        if (m_latest.tasksQueuedAtMaster != 0)
            return false;
        for (const cluster::NodeView &n : m_latest.nodes) {
            if (n.assigned != 0)
                return false;
        }
        return true;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runDir = m_dir.filePath(QStringLiteral("run"));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("export"))));
        QFile config(m_dir.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        // Short timeouts keep the failure-detection test quick; ports stay 0 (any free port).
        // The smallest client buffer and a history sample every 100 ms: the console's history
        // pages must be cut to fit (badBridgeInputLeavesTheClusterServing).
        config.write(R"({"heartbeat_ms": 100, "suspect_after_ms": 800, "down_after_ms": 2000,
                         "snapshot_hz": 10, "startup_timeout_s": 120,
                         "bridge_client_buffer_bytes": 65536, "history_minutes": 1,
                         "history_points": 600})");
        config.close();
        QVERIFY(up());
    }

    // `up` wrote the state file from the monitor's report in node.log (the way it works when
    // the monitor runs on another host); the token is in the state file only.
    void stateFileComesFromTheMonitorsReport()
    {
        QFile log(QDir(m_runDir).filePath(QStringLiteral("node.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QCOMPARE(text.count(cluster::StateReport::kPrefix), 1);
        const cluster::ClusterStateFile s = state();
        QVERIFY(!s.token.isEmpty());
        QVERIFY(!text.contains(s.token.toLatin1()));
        const auto reported = cluster::StateReport::find(
            QDir(m_runDir).filePath(QStringLiteral("node.log")), s.token);
        QVERIFY(reported && reported->hasValue());
        cluster::ClusterStateFile expected = reported->value();
        expected.mpiexecPid = s.mpiexecPid; // the one thing `up` adds
        QCOMPARE(s, expected);
    }

    void snapshotDescribesEveryNode()
    {
        QTRY_VERIFY_WITH_TIMEOUT(allSlavesHeard(), 15000);
        QCOMPARE(m_latest.nodes.size(), size_t(6));
        QVERIFY(node(QStringLiteral("master")).role == cluster::NodeRole::Master);
        QVERIFY(node(QStringLiteral("monitor")).role == cluster::NodeRole::Monitor);
        const cluster::ClusterStateFile s = state();
        QCOMPARE(s.nodePids.size(), size_t(6));
        std::vector<int> ranks;
        for (int rank = 2; rank < 6; ++rank) {
            const cluster::NodeView &n = node(QStringLiteral("slave-%1").arg(rank));
            QCOMPARE(cluster::toString(n.state), QStringLiteral("ACTIVE"));
            QCOMPARE(n.stats.pid, s.nodePids[size_t(rank)]);
            QVERIFY(n.stats.processRssBytes > 0);
            QVERIFY(n.stats.nodeMemTotalBytes > 0);
            QVERIFY(n.emulation.emulated); // the profile has four entries
            ranks.push_back(n.loadRank);
        }
        std::sort(ranks.begin(), ranks.end());
        QCOMPARE(ranks, (std::vector<int>{0, 1, 2, 3}));
        // The profile's second slave is twice as slow with a 10 MB/s link.
        QCOMPARE(node(QStringLiteral("slave-3")).emulation.cpuFactor, 2.0);
        QCOMPARE(node(QStringLiteral("slave-3")).emulation.linkMBps, 10.0);
        QFile log(QDir(m_runDir).filePath(QStringLiteral("node.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString text = QString::fromLocal8Bit(log.readAll());
        QVERIFY2(text.contains(QStringLiteral("rank 1 of 6")) &&
                     text.contains(QStringLiteral(": monitor")),
                 qPrintable(text));
        QVERIFY2(!text.contains(s.token), "the token must never be logged");
    }

    void statusPrintsATable()
    {
        const CliResult table = run({QStringLiteral("status")});
        QCOMPARE(table.exitCode, 0);
        for (const char *word :
             {"NODE", "STATE", "WEIGHT", "LOAD", "RANK", "HEARTBEAT", "slave-5", "ACTIVE"})
            QVERIFY2(table.out.contains(QLatin1String(word)), qPrintable(table.out));
        const CliResult json = run({QStringLiteral("status"), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject snapshot = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(snapshot.value(QLatin1String("nodes")).toArray().size(), 6);
        // No cluster in an empty run directory: exit 2 and say so.
        const CliResult none = cli({QStringLiteral("status"), QStringLiteral("--run-dir"),
                                    m_dir.filePath(QStringLiteral("nowhere"))});
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.err.contains(QStringLiteral("no cluster found")), qPrintable(none.err));
    }

    void metricsAreServed()
    {
        const QUrl url(state().metricsUrl);
        QTcpSocket socket;
        socket.connectToHost(url.host(), quint16(url.port()));
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QByteArray response;
        while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(5000))
            response += socket.readAll();
        response += socket.readAll();
        QVERIFY2(response.startsWith("HTTP/1.1 200"), response.left(200).constData());
        QVERIFY(response.contains("starling_node_state{"));
        QVERIFY(response.contains("node=\"slave-5\""));
    }

    void badBridgeInputLeavesTheClusterServing()
    {
        const cluster::ClusterStateFile s = state();
        const auto lineFrom = [](QTcpSocket &socket) -> QJsonObject {
            while (!socket.canReadLine()) {
                if (!socket.waitForReadyRead(5000))
                    return {};
            }
            return QJsonDocument::fromJson(socket.readLine()).object();
        };
        // Wrong token: an error line, then the monitor closes the connection.
        {
            QTcpSocket socket;
            socket.connectToHost(s.bridgeHost, s.bridgePort);
            QVERIFY(socket.waitForConnected(5000));
            socket.write(R"({"type":"hello","protocol":1,"client":"intruder","token":"00"})"
                         "\n");
            const QJsonObject error = lineFrom(socket);
            QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("error"));
            QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("unauthorized"));
            QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
        }
        // Garbage after a good hello: error lines, and the connection keeps working.
        QTcpSocket socket;
        socket.connectToHost(s.bridgeHost, s.bridgePort);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(QStringLiteral(R"({"type":"hello","protocol":1,"client":"raw","token":"%1"})")
                         .arg(s.token)
                         .toUtf8() +
                     "\n");
        const auto nextNonSnapshot = [&]() -> QJsonObject {
            for (int i = 0; i < 200; ++i) {
                const QJsonObject line = lineFrom(socket);
                const QString type = line.value(QLatin1String("type")).toString();
                if (line.isEmpty() ||
                    (type != QLatin1String("snapshot") && type != QLatin1String("event")))
                    return line;
            }
            return {};
        };
        QCOMPARE(nextNonSnapshot().value(QLatin1String("type")).toString(),
                 QStringLiteral("welcome"));
        const struct
        {
            QByteArray line;
            QString code;
        } cases[] = {
            {"this is not json", QStringLiteral("bad_json")},
            {R"({"type":"teleport"})", QStringLiteral("unknown_type")},
            {R"({"type":"command","id":"w1","op":"weight","node":"slave-2","value":"heavy"})",
             QStringLiteral("bad_argument")},
            {R"({"type":"command","id":"d1","op":"drain","node":"slave-99"})",
             QStringLiteral("unknown_node")},
            {R"({"type":"command","id":"d2","op":"drain","node":"master"})",
             QStringLiteral("bad_state")},
            {R"({"type":"command","id":"s1","op":"strategy","name":"fastest"})",
             QStringLiteral("bad_argument")},
            {R"({"type":"command","id":"x1","op":"explode"})", QStringLiteral("unknown_op")},
            {R"({"type":"command","op":"drain"})", QStringLiteral("bad_command")},
            {R"({"type":"command","id":"h1","op":"history_page","node":"slave-2","limit":0})",
             QStringLiteral("bad_argument")},
            {R"({"type":"command","id":"h2","op":"history_page","node":"slave-99"})",
             QStringLiteral("unknown_node")},
        };
        for (const auto &c : cases) {
            socket.write(c.line + "\n");
            const QJsonObject answer = nextNonSnapshot();
            QCOMPARE(answer.value(QLatin1String("type")).toString(), QStringLiteral("error"));
            QVERIFY2(answer.value(QLatin1String("code")).toString() == c.code,
                     QJsonDocument(answer).toJson(QJsonDocument::Compact).constData());
        }
        // The console's history (history_page): the monitor's samples of slave-2, in order.
        socket.write(R"({"type":"command","id":"h3","op":"history_page","node":"slave-2"})"
                     "\n");
        const QJsonObject ack = nextNonSnapshot();
        QCOMPARE(ack.value(QLatin1String("type")).toString(), QStringLiteral("ack"));
        const auto page =
            bridge::HistoryPage::fromJson(ack.value(QLatin1String("result")).toObject());
        QVERIFY2(page, qPrintable(page.error()));
        QCOMPARE(page->node, QStringLiteral("slave-2"));
        QVERIFY(!page->samples.empty());
        QVERIFY(page->samples.back().timeMs > QDateTime::currentMSecsSinceEpoch() - 600'000);
        // With a 64 KiB client buffer the monitor cuts pages (else four answers in flight would
        // close the console as too slow): a full first page, once it holds that much, says
        // more follows.
        const int perPage = bridge::HistoryPage::maxSamplesFor(65536);
        QVERIFY(int(page->samples.size()) <= perPage);
        const auto firstPageIsCut = [&] {
            socket.write(R"({"type":"command","id":"h4","op":"history_page","node":"slave-3"})"
                         "\n");
            const auto first = bridge::HistoryPage::fromJson(
                nextNonSnapshot().value(QLatin1String("result")).toObject());
            return first && int(first->samples.size()) == perPage && first->more;
        };
        QTRY_VERIFY_WITH_TIMEOUT(firstPageIsCut(), 30000);
        // Four in flight, as the console asks: four acks, no too_slow.
        for (int rank = 2; rank < 6; ++rank)
            socket.write(
                QStringLiteral(
                    R"({"type":"command","id":"f%1","op":"history_page","node":"slave-%1"})")
                    .arg(rank)
                    .toUtf8() +
                "\n");
        for (int i = 0; i < 4; ++i) {
            const QJsonObject answer = nextNonSnapshot();
            QVERIFY2(answer.value(QLatin1String("type")).toString() == QLatin1String("ack"),
                     QJsonDocument(answer).toJson(QJsonDocument::Compact).left(300).constData());
        }
        socket.write(R"({"type":"ping","id":"p1"})"
                     "\n");
        QCOMPARE(nextNonSnapshot().value(QLatin1String("type")).toString(), QStringLiteral("pong"));
        // An oversized line closes only that connection.
        QTcpSocket big;
        big.connectToHost(s.bridgeHost, s.bridgePort);
        QVERIFY(big.waitForConnected(5000));
        big.write(QByteArray(200 * 1024, 'x'));
        QTRY_COMPARE_WITH_TIMEOUT(big.state(), QAbstractSocket::UnconnectedState, 10000);
        // Nothing above changed the cluster, and the test's own client still gets snapshots.
        const int before = m_snapshots;
        QTRY_VERIFY_WITH_TIMEOUT(m_snapshots > before + 2, 10000);
        QCOMPARE(node(QStringLiteral("slave-2")).weight, 1.0);
        QCOMPARE(stateOf(QStringLiteral("slave-2")), QStringLiteral("ACTIVE"));
    }

    void operatorCommandsRoundTrip()
    {
        CliResult r = run({QStringLiteral("drain"), QStringLiteral("slave-3"),
                           QStringLiteral("--reason"), QStringLiteral("disk swap")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("slave-3")), QStringLiteral("DRAINED"),
                                  5000);
        QCOMPARE(node(QStringLiteral("slave-3")).stateReason, QStringLiteral("disk swap"));
        QVERIFY(node(QStringLiteral("slave-3")).stateBy.endsWith(QStringLiteral("-cli")));
        QCOMPARE(node(QStringLiteral("slave-3")).loadRank, -1);
        QTRY_VERIFY_WITH_TIMEOUT(
            sawEvent(QStringLiteral("state_changed"), QStringLiteral("slave-3")), 5000);

        r = run({QStringLiteral("resume"), QStringLiteral("slave-3")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("slave-3")), QStringLiteral("ACTIVE"),
                                  5000);

        r = run({QStringLiteral("weight"), QStringLiteral("slave-2"), QStringLiteral("2.5")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(node(QStringLiteral("slave-2")).weight, 2.5, 5000);

        r = run({QStringLiteral("strategy"), QStringLiteral("optimal"), QStringLiteral("--w1"),
                 QStringLiteral("2")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(m_latest.strategy, QStringLiteral("optimal"), 5000);
        QCOMPARE(m_latest.w1, 2.0);

        // Refusals change nothing and exit 1; bad usage exits 2.
        const struct
        {
            QStringList arguments;
            int exitCode;
        } refusals[] = {
            {{QStringLiteral("weight"), QStringLiteral("slave-2"), QStringLiteral("abc")}, 2},
            {{QStringLiteral("weight"), QStringLiteral("slave-2"), QStringLiteral("0")}, 2},
            {{QStringLiteral("weight"), QStringLiteral("slave-2")}, 2},
            {{QStringLiteral("weight"), QStringLiteral("slave-9"), QStringLiteral("2")}, 1},
            {{QStringLiteral("drain"), QStringLiteral("master")}, 1},
            {{QStringLiteral("drain"), QStringLiteral("monitor")}, 1},
            {{QStringLiteral("resume"), QStringLiteral("slave-4")}, 1},
            {{QStringLiteral("strategy"), QStringLiteral("fastest")}, 1},
        };
        for (const auto &refusal : refusals) {
            r = run(refusal.arguments);
            QVERIFY2(r.exitCode == refusal.exitCode,
                     qPrintable(refusal.arguments.join(QLatin1Char(' ')) + QStringLiteral(" -> ") +
                                QString::number(r.exitCode) + QLatin1Char(' ') + r.err));
            QVERIFY2(!r.err.trimmed().isEmpty() && !r.err.trimmed().contains(QLatin1Char('\n')),
                     qPrintable(r.err)); // one clear line
        }
        QCOMPARE(node(QStringLiteral("slave-2")).weight, 2.5);
        QCOMPARE(m_latest.strategy, QStringLiteral("optimal"));
    }

    void drainWaitsForInFlightTasks()
    {
        CliResult r =
            run({QStringLiteral("load"), QStringLiteral("--tasks"), QStringLiteral("8"),
                 QStringLiteral("--task-ms"), QStringLiteral("1500"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject assigned = QJsonDocument::fromJson(r.out.toUtf8())
                                         .object()
                                         .value(QLatin1String("assigned"))
                                         .toObject();
        QString busy;
        for (auto it = assigned.begin(); it != assigned.end(); ++it) {
            if (it.value().toInt() > 0)
                busy = it.key();
        }
        QVERIFY2(!busy.isEmpty(), qPrintable(r.out));
        r = run(
            {QStringLiteral("drain"), busy, QStringLiteral("--reason"), QStringLiteral("test")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(busy), QStringLiteral("DRAINING"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(node(busy).drainEtaS > 0, 5000);
        QVERIFY(node(busy).assigned > 0);
        // A draining node takes no new tasks.
        r = run({QStringLiteral("load"), QStringLiteral("--tasks"), QStringLiteral("6"),
                 QStringLiteral("--task-ms"), QStringLiteral("200"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!QJsonDocument::fromJson(r.out.toUtf8())
                      .object()
                      .value(QLatin1String("assigned"))
                      .toObject()
                      .contains(busy),
                 qPrintable(r.out));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(busy), QStringLiteral("DRAINED"), 30000);
        QCOMPARE(node(busy).assigned, 0);
        r = run({QStringLiteral("resume"), busy});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_VERIFY_WITH_TIMEOUT(idle(), 30000);
    }

    void hungSlaveIsDetectedAndItsWorkMoves()
    {
        const qint64 completedBefore = m_latest.tasksCompleted;
        CliResult r = run({QStringLiteral("load"), QStringLiteral("--tasks"), QStringLiteral("12"),
                           QStringLiteral("--task-ms"), QStringLiteral("800")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const qint64 pid = state().nodePids.at(4); // slave-4
        QTRY_VERIFY_WITH_TIMEOUT(node(QStringLiteral("slave-4")).assigned > 0, 5000);
        QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("slave-4")), QStringLiteral("SUSPECT"),
                                  5000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("slave-4")), QStringLiteral("DOWN"), 8000);
        // The rest of the cluster keeps its heartbeats while one slave is stopped.
        for (const QString &name :
             {QStringLiteral("slave-2"), QStringLiteral("slave-3"), QStringLiteral("slave-5")}) {
            QCOMPARE(stateOf(name), QStringLiteral("ACTIVE"));
            QVERIFY2(node(name).heartbeatAgeMs < 800, qPrintable(name));
        }
        QTRY_VERIFY_WITH_TIMEOUT(sawEvent(QStringLiteral("node_down"), QStringLiteral("slave-4")),
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            sawEvent(QStringLiteral("task_reassigned"), QStringLiteral("slave-4")), 5000);
        QCOMPARE(::kill(pid_t(pid), SIGCONT), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("slave-4")), QStringLiteral("ACTIVE"),
                                  8000);
        QTRY_VERIFY_WITH_TIMEOUT(sawEvent(QStringLiteral("node_back"), QStringLiteral("slave-4")),
                                 5000);
        // Every task completes exactly once: the stopped slave's late completions are refused.
        QTRY_VERIFY_WITH_TIMEOUT(idle(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(m_latest.tasksCompleted - completedBefore, qint64(12), 10000);
    }

    void restartKeepsOperatorState()
    {
        CliResult r = run({QStringLiteral("drain"), QStringLiteral("slave-5"),
                           QStringLiteral("--reason"), QStringLiteral("kept across restart")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("slave-5")), QStringLiteral("DRAINED"),
                                  10000);
        const cluster::ClusterStateFile before = state();
        r = run({QStringLiteral("down")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.out.contains(QStringLiteral("forced")), qPrintable(r.out));
        for (qint64 pid : m_startedPids)
            QVERIFY2(!processAlive(pid), qPrintable(QString::number(pid)));
        QVERIFY(!QFile::exists(cluster::stateFilePath(m_runDir)));
        // The bridge's port is free again.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress(before.bridgeHost), before.bridgePort));
        server.close();

        QVERIFY(up());
        QTRY_VERIFY_WITH_TIMEOUT(allSlavesHeard(), 15000);
        QCOMPARE(stateOf(QStringLiteral("slave-5")), QStringLiteral("DRAINED"));
        QCOMPARE(node(QStringLiteral("slave-5")).stateReason,
                 QStringLiteral("kept across restart"));
        QCOMPARE(node(QStringLiteral("slave-2")).weight, 2.5);
        QCOMPARE(m_latest.strategy, QStringLiteral("optimal"));
    }

    // `starling up` in the foreground: Ctrl-C (SIGINT) stops the cluster in order and leaves
    // no process behind, like `starling down`.
    void foregroundUpStopsOnCtrlC()
    {
        if (QFile::exists(cluster::stateFilePath(m_runDir)))
            QCOMPARE(run({QStringLiteral("down")}).exitCode, 0);
        m_client.reset();
        // An operator state the master cannot read is kept aside, never overwritten.
        const QString operatorState =
            QDir(m_runDir).filePath(QStringLiteral("operator-state.json"));
        {
            QFile garbage(operatorState);
            QVERIFY(garbage.open(QIODevice::WriteOnly | QIODevice::Truncate));
            garbage.write("{\"version\": 1, \"nodes\": [trunc");
        }
        QProcess up;
        up.start(QStringLiteral(STARLING_CLI),
                 {QStringLiteral("up"), QStringLiteral("--slaves"), QStringLiteral("2"),
                  QStringLiteral("--run-dir"), m_runDir, QStringLiteral("--config"),
                  m_dir.filePath(QStringLiteral("config.json")), QStringLiteral("--export"),
                  m_dir.filePath(QStringLiteral("export"))});
        QVERIFY(up.waitForStarted(10000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += up.readAllStandardOutput()).contains("Ctrl-C"), 120000);
        const cluster::ClusterStateFile s = state();
        QCOMPARE(s.nodePids.size(), size_t(4));
        const QStringList kept =
            QDir(m_runDir).entryList({QStringLiteral("operator-state.json.bad-*")});
        QCOMPARE(kept.size(), 1);
        QFile keptFile(QDir(m_runDir).filePath(kept.first()));
        QVERIFY(keptFile.open(QIODevice::ReadOnly));
        QVERIFY(keptFile.readAll().contains("trunc"));
        QCOMPARE(::kill(pid_t(up.processId()), SIGINT), 0);
        QVERIFY(up.waitForFinished(30000));
        QCOMPARE(up.exitCode(), 0);
        out += up.readAllStandardOutput();
        QVERIFY2(out.contains("cluster stopped") && !out.contains("forced"), out.constData());
        for (qint64 pid : s.nodePids)
            QVERIFY2(!processAlive(pid), qPrintable(QString::number(pid)));
        QVERIFY(!processAlive(s.mpiexecPid));
        QVERIFY(!QFile::exists(cluster::stateFilePath(m_runDir)));
        QTcpServer server; // the bridge's port is free again
        QVERIFY(server.listen(QHostAddress(s.bridgeHost), s.bridgePort));
    }

    void cleanupTestCase()
    {
        if (QFile::exists(cluster::stateFilePath(m_runDir))) {
            const CliResult r = run({QStringLiteral("down")});
            QCOMPARE(r.exitCode, 0);
        }
        m_client.reset();
        for (qint64 pid : m_startedPids) {
            if (processAlive(pid))
                ::kill(pid_t(pid), SIGKILL); // only ours, and only if down failed
            QVERIFY2(!processAlive(pid), "a cluster process outlived starling down");
        }
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
