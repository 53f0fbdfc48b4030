#include "clusterconfig.h"

#include "util/jsonfile.h"
#include "util/jsonobjectreader.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QStringList>

#include <functional>
#include <iterator>
#include <utility>

namespace starling::cluster {

namespace {

using util::JsonObjectReader;
using util::NumberRange;
using util::StringRule;

constexpr qint64 kMaxPort = 65535;

QLatin1String key(const char *name)
{
    return QLatin1String(name);
}

QString strategyNames()
{
    QStringList names;
    for (sched::StrategyKind kind : sched::allStrategyKinds())
        names.append(sched::toString(kind));
    return names.join(QStringLiteral(", "));
}

// Parsed with the class the servers bind with, so whatever passes here can be bound to.
bool isIpAddress(const QString &text)
{
    return QHostAddress().setAddress(text);
}

bool isBindable(const QString &text)
{
    return text == kRankHostAddress || isIpAddress(text);
}

// An advertised address must be one a client can connect to: never a wildcard.
bool isAdvertisable(const QString &text)
{
    return text.isEmpty() || text == kRankHostAddress ||
           (isIpAddress(text) && QHostAddress(text) != QHostAddress::AnyIPv4 &&
            QHostAddress(text) != QHostAddress::AnyIPv6);
}

const StringRule kBindRule{isBindable, QStringLiteral("an IPv4 or IPv6 address or \"host\"")};
const StringRule kAdvertiseRule{
    isAdvertisable, QStringLiteral("an IPv4 or IPv6 address that is not a wildcard, or \"host\"")};

// {"NAME": {"bind_host": ..., "advertise_host": ...}, ...}; accept(NAME) judges the names.
void readOverrides(JsonObjectReader &reader, QLatin1String key,
                   const std::function<bool(const QString &)> &accept, const QString &what,
                   std::map<QString, AddressOverride> &out)
{
    const QJsonObject object = reader.readObject(key, ClusterConfig::kMaxAddressOverrides);
    for (auto it = object.begin(); it != object.end() && reader.ok(); ++it) {
        if (!accept(it.key())) {
            reader.fail(QStringLiteral("\"%1\" has the key %2, which is not %3")
                            .arg(key, util::describeJsonValue(it.key()), what));
            return;
        }
        if (!it.value().isObject()) {
            reader.fail(QStringLiteral("\"%1\".%2 must be an object, got %3")
                            .arg(key, util::describeJsonValue(it.key()),
                                 util::describeJsonValue(it.value())));
            return;
        }
        JsonObjectReader inner(it.value().toObject(),
                               QStringLiteral("%1: \"%2\".%3")
                                   .arg(reader.context(), key, util::describeJsonValue(it.key())));
        AddressOverride entry;
        inner.readString(QLatin1String("bind_host"), entry.bindHost, kBindRule);
        inner.readString(QLatin1String("advertise_host"), entry.advertiseHost, kAdvertiseRule);
        inner.rejectUnknownKeys();
        if (!inner.ok()) {
            reader.fail(inner.error().mid(reader.context().size() + 2));
            return;
        }
        out[it.key()] = entry;
    }
}

bool isHostName(const QString &text)
{
    static const QRegularExpression kHost(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$"));
    return kHost.match(text).hasMatch();
}

void readEndpoints(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readString(key("bind_host"), c.bindHost, kBindRule);
    reader.readString(key("advertise_host"), c.advertiseHost, kAdvertiseRule);
    reader.readString(key("service_host"), c.serviceHost,
                      StringRule{isIpAddress, QStringLiteral("an IPv4 or IPv6 address")});
    readOverrides(
        reader, key("roles"),
        [](const QString &role) {
            return role == QLatin1String("master") || role == QLatin1String("slave");
        },
        QStringLiteral("a role with servers (\"master\" or \"slave\")"), c.roleAddresses);
    readOverrides(reader, key("hosts"), isHostName, QStringLiteral("a host name or address"),
                  c.hostAddresses);
    reader.readInteger(key("master_port"), 0, kMaxPort, c.masterPort);
    reader.readInteger(key("bridge_port"), 0, kMaxPort, c.bridgePort);
    reader.readInteger(key("metrics_port"), 0, kMaxPort, c.metricsPort);
    reader.readInteger(key("data_port_base"), 0, kMaxPort, c.dataPortBase);
    reader.readString(key("export_root"), c.exportRoot,
                      StringRule{[](const QString &s) { return !s.isEmpty(); },
                                 QStringLiteral("a non-empty path")});
}

void readTiming(JsonObjectReader &reader, ClusterConfig &c)
{
    const qint64 lo = ClusterConfig::kMinHeartbeatMs;
    const qint64 hi = ClusterConfig::kMaxTimingMs;
    reader.readInteger(key("heartbeat_ms"), lo, hi, c.heartbeatMs);
    reader.readInteger(key("suspect_after_ms"), lo, hi, c.suspectAfterMs);
    reader.readInteger(key("down_after_ms"), lo, hi, c.downAfterMs);
    reader.readInteger(key("peer_probe_ms"), lo, 60000, c.peerProbeMs);
    reader.readNumber(key("snapshot_hz"), NumberRange{0.1, 50}, c.snapshotHz);
    reader.readInteger(key("history_length"), 1, 100000, c.historyLength);
    reader.readInteger(key("history_minutes"), 1, 1440, c.historyMinutes);
    reader.readInteger(key("history_points"), 60, 20000, c.historyPoints);
    reader.readNumber(key("startup_timeout_s"), NumberRange{1, 600}, c.startupTimeoutS);
}

void readBridge(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("bridge_max_clients"), 1, 4096, c.bridgeMaxClients);
    reader.readInteger(key("bridge_line_limit_bytes"), 1024, 16777216, c.bridgeLineLimitBytes);
    reader.readInteger(key("bridge_client_buffer_bytes"), 65536, 1073741824,
                       c.bridgeClientBufferBytes);
}

void readJobs(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("image_max_bytes"), 1024, qint64(16) << 30, c.imageMaxBytes);
    reader.readInteger(key("image_max_pixels"), 1, qint64(1) << 34, c.imageMaxPixels);
    reader.readInteger(key("job_queue_limit"), 1, 10000, c.jobQueueLimit);
    reader.readInteger(key("jobs_kept"), 1, 10000, c.jobsKept);
    reader.readNumber(key("image_standard_MBps"), NumberRange{0.001, 1e6}, c.imageStandardMBps);
}

// Slice "uploads" (issue 15): bounded job uploads.
void readUploadBounds(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("job_upload_slots"), 1, 256, c.jobUploadSlots);
    reader.readInteger(key("job_byte_budget"), qint64(1) << 20, qint64(1) << 40, c.jobByteBudget);
}

