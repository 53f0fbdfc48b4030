// ClusterConfig: the cluster's JSON configuration. Defaults, round trips, the shipped default
// file, and every validation rule reported as one line naming the origin and the key.
#include "cluster/clusterconfig.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace starling;
using namespace starling::cluster;

namespace {

// Parse errors carry the offset and wording of Qt's JSON parser; tests check only our prefix.
const QString kNotJson = QStringLiteral("not valid UTF-8 JSON at byte ");

bool matches(const QString &error, const QString &expected)
{
    return expected.endsWith(kNotJson) ? error.startsWith(expected) : error == expected;
}

const QString kOrigin = QStringLiteral("config.json");

// {"<key>": <value>} with value given as JSON text.
QByteArray withKey(const char *key, const QByteArray &value)
{
    return QByteArrayLiteral("{\"") + key + QByteArrayLiteral("\": ") + value +
           QByteArrayLiteral("}");
}

QByteArray toBytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

QString errorOf(const Expected<ClusterConfig> &parsed)
{
    return parsed.hasValue() ? QString() : parsed.error();
}

} // namespace

class TestClusterConfig : public QObject
{
    Q_OBJECT

private slots:
    void defaults_data();
    void defaults();
    void emptyObjectIsDefault();
    void toJsonHasEveryKeyOnce();
    void roundTrip();
    void accepted_data();
    void accepted();
    void rejected_data();
    void rejected();
    void sizeLimit();
    void loadShippedDefaults();
    void loadErrors();
    void loadUnreadable();
    void loadValidFile();
    void loadResolvesTlsPathsAgainstTheConfig();
};

void TestClusterConfig::defaults_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    const auto row = [](const char *key, const QJsonValue &value) {
        QTest::newRow(key) << QString::fromLatin1(key) << value;
    };
    row("bind_host", QStringLiteral("127.0.0.1"));
    row("master_port", 0);
    row("bridge_port", 0);
    row("metrics_port", 0);
    row("data_port_base", 0);
    row("export_root", QStringLiteral("."));
    row("heartbeat_ms", 500);
    row("suspect_after_ms", 2000);
    row("down_after_ms", 5000);
    row("peer_probe_ms", 250);
    row("advertise_host", QString());
    row("service_host", QStringLiteral("127.0.0.1"));
    row("roles", QJsonObject());
    row("hosts", QJsonObject());
    row("snapshot_hz", 2.0);
    row("history_length", 120);
    row("history_minutes", 60);
    row("history_points", 3600);
    row("bridge_max_clients", 64);
    row("bridge_line_limit_bytes", 65536);
    row("bridge_client_buffer_bytes", 1048576);
    row("strategy", QStringLiteral("pdds"));
    row("w1", 1.5);
    row("w2", 0.8);
    row("startup_timeout_s", 30);
    row("image_max_bytes", 268435456.0);
    row("image_max_pixels", 67108864.0);
    row("job_queue_limit", 1024);
    row("jobs_kept", 32);
    row("image_standard_MBps", 20);
    // Issue 15, slice "local".
    row("plan_hash_passes", 2);
    row("plan_hash_read_MBps", 0);
    row("plan_hash_wait_ms", 1000);
    row("require_file_token", false);
    // Slice "uploads" (issue 15).
    row("job_upload_slots", 2);
    row("job_byte_budget", 1073741824.0);
    // Relay limits and bridge flood resistance (issue 15, "flood" slice).
    row("relay_budget_bytes", 268435456.0);
    row("relay_busy_wait_ms", 2000);
    row("master_connections_per_address", 32);
    row("relay_min_rate_bytes_per_s", 16384);
    row("relay_min_rate_window_s", 30);
    row("bridge_prehello_per_address", 16);
    row("bridge_prehello_max", 64);
    row("bridge_hello_timeout_ms", 5000);
    row("bridge_accept_retry_ms", 250);
    row("tls_cert", QString());
    row("tls_key", QString());
    row("tls_ca", QString());
    // Estimator slice (issue 16).
    row("estimator_forgetting", 0.9);
    row("estimator_confidence_half_life_s", 3600);
    // Issue 16, slice "fairness".
    row("job_queue_per_submitter", 256);
    row("job_submitter_byte_share", 0.5);
    row("estimate_publish_ms", 1000);
    // Issue 16, slice "runner".
    row("job_overlap", 3);
}

void TestClusterConfig::defaults()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QCOMPARE(ClusterConfig().toJson().value(key), value);
}

