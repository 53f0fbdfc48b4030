// formatPrometheus: the monitor's /metrics text. Specific lines (labels, escaping, omitted
// samples), the format's structure, and a full parse by the reference parser (Python's
// prometheus_client) compared value by value with the snapshot.
#include "bridge/metricsformatter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <limits>
#include <optional>

using namespace starling;
using namespace starling::cluster;

namespace {

NodeView node(int rank, QString name, NodeRole role, NodeState state)
{
    NodeView n;
    n.rank = rank;
    n.name = std::move(name);
    n.role = role;
    n.state = state;
    n.host = QStringLiteral("host-a");
    return n;
}

// Several nodes, every state, names that need escaping (quote, backslash, newline) and UTF-8.
ClusterSnapshot exampleSnapshot()
{
    ClusterSnapshot s;
    s.sequence = 17;
    s.timeMs = 1700000000250;
    s.tasksQueuedAtMaster = 9;
    s.tasksCompleted = 4000;
    s.lateMessagesDropped = 3;
    s.jobs = {5, 2, 16, 40, 6};

    NodeView master = node(0, QStringLiteral("master"), NodeRole::Master, NodeState::Active);
    NodeView monitor = node(1, QStringLiteral("monitor"), NodeRole::Monitor, NodeState::Active);
    monitor.heartbeatAgeMs = 0;

    NodeView busy = node(2, QStringLiteral("slave-2"), NodeRole::Slave, NodeState::Active);
    busy.host = QStringLiteral("host-b");
    busy.weight = 1.5;
    busy.load = 2.25;
    busy.loadRank = 0;
    busy.heartbeatAgeMs = 250;
    busy.assigned = 4;
    busy.stats.nodeCpu = 0.375;
    busy.stats.processCpu = 0.125;
    busy.stats.nodeMemUsedBytes = 3000000000;
    busy.stats.nodeMemTotalBytes = 8000000000;
    busy.stats.processRssBytes = 123456789;
    busy.stats.txBytesPerS = 1.5e6;
    busy.stats.rxBytesPerS = 2.5e6;
    busy.stats.txBytesTotal = 9876543210;
    busy.stats.rxBytesTotal = 123;
    busy.stats.connections = 4;
    busy.stats.queueLength = 3;
    busy.stats.inFlight = 1;
    busy.stats.tasksDone = 42;
    busy.stats.unitComputeS = 0.02;
    busy.stats.bandwidthMBps = 112.5;

    NodeView draining = node(3, QStringLiteral("sla\"ve\\3"), NodeRole::Slave, NodeState::Draining);
    draining.weight = 0.5;
    draining.heartbeatAgeMs = 1000;
    draining.drainEtaS = 12.5;
    draining.stateSinceMs = s.timeMs - 2000500;
    draining.stats.inFlight = 2;

    NodeView drained = node(4, QStringLiteral("slave\n4"), NodeRole::Slave, NodeState::Drained);
    drained.heartbeatAgeMs = 1500;
    drained.drainEtaS = 3; // stale: only DRAINING nodes report an ETA

    NodeView suspect = node(5, QStringLiteral("slave-5"), NodeRole::Slave, NodeState::Suspect);
    suspect.heartbeatAgeMs = 4500;
    suspect.stateSinceMs = s.timeMs - 150000; // SUSPECT for 150 s
    NodeView down = node(6, QStringLiteral("slave-6"), NodeRole::Slave, NodeState::Down);
    NodeView unicode =
        node(7, QStringLiteral("n\u00f6de-\u00e9t\u00e9"), NodeRole::Slave, NodeState::Active);
    unicode.loadRank = 1;
    unicode.heartbeatAgeMs = 10;

    s.nodes = {master, monitor, busy, draining, drained, suspect, down, unicode};
    return s;
}

const QList<NodeState> kAllStates{NodeState::Active, NodeState::Draining, NodeState::Drained,
                                  NodeState::Suspect, NodeState::Down};

// The test's own reading of the specification: every per-node sample name and its value (or
// nullopt = must be absent). Written from the field meanings, not from the formatter's table.
QList<QPair<QString, std::optional<double>>> expectedNodeSamples(const NodeView &n)
{
    auto present = [](double v) {
        return std::optional<double>(v);
    };
    const std::optional<double> none;
    return {
        {QStringLiteral("starling_node_weight"), present(n.weight)},
        {QStringLiteral("starling_node_load_seconds"), present(n.load)},
        {QStringLiteral("starling_node_load_rank"), n.loadRank >= 0 ? present(n.loadRank) : none},
        {QStringLiteral("starling_node_heartbeat_age_seconds"),
         n.heartbeatAgeMs >= 0 ? present(n.heartbeatAgeMs / 1000.0) : none},
        {QStringLiteral("starling_node_drain_eta_seconds"),
         n.state == NodeState::Draining && n.drainEtaS >= 0 ? present(n.drainEtaS) : none},
        {QStringLiteral("starling_node_cpu_ratio"), present(n.stats.nodeCpu)},
        {QStringLiteral("starling_node_memory_used_bytes"), present(n.stats.nodeMemUsedBytes)},
        {QStringLiteral("starling_node_memory_total_bytes"), present(n.stats.nodeMemTotalBytes)},
        {QStringLiteral("starling_node_network_transmit_bytes_per_second"),
         present(n.stats.txBytesPerS)},
        {QStringLiteral("starling_node_network_receive_bytes_per_second"),
         present(n.stats.rxBytesPerS)},
        {QStringLiteral("starling_node_process_cpu_ratio"), present(n.stats.processCpu)},
        {QStringLiteral("starling_node_process_resident_memory_bytes"),
         present(n.stats.processRssBytes)},
        {QStringLiteral("starling_node_transmit_bytes_total"), present(n.stats.txBytesTotal)},
        {QStringLiteral("starling_node_receive_bytes_total"), present(n.stats.rxBytesTotal)},
        {QStringLiteral("starling_node_established_connections"), present(n.stats.connections)},
        {QStringLiteral("starling_node_queued_tasks"), present(n.stats.queueLength)},
        {QStringLiteral("starling_node_in_flight_tasks"), present(n.stats.inFlight)},
        {QStringLiteral("starling_node_assigned_tasks"), present(n.assigned)},
        {QStringLiteral("starling_node_tasks_done_total"), present(n.stats.tasksDone)},
        {QStringLiteral("starling_node_unit_compute_seconds"),
         n.stats.unitComputeS > 0 ? present(n.stats.unitComputeS) : none},
        {QStringLiteral("starling_node_bandwidth_bytes_per_second"),
         n.stats.bandwidthMBps > 0 ? present(n.stats.bandwidthMBps * 1e6) : none},
    };
}

using Labels = QMap<QString, QString>;

QString sampleKey(const QString &name, const Labels &labels)
{
    QString key = name + u'{';
    for (auto it = labels.begin(); it != labels.end(); ++it)
        key += it.key() + u'=' + it.value() + u'\x1f';
    return key + u'}';
}

Labels nodeLabels(const NodeView &n)
{
    return {{QStringLiteral("node"), n.name},
            {QStringLiteral("rank"), QString::number(n.rank)},
            {QStringLiteral("role"), toString(n.role)}};
}

const bridge::BridgeMetrics kBridge{2, 7, 1};

// Every sample the whole output must contain, keyed by name and labels.
QMap<QString, double> expectedSamples(const ClusterSnapshot &s, const bridge::BridgeMetrics &b = {})
{
    QMap<QString, double> out;
    for (const NodeView &n : s.nodes) {
        Labels info = nodeLabels(n);
        info.insert(QStringLiteral("host"), n.host);
        out.insert(sampleKey(QStringLiteral("starling_node_info"), info), 1);
        for (NodeState state : kAllStates) {
            Labels labels = nodeLabels(n);
            labels.insert(QStringLiteral("state"), toString(state));
            out.insert(sampleKey(QStringLiteral("starling_node_state"), labels),
                       n.state == state ? 1 : 0);
        }
        for (const auto &[name, value] : expectedNodeSamples(n)) {
            if (value)
                out.insert(sampleKey(name, nodeLabels(n)), *value);
        }
    }
    out.insert(sampleKey(QStringLiteral("starling_snapshot_sequence"), {}), double(s.sequence));
    if (s.timeMs > 0) {
        out.insert(sampleKey(QStringLiteral("starling_snapshot_timestamp_seconds"), {}),
                   s.timeMs / 1000.0);
    }
    out.insert(sampleKey(QStringLiteral("starling_cluster_master_queued_tasks"), {}),
               double(s.tasksQueuedAtMaster));
    for (NodeState state : kAllStates) {
        int count = 0;
        for (const NodeView &n : s.nodes)
            count += n.state == state ? 1 : 0;
        out.insert(sampleKey(QStringLiteral("starling_cluster_nodes"),
                             {{QStringLiteral("state"), toString(state)}}),
                   count);
    }
    // Issue 17: when each node's state began, and the counters the alert rules use.
    for (const NodeView &n : s.nodes) {
        if (n.stateSinceMs <= 0)
            continue;
        out.insert(
            sampleKey(QStringLiteral("starling_node_state_since_timestamp_seconds"), nodeLabels(n)),
            n.stateSinceMs / 1000.0);
        if (s.timeMs > 0)
            out.insert(
                sampleKey(QStringLiteral("starling_node_state_duration_seconds"), nodeLabels(n)),
                (s.timeMs - n.stateSinceMs) / 1000.0);
    }
    const QList<QPair<const char *, double>> cluster{
        {"starling_cluster_tasks_completed_total", double(s.tasksCompleted)},
        {"starling_cluster_late_messages_dropped_total", double(s.lateMessagesDropped)},
        {"starling_cluster_jobs_queued", double(s.jobs.queued)},
        {"starling_cluster_jobs_running", double(s.jobs.running)},
        {"starling_cluster_jobs_completed_total", double(s.jobs.doneTotal)},
        {"starling_cluster_jobs_failed_total", double(s.jobs.failedTotal)},
        {"starling_bridge_clients", double(b.clients)},
        {"starling_bridge_snapshots_dropped_total", double(b.droppedSnapshots)},
        {"starling_bridge_clients_too_slow_total", double(b.tooSlowClosures)}};
    for (const auto &[name, value] : cluster)
        out.insert(sampleKey(QString::fromLatin1(name), {}), value);
    if (s.jobs.queueLimit > 0)
        out.insert(sampleKey(QStringLiteral("starling_cluster_job_queue_limit"), {}),
                   double(s.jobs.queueLimit));
    return out;
}

// The reference parser re-emits what it read as JSON: families with name and type, samples
// with name, labels and repr(value) (so NaN and infinities survive JSON).
const char kParserScript[] = R"PY(
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = sys.stdin.buffer.read().decode("utf-8")
out = []
for family in text_string_to_metric_families(text):
    out.append({"name": family.name, "type": family.type, "samples": [
        {"name": s.name, "labels": s.labels, "value": repr(float(s.value))}
        for s in family.samples]})
json.dump(out, sys.stdout)
)PY";