// Relay limits and bridge flood resistance (issue 15, "flood" slice).
void readFloodLimits(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("relay_budget_bytes"), qint64(1) << 20, qint64(1) << 40,
                       c.relayBudgetBytes);
    reader.readInteger(key("relay_busy_wait_ms"), 0, 60000, c.relayBusyWaitMs);
    reader.readInteger(key("master_connections_per_address"), 1, 65536,
                       c.masterConnectionsPerAddress);
    reader.readInteger(key("relay_min_rate_bytes_per_s"), 0, qint64(1) << 30,
                       c.relayMinRateBytesPerS);
    reader.readInteger(key("relay_min_rate_window_s"), 1, 3600, c.relayMinRateWindowS);
    reader.readInteger(key("bridge_prehello_per_address"), 1, 4096, c.bridgePreHelloPerAddress);
    reader.readInteger(key("bridge_prehello_max"), 1, 4096, c.bridgePreHelloMax);
    reader.readInteger(key("bridge_hello_timeout_ms"), 100, 600000, c.bridgeHelloTimeoutMs);
    reader.readInteger(key("bridge_accept_retry_ms"), 10, 60000, c.bridgeAcceptRetryMs);
}

void readScheduling(JsonObjectReader &reader, ClusterConfig &c)
{
    QString strategy = sched::toString(c.strategy);
    reader.readString(
        key("strategy"), strategy,
        StringRule{[](const QString &s) { return sched::strategyKindFromString(s).has_value(); },
                   QStringLiteral("one of ") + strategyNames()});
    c.strategy = sched::strategyKindFromString(strategy).value_or(c.strategy);
    const NumberRange weight{0, 0, false, true};
    reader.readNumber(key("w1"), weight, c.w1);
    reader.readNumber(key("w2"), weight, c.w2);
}