void TestClusterConfig::emptyObjectIsDefault()
{
    const Expected<ClusterConfig> parsed = ClusterConfig::fromJson("{}", kOrigin);
    QVERIFY2(parsed.hasValue(), qPrintable(errorOf(parsed)));
    QVERIFY(*parsed == ClusterConfig());
    QVERIFY(parsed->strategy == sched::StrategyKind::Pdds);
    QCOMPARE(parsed->pddsWeights().w1, 1.5);
    QCOMPARE(parsed->pddsWeights().w2, 0.8);
}

void TestClusterConfig::toJsonHasEveryKeyOnce()
{
    // defaults_data() lists every documented key; toJson() writes exactly those.
    QCOMPARE(ClusterConfig().toJson().size(), 54);
}

void TestClusterConfig::roundTrip()
{
    ClusterConfig c;
    c.bindHost = QStringLiteral("::1");
    c.masterPort = 65535;
    c.bridgePort = 7001;
    c.metricsPort = 7002;
    c.dataPortBase = 7100;
    c.exportRoot = QStringLiteral("/srv/données with spaces");
    c.heartbeatMs = 10;
    c.suspectAfterMs = 11;
    c.downAfterMs = 3600000;
    c.snapshotHz = 0.1;
    c.historyLength = 100000;
    c.historyMinutes = 1440;
    c.historyPoints = 60;
    c.bridgeMaxClients = 4096;
    c.bridgeLineLimitBytes = 16777216;
    c.bridgeClientBufferBytes = 1073741824;
    c.strategy = sched::StrategyKind::Optimal;
    c.w1 = 0;
    c.w2 = 1.0 / 3;
    c.startupTimeoutS = 599.5;
    c.imageMaxBytes = 4096;
    c.imageMaxPixels = 1;
    c.jobQueueLimit = 10000;
    c.jobsKept = 1;
    c.imageStandardMBps = 0.5;
    c.jobQueuePerSubmitter = 10000; // issue 16, slice "fairness"
    c.jobSubmitterByteShare = 0.01;
    c.estimatePublishMs = 60000;
    QVERIFY(!(c == ClusterConfig())); // every field differs from its default

    const QByteArray text = toBytes(c.toJson());
    const Expected<ClusterConfig> back = ClusterConfig::fromJson(text, kOrigin);
    QVERIFY2(back.hasValue(), qPrintable(errorOf(back)));
    QVERIFY2(*back == c, text.constData());
    QCOMPARE(toBytes(back->toJson()), text);

    const Expected<ClusterConfig> defaults =
        ClusterConfig::fromJson(toBytes(ClusterConfig().toJson()), kOrigin);
    QVERIFY(defaults.hasValue());
    QVERIFY(*defaults == ClusterConfig());
}