// The Debian package installs the parser for the system interpreter; a pyenv or venv python3
// earlier in PATH does not see it, so /usr/bin/python3 is tried before PATH. STARLING_PYTHON3
// overrides both.
QString pythonWithPrometheusClient()
{
    QStringList candidates;
    const QString configured = qEnvironmentVariable("STARLING_PYTHON3");
    if (!configured.isEmpty())
        candidates << configured;
    candidates << QStringLiteral("/usr/bin/python3")
               << QStandardPaths::findExecutable(QStringLiteral("python3"));
    for (const QString &python : candidates) {
        if (python.isEmpty())
            continue;
        QProcess probe;
        probe.start(python,
                    {QStringLiteral("-c"), QStringLiteral("import prometheus_client.parser")});
        if (probe.waitForFinished(30000) && probe.exitStatus() == QProcess::NormalExit &&
            probe.exitCode() == 0)
            return python;
    }
    return {};
}

struct ParsedSample
{
    QString family;
    QString type;
    double value;
};

// Parses `text` with prometheus_client; fails the test (with the reason) when that is impossible.
std::optional<QMap<QString, ParsedSample>> parseWithReference(const QByteArray &text,
                                                              QString *error)
{
    const QString python = pythonWithPrometheusClient();
    if (python.isEmpty()) {
        *error = QStringLiteral("no python3 with prometheus_client found (tried $STARLING_PYTHON3, "
                                "/usr/bin/python3, python3 in PATH); install the Debian package "
                                "python3-prometheus-client, a required test dependency");
        return std::nullopt;
    }
    QProcess process;
    process.start(python, {QStringLiteral("-c"), QString::fromLatin1(kParserScript)});
    if (!process.waitForStarted(30000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(python, process.errorString());
        return std::nullopt;
    }
    process.write(text);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        *error = QStringLiteral("prometheus_client rejected the output: ") +
                 QString::fromUtf8(process.readAllStandardError());
        process.kill();
        process.waitForFinished();
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(process.readAllStandardOutput(), &parseError);
    if (!doc.isArray()) {
        *error = QStringLiteral("bad JSON from the parser script: ") + parseError.errorString();
        return std::nullopt;
    }
    QMap<QString, ParsedSample> samples;
    for (const QJsonValue &family : doc.array()) {
        const QJsonObject f = family.toObject();
        for (const QJsonValue &sample : f.value(QLatin1String("samples")).toArray()) {
            const QJsonObject s = sample.toObject();
            Labels labels;
            const QJsonObject l = s.value(QLatin1String("labels")).toObject();
            for (auto it = l.begin(); it != l.end(); ++it)
                labels.insert(it.key(), it.value().toString());
            const QString repr = s.value(QLatin1String("value")).toString();
            double value = repr.toDouble();
            if (repr == QLatin1String("nan"))
                value = std::numeric_limits<double>::quiet_NaN();
            else if (repr == QLatin1String("inf"))
                value = std::numeric_limits<double>::infinity();
            else if (repr == QLatin1String("-inf"))
                value = -std::numeric_limits<double>::infinity();
            const QString key = sampleKey(s.value(QLatin1String("name")).toString(), labels);
            if (samples.contains(key)) {
                *error = QStringLiteral("duplicate sample ") + key;
                return std::nullopt;
            }
            samples.insert(key, {f.value(QLatin1String("name")).toString(),
                                 f.value(QLatin1String("type")).toString(), value});
        }
    }
    return samples;
}

} // namespace