// Issue 15, slice "local": planning huge files. The wait stays well below the 15 s a client
// gives one plan request.
void readPlanHashing(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("plan_hash_passes"), 1, 64, c.planHashPasses);
    reader.readNumber(key("plan_hash_read_MBps"), NumberRange{0, 1e6}, c.planHashReadMBps);
    reader.readInteger(key("plan_hash_wait_ms"), 0, 10000, c.planHashWaitMs);
}

// The failure detector needs heartbeats more often than it suspects, and suspects before it
// declares a node down; equal values would skip a state.
void checkTimingOrder(JsonObjectReader &reader, const ClusterConfig &c)
{
    if (c.suspectAfterMs <= c.heartbeatMs) {
        reader.fail(QStringLiteral("\"suspect_after_ms\" must be greater than \"heartbeat_ms\" "
                                   "(%1), got %2")
                        .arg(c.heartbeatMs)
                        .arg(c.suspectAfterMs));
    }
    if (c.downAfterMs <= c.suspectAfterMs) {
        reader.fail(QStringLiteral("\"down_after_ms\" must be greater than \"suspect_after_ms\" "
                                   "(%1), got %2")
                        .arg(c.suspectAfterMs)
                        .arg(c.downAfterMs));
    }
}

// Two services cannot listen on one fixed port; slave 0's data server uses data_port_base.
void checkDistinctPorts(JsonObjectReader &reader, const ClusterConfig &c)
{
    const std::pair<const char *, quint16> ports[] = {{"master_port", c.masterPort},
                                                      {"bridge_port", c.bridgePort},
                                                      {"metrics_port", c.metricsPort},
                                                      {"data_port_base", c.dataPortBase}};
    for (size_t i = 0; i < std::size(ports); ++i) {
        for (size_t j = i + 1; j < std::size(ports); ++j) {
            if (ports[i].second != 0 && ports[i].second == ports[j].second) {
                reader.fail(QStringLiteral("\"%1\" and \"%2\" are both %3; fixed ports must differ")
                                .arg(QLatin1String(ports[i].first), QLatin1String(ports[j].first))
                                .arg(ports[i].second));
            }
        }
    }
}

void checkWeights(JsonObjectReader &reader, const ClusterConfig &c)
{
    if (c.w1 == 0 && c.w2 == 0)
        reader.fail(QStringLiteral("\"w1\" and \"w2\" must not both be 0 (PDDS would weigh "
                                   "neither speed nor bandwidth)"));
}

// TLS slice. Whether the files are good PEM is checked where they are used (tls::TlsIdentity,
// at `starling up` and at every rank's start); here only that they come as a pair.
void readTls(JsonObjectReader &reader, ClusterConfig &c)
{
    const StringRule path{[](const QString &s) { return s.size() <= 4096; },
                          QStringLiteral("a path (\"\" = none)")};
    reader.readString(key("tls_cert"), c.tlsCert, path);
    reader.readString(key("tls_key"), c.tlsKey, path);
    reader.readString(key("tls_ca"), c.tlsCa, path);
    if (c.tlsCert.isEmpty() != c.tlsKey.isEmpty())
        reader.fail(
            QStringLiteral("\"tls_cert\" and \"tls_key\" go together: set both or neither"));
    if (!c.tlsCa.isEmpty() && c.tlsCert.isEmpty())
        reader.fail(QStringLiteral("\"tls_ca\" needs \"tls_cert\" and \"tls_key\""));
}