void TestClusterConfig::accepted_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("expected");
    const auto row = [](const char *name, const char *key, const QByteArray &value,
                        const QJsonValue &expected) {
        QTest::newRow(name) << withKey(key, value) << QString::fromLatin1(key) << expected;
    };
    row("bind_host IPv4 any", "bind_host", "\"0.0.0.0\"", QStringLiteral("0.0.0.0"));
    row("bind_host IPv6 loopback", "bind_host", "\"::1\"", QStringLiteral("::1"));
    row("bind_host LAN", "bind_host", "\"192.168.1.20\"", QStringLiteral("192.168.1.20"));
    for (const char *port : {"master_port", "bridge_port", "metrics_port", "data_port_base"}) {
        QTest::addRow("%s max", port)
            << withKey(port, "65535") << QString::fromLatin1(port) << QJsonValue(65535);
        QTest::addRow("%s 1", port)
            << withKey(port, "1") << QString::fromLatin1(port) << QJsonValue(1);
    }
    row("export_root absolute", "export_root", "\"/srv/data\"", QStringLiteral("/srv/data"));
    row("heartbeat_ms min", "heartbeat_ms", "10", 10);
    row("heartbeat_ms just below suspect", "heartbeat_ms", "1999", 1999);
    row("integer written with .0", "heartbeat_ms", "250.0", 250);
    row("integer written with exponent", "heartbeat_ms", "1e3", 1000);
    row("suspect_after_ms just above heartbeat", "suspect_after_ms", "501", 501);
    row("down_after_ms max", "down_after_ms", "3600000", 3600000);
    row("peer_probe_ms min", "peer_probe_ms", "10", 10);
    row("peer_probe_ms max", "peer_probe_ms", "60000", 60000);
    row("snapshot_hz min", "snapshot_hz", "0.1", 0.1);
    row("snapshot_hz max", "snapshot_hz", "50", 50.0);
    row("history_length min", "history_length", "1", 1);
    row("history_length max", "history_length", "100000", 100000);
    row("history_minutes min", "history_minutes", "1", 1);
    row("history_minutes max", "history_minutes", "1440", 1440);
    row("history_points min", "history_points", "60", 60);
    row("history_points max", "history_points", "20000", 20000);
    row("bridge_max_clients min", "bridge_max_clients", "1", 1);
    row("bridge_max_clients max", "bridge_max_clients", "4096", 4096);
    row("line limit min", "bridge_line_limit_bytes", "1024", 1024);
    row("line limit max", "bridge_line_limit_bytes", "16777216", 16777216);
    row("client buffer min", "bridge_client_buffer_bytes", "65536", 65536);
    row("client buffer max", "bridge_client_buffer_bytes", "1073741824", 1073741824);
    for (sched::StrategyKind kind : sched::allStrategyKinds()) {
        const QString name = sched::toString(kind);
        QTest::addRow("strategy %s", qPrintable(name))
            << withKey("strategy", '"' + name.toLatin1() + '"') << QStringLiteral("strategy")
            << QJsonValue(name);
    }
    row("w1 zero", "w1", "0", 0.0);
    row("w2 zero", "w2", "0", 0.0);
    row("w1 large", "w1", "1e6", 1e6);
    row("startup_timeout_s min", "startup_timeout_s", "1", 1.0);
    row("startup_timeout_s max", "startup_timeout_s", "600", 600.0);
    row("startup_timeout_s fractional", "startup_timeout_s", "2.5", 2.5);
    row("image_max_bytes 16 GiB", "image_max_bytes", "17179869184", 17179869184.0);
    row("image_standard_MBps tiny", "image_standard_MBps", "0.001", 0.001);
    row("estimator_forgetting no forgetting", "estimator_forgetting", "1", 1.0);
    row("estimator_confidence_half_life_s min", "estimator_confidence_half_life_s", "1", 1.0);
    // Issue 15, slice "local".
    row("plan_hash_passes max", "plan_hash_passes", "64", 64.0);
    row("plan_hash_read_MBps slow", "plan_hash_read_MBps", "0.5", 0.5);
    row("plan_hash_wait_ms zero", "plan_hash_wait_ms", "0", 0.0);
    row("require_file_token on", "require_file_token", "true", true);
}

void TestClusterConfig::accepted()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    QFETCH(QJsonValue, expected);
    const Expected<ClusterConfig> parsed = ClusterConfig::fromJson(json, kOrigin);
    QVERIFY2(parsed.hasValue(), qPrintable(errorOf(parsed)));
    const QJsonObject written = parsed->toJson();
    QCOMPARE(written.value(key), expected);
    // The other keys keep their defaults.
    QJsonObject others = written;
    others.remove(key);
    QJsonObject defaults = ClusterConfig().toJson();
    defaults.remove(key);
    QCOMPARE(others, defaults);
}