class TestMetricsFormatter : public QObject
{
    Q_OBJECT

private slots:
    void specificLines_data();
    void specificLines();
    void omitsSamplesThatDoNotExist();
    void structure();
    void referenceParserReadsEverything();
    void nonFiniteValues();
    void emptySnapshot();
    void estimatesPerOpClass();
};

void TestMetricsFormatter::specificLines_data()
{
    QTest::addColumn<QByteArray>("line");
    const QByteArray busy = R"(node="slave-2",rank="2",role="slave")";
    const QByteArray quoted = R"(node="sla\"ve\\3",rank="3",role="slave")";
    QTest::newRow("one-hot current") << "starling_node_state{" + busy + R"(,state="ACTIVE"} 1)";
    QTest::newRow("one-hot other") << "starling_node_state{" + busy + R"(,state="DOWN"} 0)";
    QTest::newRow("escaped quote and backslash") << "starling_node_weight{" + quoted + "} 0.5";
    QTest::newRow("escaped newline")
        << QByteArray(R"(starling_node_state{node="slave\n4",rank="4",role="slave",)"
                      R"(state="DRAINED"} 1)");
    QTest::newRow("utf-8 label") << QByteArray(
        "starling_node_load_rank{node=\"n\xc3\xb6"
        "de-\xc3\xa9t\xc3\xa9\",rank=\"7\",role=\"slave\"} 1");
    QTest::newRow("info") << QByteArray(
        R"(starling_node_info{node="master",rank="0",role="master",host="host-a"} 1)");
    QTest::newRow("drain eta") << "starling_node_drain_eta_seconds{" + quoted + "} 12.5";
    QTest::newRow("heartbeat ms to s") << "starling_node_heartbeat_age_seconds{" + busy + "} 0.25";
    QTest::newRow("counter, exact integer")
        << "starling_node_transmit_bytes_total{" + busy + "} 9876543210";
    QTest::newRow("tasks done") << "starling_node_tasks_done_total{" + busy + "} 42";
    QTest::newRow("bandwidth MB/s to bytes/s")
        << "starling_node_bandwidth_bytes_per_second{" + busy + "} 112500000";
    QTest::newRow("memory") << "starling_node_memory_total_bytes{" + busy + "} 8000000000";
    QTest::newRow("cpu ratio") << "starling_node_cpu_ratio{" + busy + "} 0.375";
    QTest::newRow("sequence") << QByteArray("starling_snapshot_sequence 17");
    QTest::newRow("timestamp") << QByteArray("starling_snapshot_timestamp_seconds 1700000000.25");
    QTest::newRow("master queue") << QByteArray("starling_cluster_master_queued_tasks 9");
    QTest::newRow("nodes active") << QByteArray(R"(starling_cluster_nodes{state="ACTIVE"} 4)");
    QTest::newRow("nodes down") << QByteArray(R"(starling_cluster_nodes{state="DOWN"} 1)");
    QTest::newRow("counter type") << QByteArray("# TYPE starling_node_tasks_done_total counter");
    QTest::newRow("gauge type") << QByteArray("# TYPE starling_node_state gauge");
    // Issue 17: what the alert rules in resources/prometheus/ read.
    const QByteArray suspect = R"(node="slave-5",rank="5",role="slave")";
    QTest::newRow("state duration") << "starling_node_state_duration_seconds{" + suspect + "} 150";
    QTest::newRow("state since") << "starling_node_state_since_timestamp_seconds{" + suspect +
                                        "} 1699999850.25";
    QTest::newRow("drain duration")
        << "starling_node_state_duration_seconds{" + quoted + "} 2000.5";
    QTest::newRow("tasks completed") << QByteArray("starling_cluster_tasks_completed_total 4000");
    QTest::newRow("late dropped") << QByteArray("starling_cluster_late_messages_dropped_total 3");
    QTest::newRow("jobs queued") << QByteArray("starling_cluster_jobs_queued 5");
    QTest::newRow("jobs running") << QByteArray("starling_cluster_jobs_running 2");
    QTest::newRow("job queue limit") << QByteArray("starling_cluster_job_queue_limit 16");
    QTest::newRow("jobs completed") << QByteArray("starling_cluster_jobs_completed_total 40");
    QTest::newRow("jobs failed") << QByteArray("starling_cluster_jobs_failed_total 6");
    QTest::newRow("jobs failed type")
        << QByteArray("# TYPE starling_cluster_jobs_failed_total counter");
    QTest::newRow("bridge clients") << QByteArray("starling_bridge_clients 2");
    QTest::newRow("bridge dropped") << QByteArray("starling_bridge_snapshots_dropped_total 7");
    QTest::newRow("bridge too slow") << QByteArray("starling_bridge_clients_too_slow_total 1");
}