// Estimator slice (issue 16).
void readEstimator(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readNumber(key("estimator_forgetting"), NumberRange{0.5, 1.0}, c.estimatorForgetting);
    reader.readNumber(key("estimator_confidence_half_life_s"), NumberRange{1, 1e7},
                      c.estimatorConfidenceHalfLifeS);
}

// Issue 16, slice "fairness": per-submitter quotas of the job queue and byte budget.
void readFairShare(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("job_queue_per_submitter"), 1, 10000, c.jobQueuePerSubmitter);
    reader.readNumber(key("job_submitter_byte_share"), NumberRange{0.01, 1},
                      c.jobSubmitterByteShare);
}

// Issue 16, showing the estimates.
void readEstimateDisplay(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("estimate_publish_ms"), 100, 60000, c.estimatePublishMs);
}

// Issue 16, slice "runner": jobs running at once.
void readJobOverlap(JsonObjectReader &reader, ClusterConfig &c)
{
    reader.readInteger(key("job_overlap"), 1, 16, c.jobOverlap);
}

QString resolvedAgainst(const QDir &base, const QString &path)
{
    return path.isEmpty() ? path : QDir::cleanPath(base.absoluteFilePath(path));
}

QJsonObject overridesToJson(const std::map<QString, AddressOverride> &overrides)
{
    QJsonObject object;
    for (const auto &[name, entry] : overrides) {
        QJsonObject inner;
        if (!entry.bindHost.isEmpty())
            inner.insert(QLatin1String("bind_host"), entry.bindHost);
        if (!entry.advertiseHost.isEmpty())
            inner.insert(QLatin1String("advertise_host"), entry.advertiseHost);
        object.insert(name, inner);
    }
    return object;
}

// The keys added for issues 15 and 16 (security, scheduling), in the order they came.
QJsonObject laterKeysToJson(const ClusterConfig &c)
{
    return {
        // Issue 15, slice "local".
        {key("plan_hash_passes"), c.planHashPasses},
        {key("plan_hash_read_MBps"), c.planHashReadMBps},
        {key("plan_hash_wait_ms"), c.planHashWaitMs},
        // Security, "who may do what" slice.
        {key("require_file_token"), c.requireFileToken},
        // Slice "uploads" (issue 15).
        {key("job_upload_slots"), c.jobUploadSlots},
        {key("job_byte_budget"), c.jobByteBudget},
        // Relay limits and bridge flood resistance (issue 15, "flood" slice).
        {key("relay_budget_bytes"), c.relayBudgetBytes},
        {key("relay_busy_wait_ms"), c.relayBusyWaitMs},
        {key("master_connections_per_address"), c.masterConnectionsPerAddress},
        {key("relay_min_rate_bytes_per_s"), c.relayMinRateBytesPerS},
        {key("relay_min_rate_window_s"), c.relayMinRateWindowS},
        {key("bridge_prehello_per_address"), c.bridgePreHelloPerAddress},
        {key("bridge_prehello_max"), c.bridgePreHelloMax},
        {key("bridge_hello_timeout_ms"), c.bridgeHelloTimeoutMs},
        {key("bridge_accept_retry_ms"), c.bridgeAcceptRetryMs},
        // TLS slice
        {key("tls_cert"), c.tlsCert},
        {key("tls_key"), c.tlsKey},
        {key("tls_ca"), c.tlsCa},
        // Estimator slice (issue 16)
        {key("estimator_forgetting"), c.estimatorForgetting},
        {key("estimator_confidence_half_life_s"), c.estimatorConfidenceHalfLifeS},
        // Issue 16, slice "fairness".
        {key("job_queue_per_submitter"), c.jobQueuePerSubmitter},
        {key("job_submitter_byte_share"), c.jobSubmitterByteShare},
        // Issue 16, showing the estimates.
        {key("estimate_publish_ms"), c.estimatePublishMs},
        {key("job_overlap"), c.jobOverlap}, // issue 16, slice "runner"
    };
}

} // namespace