void TestClusterConfig::rejected_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message"); // exact, without the "config.json: " prefix

    QTest::newRow("tls_cert without tls_key")
        << QByteArrayLiteral(R"({"tls_cert": "server.pem"})")
        << QStringLiteral("\"tls_cert\" and \"tls_key\" go together: set both or neither");
    QTest::newRow("tls_ca without a certificate")
        << QByteArrayLiteral(R"({"tls_ca": "ca.pem"})")
        << QStringLiteral("\"tls_ca\" needs \"tls_cert\" and \"tls_key\"");
    QTest::newRow("estimate_publish_ms too small")
        << withKey("estimate_publish_ms", "99")
        << QStringLiteral("\"estimate_publish_ms\" must be an integer from 100 to 60000, got 99");
    QTest::newRow("job_overlap zero")
        << withKey("job_overlap", "0")
        << QStringLiteral("\"job_overlap\" must be an integer from 1 to 16, got 0");
    QTest::newRow("job_overlap too large")
        << withKey("job_overlap", "17")
        << QStringLiteral("\"job_overlap\" must be an integer from 1 to 16, got 17");
    QTest::newRow("unknown key") << withKey("heartbeat", "500")
                                 << QStringLiteral("unknown key \"heartbeat\"");
    QTest::newRow("unknown key with a line break")
        << QByteArrayLiteral(R"({"evil\nkey": 1})") << QStringLiteral("unknown key \"evil\\nkey\"");
    QTest::newRow("unknown key beside valid ones")
        << QByteArrayLiteral(R"({"heartbeat_ms": 100, "w3": 1})")
        << QStringLiteral("unknown key \"w3\"");

    const QString heartbeat =
        QStringLiteral("\"heartbeat_ms\" must be an integer from 10 to 3600000, got ");
    QTest::newRow("heartbeat_ms string")
        << withKey("heartbeat_ms", "\"fast\"") << heartbeat + QStringLiteral("\"fast\"");
    QTest::newRow("heartbeat_ms numeric string")
        << withKey("heartbeat_ms", "\"500\"") << heartbeat + QStringLiteral("\"500\"");
    QTest::newRow("heartbeat_ms too small")
        << withKey("heartbeat_ms", "9") << heartbeat + QStringLiteral("9");
    QTest::newRow("heartbeat_ms negative")
        << withKey("heartbeat_ms", "-500") << heartbeat + QStringLiteral("-500");
    QTest::newRow("heartbeat_ms too large")
        << withKey("heartbeat_ms", "3600001") << heartbeat + QStringLiteral("3600001");
    QTest::newRow("heartbeat_ms fractional")
        << withKey("heartbeat_ms", "500.5") << heartbeat + QStringLiteral("500.5");
    QTest::newRow("heartbeat_ms boolean")
        << withKey("heartbeat_ms", "true") << heartbeat + QStringLiteral("true");
    QTest::newRow("heartbeat_ms null")
        << withKey("heartbeat_ms", "null") << heartbeat + QStringLiteral("null");
    QTest::newRow("heartbeat_ms array")
        << withKey("heartbeat_ms", "[500]") << heartbeat + QStringLiteral("[500]");
    QTest::newRow("heartbeat_ms object")
        << withKey("heartbeat_ms", R"({"ms": 500})") << heartbeat + QStringLiteral("{\"ms\":500}");
    QTest::newRow("heartbeat_ms huge")
        << withKey("heartbeat_ms", "1e300") << heartbeat + QStringLiteral("1e+300");
    QTest::newRow("long value is cut")
        << withKey("heartbeat_ms", '"' + QByteArray(100, 'x') + '"')
        << heartbeat + QLatin1Char('"') + QString(36, QLatin1Char('x')) + QStringLiteral("...");

    for (const char *port : {"master_port", "bridge_port", "metrics_port", "data_port_base"}) {
        const QString prefix = QLatin1Char('"') + QLatin1String(port) +
                               QStringLiteral("\" must be an integer from 0 to 65535, got ");
        const auto row = [&](const char *what, const QByteArray &value) {
            QTest::addRow("%s %s", port, what)
                << withKey(port, value) << prefix + QString::fromLatin1(value);
        };
        row("negative", "-1");
        row("too large", "65536");
        row("fractional", "80.5");
        row("string", "\"8080\"");
        row("null", "null");
        row("boolean", "false");
    }

    const QString bindHost =
        QStringLiteral("\"bind_host\" must be an IPv4 or IPv6 address or \"host\", got ");
    QTest::newRow("bind_host name")
        << withKey("bind_host", "\"localhost\"") << bindHost + QStringLiteral("\"localhost\"");
    QTest::newRow("bind_host empty")
        << withKey("bind_host", "\"\"") << bindHost + QStringLiteral("\"\"");
    QTest::newRow("bind_host five parts")
        << withKey("bind_host", "\"1.2.3.4.5\"") << bindHost + QStringLiteral("\"1.2.3.4.5\"");
    QTest::newRow("bind_host octet 256")
        << withKey("bind_host", "\"256.1.1.1\"") << bindHost + QStringLiteral("\"256.1.1.1\"");
    QTest::newRow("bind_host number")
        << withKey("bind_host", "127") << bindHost + QStringLiteral("127");
    QTest::newRow("bind_host null")
        << withKey("bind_host", "null") << bindHost + QStringLiteral("null");

    const QString exportRoot = QStringLiteral("\"export_root\" must be a non-empty path, got ");
    QTest::newRow("export_root empty")
        << withKey("export_root", "\"\"") << exportRoot + QStringLiteral("\"\"");
    QTest::newRow("export_root number")
        << withKey("export_root", "1") << exportRoot + QStringLiteral("1");

    QTest::newRow("suspect equal to heartbeat")
        << withKey("heartbeat_ms", "2000")
        << QStringLiteral(
               "\"suspect_after_ms\" must be greater than \"heartbeat_ms\" (2000), got 2000");
    QTest::newRow("suspect below heartbeat")
        << QByteArrayLiteral(R"({"heartbeat_ms": 1000, "suspect_after_ms": 999})")
        << QStringLiteral(
               "\"suspect_after_ms\" must be greater than \"heartbeat_ms\" (1000), got 999");
    QTest::newRow("down equal to suspect")
        << withKey("suspect_after_ms", "5000")
        << QStringLiteral(
               "\"down_after_ms\" must be greater than \"suspect_after_ms\" (5000), got 5000");
    QTest::newRow("down below suspect")
        << withKey("down_after_ms", "1000")
        << QStringLiteral(
               "\"down_after_ms\" must be greater than \"suspect_after_ms\" (2000), got 1000");
    QTest::newRow("down_after_ms too large")
        << withKey("down_after_ms", "3600001")
        << QStringLiteral("\"down_after_ms\" must be an integer from 10 to 3600000, got 3600001");
    QTest::newRow("peer_probe_ms too small")
        << withKey("peer_probe_ms", "9")
        << QStringLiteral("\"peer_probe_ms\" must be an integer from 10 to 60000, got 9");
    QTest::newRow("peer_probe_ms text")
        << withKey("peer_probe_ms", "\"fast\"")
        << QStringLiteral("\"peer_probe_ms\" must be an integer from 10 to 60000, got \"fast\"");
    QTest::newRow("suspect_after_ms too small")
        << withKey("suspect_after_ms", "5")
        << QStringLiteral("\"suspect_after_ms\" must be an integer from 10 to 3600000, got 5");

    const QString hz = QStringLiteral("\"snapshot_hz\" must be a number from 0.1 to 50, got ");
    QTest::newRow("snapshot_hz too small")
        << withKey("snapshot_hz", "0.09") << hz + QStringLiteral("0.09");
    QTest::newRow("snapshot_hz zero") << withKey("snapshot_hz", "0") << hz + QStringLiteral("0");
    QTest::newRow("snapshot_hz too large")
        << withKey("snapshot_hz", "50.01") << hz + QStringLiteral("50.01");
    QTest::newRow("snapshot_hz string")
        << withKey("snapshot_hz", "\"2\"") << hz + QStringLiteral("\"2\"");

    QTest::newRow("history_minutes zero")
        << withKey("history_minutes", "0")
        << QStringLiteral("\"history_minutes\" must be an integer from 1 to 1440, got 0");
    QTest::newRow("history_points too many")
        << withKey("history_points", "20001")
        << QStringLiteral("\"history_points\" must be an integer from 60 to 20000, got 20001");
    const QString history =
        QStringLiteral("\"history_length\" must be an integer from 1 to 100000, got ");
    QTest::newRow("history_length zero")
        << withKey("history_length", "0") << history + QStringLiteral("0");
    QTest::newRow("history_length too large")
        << withKey("history_length", "100001") << history + QStringLiteral("100001");
    QTest::newRow("history_length fractional")
        << withKey("history_length", "1.5") << history + QStringLiteral("1.5");

    const QString clients =
        QStringLiteral("\"bridge_max_clients\" must be an integer from 1 to 4096, got ");
    QTest::newRow("bridge_max_clients zero")
        << withKey("bridge_max_clients", "0") << clients + QStringLiteral("0");
    QTest::newRow("bridge_max_clients too large")
        << withKey("bridge_max_clients", "4097") << clients + QStringLiteral("4097");
    const QString line = QStringLiteral(
        "\"bridge_line_limit_bytes\" must be an integer from 1024 to 16777216, got ");
    QTest::newRow("line limit too small")
        << withKey("bridge_line_limit_bytes", "1023") << line + QStringLiteral("1023");
    QTest::newRow("line limit too large")
        << withKey("bridge_line_limit_bytes", "16777217") << line + QStringLiteral("16777217");
    const QString buffer = QStringLiteral(
        "\"bridge_client_buffer_bytes\" must be an integer from 65536 to 1073741824, got ");
    QTest::newRow("client buffer too small")
        << withKey("bridge_client_buffer_bytes", "65535") << buffer + QStringLiteral("65535");
    QTest::newRow("client buffer too large") << withKey("bridge_client_buffer_bytes", "1073741825")
                                             << buffer + QStringLiteral("1073741825");

    const QString strategy =
        QStringLiteral("\"strategy\" must be one of equal, cpu, bw, pdds, optimal, dynamic, got ");
    QTest::newRow("strategy unknown")
        << withKey("strategy", "\"fastest\"") << strategy + QStringLiteral("\"fastest\"");
    QTest::newRow("strategy upper case")
        << withKey("strategy", "\"PDDS\"") << strategy + QStringLiteral("\"PDDS\"");
    QTest::newRow("strategy empty")
        << withKey("strategy", "\"\"") << strategy + QStringLiteral("\"\"");
    QTest::newRow("strategy number") << withKey("strategy", "3") << strategy + QStringLiteral("3");

    const QString w1 = QStringLiteral("\"w1\" must be a finite number of at least 0, got ");
    QTest::newRow("w1 negative") << withKey("w1", "-0.1") << w1 + QStringLiteral("-0.1");
    QTest::newRow("w1 string") << withKey("w1", "\"1.5\"") << w1 + QStringLiteral("\"1.5\"");
    QTest::newRow("w1 null") << withKey("w1", "null") << w1 + QStringLiteral("null");
    QTest::newRow("w2 negative") << withKey("w2", "-1")
                                 << QStringLiteral(
                                        "\"w2\" must be a finite number of at least 0, got -1");
    QTest::newRow("w1 and w2 zero")
        << QByteArrayLiteral(R"({"w1": 0, "w2": 0})")
        << QStringLiteral("\"w1\" and \"w2\" must not both be 0 (PDDS would weigh neither speed "
                          "nor bandwidth)");

    const QString startup =
        QStringLiteral("\"startup_timeout_s\" must be a number from 1 to 600, got ");
    QTest::newRow("startup_timeout_s too small")
        << withKey("startup_timeout_s", "0.5") << startup + QStringLiteral("0.5");
    QTest::newRow("startup_timeout_s too large")
        << withKey("startup_timeout_s", "601") << startup + QStringLiteral("601");
    QTest::newRow("startup_timeout_s string")
        << withKey("startup_timeout_s", "\"30\"") << startup + QStringLiteral("\"30\"");
    QTest::newRow("image_max_bytes too small")
        << withKey("image_max_bytes", "1000")
        << QStringLiteral(
               "\"image_max_bytes\" must be an integer from 1024 to 17179869184, got 1000");
    QTest::newRow("image_max_pixels zero")
        << withKey("image_max_pixels", "0")
        << QStringLiteral("\"image_max_pixels\" must be an integer from 1 to 17179869184, got 0");
    QTest::newRow("job_queue_limit fractional")
        << withKey("job_queue_limit", "1.5")
        << QStringLiteral("\"job_queue_limit\" must be an integer from 1 to 10000, got 1.5");
    QTest::newRow("image_standard_MBps zero")
        << withKey("image_standard_MBps", "0")
        << QStringLiteral("\"image_standard_MBps\" must be a number from 0.001 to 1000000, got 0");
    QTest::newRow("estimator_forgetting too small")
        << withKey("estimator_forgetting", "0.2")
        << QStringLiteral("\"estimator_forgetting\" must be a number from 0.5 to 1, got 0.2");
    QTest::newRow("estimator_confidence_half_life_s zero")
        << withKey("estimator_confidence_half_life_s", "0")
        << QStringLiteral(
               "\"estimator_confidence_half_life_s\" must be a number from 1 to 10000000, got 0");
    // Issue 16, slice "fairness".
    QTest::newRow("job_queue_per_submitter zero")
        << withKey("job_queue_per_submitter", "0")
        << QStringLiteral("\"job_queue_per_submitter\" must be an integer from 1 to 10000, got 0");
    QTest::newRow("job_submitter_byte_share over 1")
        << withKey("job_submitter_byte_share", "1.5")
        << QStringLiteral("\"job_submitter_byte_share\" must be a number from 0.01 to 1, got 1.5");
    // Issue 15, slice "local".
    QTest::newRow("plan_hash_passes zero")
        << withKey("plan_hash_passes", "0")
        << QStringLiteral("\"plan_hash_passes\" must be an integer from 1 to 64, got 0");
    QTest::newRow("plan_hash_read_MBps negative")
        << withKey("plan_hash_read_MBps", "-1")
        << QStringLiteral("\"plan_hash_read_MBps\" must be a number from 0 to 1000000, got -1");
    QTest::newRow("plan_hash_wait_ms over the client's patience")
        << withKey("plan_hash_wait_ms", "15000")
        << QStringLiteral("\"plan_hash_wait_ms\" must be an integer from 0 to 10000, got 15000");

    // Relay limits and bridge flood resistance (issue 15, "flood" slice).
    QTest::newRow("relay_budget_bytes too small")
        << withKey("relay_budget_bytes", "1000")
        << QStringLiteral(
               "\"relay_budget_bytes\" must be an integer from 1048576 to 1099511627776, got 1000");
    QTest::newRow("master_connections_per_address zero")
        << withKey("master_connections_per_address", "0")
        << QStringLiteral(
               "\"master_connections_per_address\" must be an integer from 1 to 65536, got 0");
    QTest::newRow("relay_min_rate_bytes_per_s negative")
        << withKey("relay_min_rate_bytes_per_s", "-1")
        << QStringLiteral("\"relay_min_rate_bytes_per_s\" must be an integer from 0 to "
                          "1073741824, got -1");
    QTest::newRow("relay_min_rate_window_s zero")
        << withKey("relay_min_rate_window_s", "0")
        << QStringLiteral("\"relay_min_rate_window_s\" must be an integer from 1 to 3600, got 0");
    QTest::newRow("bridge_prehello_per_address zero")
        << withKey("bridge_prehello_per_address", "0")
        << QStringLiteral(
               "\"bridge_prehello_per_address\" must be an integer from 1 to 4096, got 0");
    QTest::newRow("bridge_prehello_max string")
        << withKey("bridge_prehello_max", "\"32\"")
        << QStringLiteral("\"bridge_prehello_max\" must be an integer from 1 to 4096, got \"32\"");
    QTest::newRow("bridge_accept_retry_ms too small")
        << withKey("bridge_accept_retry_ms", "5")
        << QStringLiteral("\"bridge_accept_retry_ms\" must be an integer from 10 to 60000, got 5");

    QTest::newRow("same fixed port twice")
        << QByteArrayLiteral(R"({"master_port": 8080, "bridge_port": 8080})")
        << QStringLiteral("\"master_port\" and \"bridge_port\" are both 8080; fixed ports must "
                          "differ");
    QTest::newRow("data_port_base on the metrics port")
        << QByteArrayLiteral(R"({"metrics_port": 9100, "data_port_base": 9100})")
        << QStringLiteral("\"metrics_port\" and \"data_port_base\" are both 9100; fixed ports "
                          "must differ");

    const QString fileToken = QStringLiteral("\"require_file_token\" must be true or false, got ");
    QTest::newRow("require_file_token string")
        << withKey("require_file_token", "\"yes\"") << fileToken + QStringLiteral("\"yes\"");
    QTest::newRow("require_file_token number")
        << withKey("require_file_token", "1") << fileToken + QStringLiteral("1");
    QTest::newRow("require_file_token null")
        << withKey("require_file_token", "null") << fileToken + QStringLiteral("null");

    QTest::newRow("empty input") << QByteArray() << kNotJson;
    QTest::newRow("garbage bytes") << QByteArrayLiteral("\x00\xff\xfe\x13garbage") << kNotJson;
    QTest::newRow("invalid UTF-8 in a string")
        << QByteArrayLiteral("{\"export_root\": \"\xff\"}") << kNotJson;
    QTest::newRow("truncated") << QByteArrayLiteral(R"({"heartbeat_ms": 500, "suspect_after)")
                               << kNotJson;
    QTest::newRow("number out of double range") << withKey("w1", "1e400") << kNotJson;
    QTest::newRow("top-level array")
        << QByteArrayLiteral("[]") << QStringLiteral("the top level must be a JSON object");
    QTest::newRow("top-level string") << QByteArrayLiteral("\"pdds\"") << kNotJson;
}