void TestMetricsFormatter::specificLines()
{
    QFETCH(QByteArray, line);
    const QList<QByteArray> lines =
        bridge::formatPrometheus(exampleSnapshot(), kBridge).split('\n');
    QVERIFY2(lines.contains(line), line.constData());
}

void TestMetricsFormatter::omitsSamplesThatDoNotExist()
{
    const QByteArray text = bridge::formatPrometheus(exampleSnapshot());
    // Never heard from: no heartbeat age (an age of -1 s or 0 s would be a lie).
    QVERIFY(!text.contains(R"(starling_node_heartbeat_age_seconds{node="master")"));
    QVERIFY(!text.contains(R"(starling_node_heartbeat_age_seconds{node="slave-6")"));
    QVERIFY(text.contains(R"(starling_node_heartbeat_age_seconds{node="monitor")"));
    // Unranked nodes have no rank; only the DRAINING node has an ETA.
    QVERIFY(!text.contains(R"(starling_node_load_rank{node="slave-5")"));
    QVERIFY(!text.contains(R"(starling_node_drain_eta_seconds{node="slave\n4")"));
    QCOMPARE(text.count("\nstarling_node_drain_eta_seconds{"), 1);
    // Estimates not measured yet are absent, not 0.
    QCOMPARE(text.count("\nstarling_node_unit_compute_seconds{"), 1);
    QCOMPARE(text.count("\nstarling_node_bandwidth_bytes_per_second{"), 1);
}