QJsonObject ClusterConfig::toJson() const
{
    QJsonObject object{
        {key("bind_host"), bindHost},
        {key("advertise_host"), advertiseHost},
        {key("service_host"), serviceHost},
        {key("roles"), overridesToJson(roleAddresses)},
        {key("hosts"), overridesToJson(hostAddresses)},
        {key("master_port"), masterPort},
        {key("bridge_port"), bridgePort},
        {key("metrics_port"), metricsPort},
        {key("data_port_base"), dataPortBase},
        {key("export_root"), exportRoot},
        {key("heartbeat_ms"), heartbeatMs},
        {key("suspect_after_ms"), suspectAfterMs},
        {key("down_after_ms"), downAfterMs},
        {key("peer_probe_ms"), peerProbeMs},
        {key("snapshot_hz"), snapshotHz},
        {key("history_length"), historyLength},
        {key("history_minutes"), historyMinutes},
        {key("history_points"), historyPoints},
        {key("bridge_max_clients"), bridgeMaxClients},
        {key("bridge_line_limit_bytes"), bridgeLineLimitBytes},
        {key("bridge_client_buffer_bytes"), bridgeClientBufferBytes},
        {key("strategy"), sched::toString(strategy)},
        {key("w1"), w1},
        {key("w2"), w2},
        {key("startup_timeout_s"), startupTimeoutS},
        {key("image_max_bytes"), imageMaxBytes},
        {key("image_max_pixels"), imageMaxPixels},
        {key("job_queue_limit"), jobQueueLimit},
        {key("jobs_kept"), jobsKept},
        {key("image_standard_MBps"), imageStandardMBps},
    };
    const QJsonObject later = laterKeysToJson(*this);
    for (auto it = later.begin(); it != later.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

Expected<ClusterConfig> ClusterConfig::fromJson(const QByteArray &json, const QString &origin)
{
    const Expected<QJsonObject> root = util::parseJsonObject(json, origin, kMaxFileBytes);
    if (!root)
        return Error{root.error()};
    JsonObjectReader reader(*root, origin);
    ClusterConfig config;
    readEndpoints(reader, config);
    readTiming(reader, config);
    readBridge(reader, config);
    readJobs(reader, config);
    readScheduling(reader, config);
    readPlanHashing(reader, config);
    // Security, "who may do what" slice.
    reader.readBool(key("require_file_token"), config.requireFileToken);
    readUploadBounds(reader, config);
    readFloodLimits(reader, config);     // issue 15, "flood" slice
    readTls(reader, config);             // TLS slice
    readEstimator(reader, config);       // estimator slice
    readFairShare(reader, config);       // issue 16, slice "fairness"
    readEstimateDisplay(reader, config); // issue 16, showing the estimates
    readJobOverlap(reader, config);      // issue 16, slice "runner"
    reader.rejectUnknownKeys();
    checkTimingOrder(reader, config);
    checkDistinctPorts(reader, config);
    checkWeights(reader, config);
    if (!reader.ok())
        return Error{reader.error()};
    return config;
}

Expected<ClusterConfig> ClusterConfig::load(const QString &path)
{
    const Expected<QByteArray> bytes = util::readSmallFile(path, kMaxFileBytes);
    if (!bytes)
        return Error{bytes.error()};
    auto config = fromJson(*bytes, path);
    if (!config)
        return config;
    // TLS slice: the ranks may run elsewhere than where `up` was typed.
    ClusterConfig resolved = std::move(config).value();
    const QDir base = QFileInfo(path).absoluteDir();
    resolved.tlsCert = resolvedAgainst(base, resolved.tlsCert);
    resolved.tlsKey = resolvedAgainst(base, resolved.tlsKey);
    resolved.tlsCa = resolvedAgainst(base, resolved.tlsCa);
    return resolved;
}

} // namespace starling::cluster