void TestClusterConfig::rejected()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    const Expected<ClusterConfig> parsed = ClusterConfig::fromJson(json, kOrigin);
    QVERIFY(!parsed.hasValue());
    const QString expected = kOrigin + QStringLiteral(": ") + message;
    QVERIFY2(matches(parsed.error(), expected),
             qPrintable(parsed.error() + QStringLiteral("\n expected: ") + expected));
    QVERIFY2(!parsed.error().contains(QLatin1Char('\n')), qPrintable(parsed.error()));
}

void TestClusterConfig::sizeLimit()
{
    QByteArray atLimit = QByteArrayLiteral(R"({"heartbeat_ms": 250})");
    atLimit += QByteArray(ClusterConfig::kMaxFileBytes - atLimit.size(), ' ');
    const Expected<ClusterConfig> fits = ClusterConfig::fromJson(atLimit, kOrigin);
    QVERIFY2(fits.hasValue(), qPrintable(errorOf(fits)));
    QCOMPARE(fits->heartbeatMs, 250);
    const Expected<ClusterConfig> oversized = ClusterConfig::fromJson(atLimit + ' ', kOrigin);
    QVERIFY(!oversized.hasValue());
    QCOMPARE(oversized.error(),
             kOrigin + QStringLiteral(": larger than the limit of 1048576 bytes"));
}