void TestMetricsFormatter::structure()
{
    const QByteArray text = bridge::formatPrometheus(exampleSnapshot());
    QVERIFY(text.endsWith('\n'));
    const QList<QByteArray> lines = text.chopped(1).split('\n');
    QSet<QByteArray> seen;
    QByteArray family;
    QByteArray pendingHelp;
    int samples = 0;
    for (const QByteArray &line : lines) {
        QVERIFY2(!line.isEmpty(), "no blank lines");
        if (line.startsWith("# HELP ")) {
            pendingHelp = line.mid(7, line.indexOf(' ', 7) - 7);
            QVERIFY2(!seen.contains(pendingHelp), line.constData());
            continue;
        }
        if (line.startsWith("# TYPE ")) {
            const QList<QByteArray> parts = line.split(' ');
            QCOMPARE(parts.size(), 4);
            family = parts[2];
            QCOMPARE(family, pendingHelp); // HELP directly before TYPE, same family
            QVERIFY2(!seen.contains(family), family.constData());
            seen.insert(family);
            QVERIFY(parts[3] == "gauge" || parts[3] == "counter");
            QCOMPARE(parts[3] == "counter", family.endsWith("_total"));
            // Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; ours are lower-case.
            for (char c : family)
                QVERIFY2((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_',
                         family.constData());
            continue;
        }
        QVERIFY2(!line.startsWith('#'), line.constData());
        // Every sample belongs to the family declared last: families are not interleaved.
        const qsizetype end = line.indexOf(line.contains('{') ? '{' : ' ');
        QCOMPARE(line.left(end), family);
        ++samples;
    }
    QCOMPARE(seen.size(), 42);
    QCOMPARE(samples, expectedSamples(exampleSnapshot()).size());
}

void TestMetricsFormatter::referenceParserReadsEverything()
{
    const ClusterSnapshot snapshot = exampleSnapshot();
    QString error;
    const auto parsed = parseWithReference(bridge::formatPrometheus(snapshot, kBridge), &error);
    if (!parsed)
        QFAIL(qPrintable(error));
    const QMap<QString, double> expected = expectedSamples(snapshot, kBridge);
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        QVERIFY2(parsed->contains(it.key()), qPrintable(QStringLiteral("missing ") + it.key()));
        QCOMPARE(parsed->value(it.key()).value, it.value());
    }
    for (auto it = parsed->begin(); it != parsed->end(); ++it) {
        QVERIFY2(expected.contains(it.key()), qPrintable(QStringLiteral("unexpected ") + it.key()));
        // The parser strips _total from counter family names and keeps it on samples.
        const bool counter = it->type == QLatin1String("counter");
        QCOMPARE(counter, it.key().startsWith(it->family + QLatin1String("_total{")));
        QVERIFY(counter || it->type == QLatin1String("gauge"));
    }
}