void TestClusterConfig::loadShippedDefaults()
{
    const QString path = QStringLiteral(STARLING_RESOURCES_DIR "/config/starling.json");
    const Expected<ClusterConfig> loaded = ClusterConfig::load(path);
    QVERIFY2(loaded.hasValue(), qPrintable(errorOf(loaded)));
    QVERIFY(*loaded == ClusterConfig());

    // The shipped file lists every key, so users see all of them.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject shipped = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(shipped.keys(), ClusterConfig().toJson().keys());
}

void TestClusterConfig::loadErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QString missing = dir.filePath(QStringLiteral("missing.json"));
    const Expected<ClusterConfig> notThere = ClusterConfig::load(missing);
    QVERIFY(!notThere.hasValue());
    QCOMPARE(notThere.error(),
             missing + QStringLiteral(": cannot open: No such file or directory"));

    const Expected<ClusterConfig> directory = ClusterConfig::load(dir.path());
    QVERIFY(!directory.hasValue());
    QVERIFY2(directory.error().startsWith(dir.path() + QStringLiteral(": cannot open: ")),
             qPrintable(directory.error()));

    const QString garbage = dir.filePath(QStringLiteral("garbage.json"));
    QVERIFY(writeFile(garbage, QByteArrayLiteral("\x7f"
                                                 "ELF\x02\x01\x01\x00\x00")));
    const Expected<ClusterConfig> notJson = ClusterConfig::load(garbage);
    QVERIFY(!notJson.hasValue());
    QVERIFY2(notJson.error().startsWith(garbage + QStringLiteral(": not valid UTF-8 JSON")),
             qPrintable(notJson.error()));

    const QString big = dir.filePath(QStringLiteral("big.json"));
    QVERIFY(writeFile(big, "{}" + QByteArray(ClusterConfig::kMaxFileBytes, ' ')));
    const Expected<ClusterConfig> oversized = ClusterConfig::load(big);
    QVERIFY(!oversized.hasValue());
    QCOMPARE(oversized.error(), big + QStringLiteral(": larger than the limit of 1048576 bytes"));

    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    QVERIFY(writeFile(bad, withKey("heartbeat_ms", "\"fast\"")));
    const Expected<ClusterConfig> badValue = ClusterConfig::load(bad);
    QVERIFY(!badValue.hasValue());
    QCOMPARE(badValue.error(),
             bad + QStringLiteral(
                       ": \"heartbeat_ms\" must be an integer from 10 to 3600000, got \"fast\""));
}