void TestMetricsFormatter::nonFiniteValues()
{
    ClusterSnapshot snapshot;
    NodeView n = node(2, QStringLiteral("slave-2"), NodeRole::Slave, NodeState::Active);
    n.stats.nodeCpu = std::numeric_limits<double>::quiet_NaN();
    n.load = std::numeric_limits<double>::infinity();
    n.weight = -std::numeric_limits<double>::infinity();
    snapshot.nodes = {n};
    const QByteArray text = bridge::formatPrometheus(snapshot);
    const QByteArray labels = R"({node="slave-2",rank="2",role="slave"})";
    QVERIFY(text.contains(QByteArray("\nstarling_node_cpu_ratio" + labels + " NaN\n")));
    QVERIFY(text.contains(QByteArray("\nstarling_node_load_seconds" + labels + " +Inf\n")));
    QVERIFY(text.contains(QByteArray("\nstarling_node_weight" + labels + " -Inf\n")));

    QString error;
    const auto parsed = parseWithReference(text, &error);
    if (!parsed)
        QFAIL(qPrintable(error));
    const Labels l = nodeLabels(n);
    QVERIFY(
        std::isnan(parsed->value(sampleKey(QStringLiteral("starling_node_cpu_ratio"), l)).value));
    QCOMPARE(parsed->value(sampleKey(QStringLiteral("starling_node_load_seconds"), l)).value,
             std::numeric_limits<double>::infinity());
    QCOMPARE(parsed->value(sampleKey(QStringLiteral("starling_node_weight"), l)).value,
             -std::numeric_limits<double>::infinity());
}

void TestMetricsFormatter::emptySnapshot()
{
    // A monitor that has not heard from anyone still serves valid text with every family.
    const ClusterSnapshot snapshot;
    const QByteArray text = bridge::formatPrometheus(snapshot);
    QCOMPARE(text.count("# TYPE "), 42);
    // Not known yet: no queue limit and no state times (a limit of 0 would fire "queue full").
    QVERIFY(!text.contains("\nstarling_cluster_job_queue_limit "));
    QVERIFY(!text.contains("\nstarling_node_state_duration_seconds"));
    QVERIFY(text.contains("\nstarling_snapshot_sequence 0\n"));
    QVERIFY(!text.contains("\nstarling_snapshot_timestamp_seconds "));
    QString error;
    const auto parsed = parseWithReference(text, &error);
    if (!parsed)
        QFAIL(qPrintable(error));
    QCOMPARE(parsed->size(), expectedSamples(snapshot).size());
}

// Issue 16: the master's compute estimate and its confidence, one sample per node and op class
// (labels op and channels); nodes without estimates have none.
void TestMetricsFormatter::estimatesPerOpClass()
{
    ClusterSnapshot s = exampleSnapshot();
    sched::SlaveCostEstimate e;
    e.rank = 2;
    e.ops.push_back({QStringLiteral("median"), 3, {0.004, 0.041, 20, 0.92, s.timeMs - 90000, {}}});
    e.ops.push_back({QStringLiteral("grey"), 1, {0, 0.0125, 2, 0.25, 0, {}}}); // never sampled
    s.nodes[2].estimates = e;
    const QList<QByteArray> lines = bridge::formatPrometheus(s).split('\n');
    const QByteArray busy = R"(node="slave-2",rank="2",role="slave")";
    const QList<QByteArray> expected{
        "starling_node_estimate_seconds_per_megabyte{" + busy +
            R"(,op="median",channels="3"} 0.041)",
        "starling_node_estimate_seconds_per_megabyte{" + busy +
            R"(,op="grey",channels="1"} 0.0125)",
        "starling_node_estimate_confidence_ratio{" + busy + R"(,op="median",channels="3"} 0.92)",
        QByteArray("# TYPE starling_node_estimate_confidence_ratio gauge"),
        // Issue 17: the age behind "estimates stale"; none for an op never sampled.
        "starling_node_estimate_age_seconds{" + busy + R"(,op="median",channels="3"} 90)"};
    for (const QByteArray &line : expected)
        QVERIFY2(lines.contains(line), line.constData());
    int samples = 0;
    for (const QByteArray &line : lines)
        samples += line.startsWith("starling_node_estimate_") ? 1 : 0;
    QCOMPARE(samples, 5);
}

QTEST_GUILESS_MAIN(TestMetricsFormatter)
#include "tst_metricsformatter.moc"