void TestClusterConfig::loadUnreadable()
{
    if (::geteuid() == 0)
        QSKIP("root reads files whatever their mode; this case needs an ordinary user");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("unreadable.json"));
    QVERIFY(writeFile(path, "{}"));
    QVERIFY(QFile::setPermissions(path, QFile::WriteOwner));
    const Expected<ClusterConfig> unreadable = ClusterConfig::load(path);
    QVERIFY(!unreadable.hasValue());
    QCOMPARE(unreadable.error(), path + QStringLiteral(": cannot open: Permission denied"));
}

void TestClusterConfig::loadValidFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ClusterConfig c;
    c.heartbeatMs = 100;
    c.suspectAfterMs = 400;
    c.downAfterMs = 1000;
    c.strategy = sched::StrategyKind::Dynamic;
    const QString path = dir.filePath(QStringLiteral("cluster.json"));
    QVERIFY(writeFile(path, toBytes(c.toJson())));
    const Expected<ClusterConfig> loaded = ClusterConfig::load(path);
    QVERIFY2(loaded.hasValue(), qPrintable(errorOf(loaded)));
    QVERIFY(*loaded == c);
}

void TestClusterConfig::loadResolvesTlsPathsAgainstTheConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("cluster.json"));
    QVERIFY(writeFile(path, R"({"tls_cert": "tls/server.pem", "tls_key": "/etc/k.pem",
                                 "tls_ca": "../ca.pem"})"));
    const Expected<ClusterConfig> loaded = ClusterConfig::load(path);
    QVERIFY2(loaded.hasValue(), qPrintable(errorOf(loaded)));
    QCOMPARE(loaded->tlsCert, dir.filePath(QStringLiteral("tls/server.pem")));
    QCOMPARE(loaded->tlsKey, QStringLiteral("/etc/k.pem"));
    QCOMPARE(loaded->tlsCa, QDir::cleanPath(dir.path() + QStringLiteral("/../ca.pem")));
    QVERIFY(loaded->tlsEnabled());
}

QTEST_APPLESS_MAIN(TestClusterConfig)
#include "tst_clusterconfig.moc"
