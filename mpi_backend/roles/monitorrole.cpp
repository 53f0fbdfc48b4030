#include "monitorrole.h"

#include "bridge/historypage.h"
#include "bridge/metricsformatter.h"
#include "cluster/adminstatetable.h"
#include "cluster/operatorcommand.h"
#include "cluster/peerloss.h"
#include "cluster/statefile.h"
#include "cluster/statereport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <unistd.h>

namespace starling::mpi {

namespace {
QJsonObject parse(const QByteArray &payload)
{
    return QJsonDocument::fromJson(payload).object();
}

std::int64_t wallMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

MonitorRole::MonitorRole(Transport &transport, const NodeOptions &options, QObject *parent)
    : QObject(parent), m_transport(transport), m_options(options),
      m_detector(options.config.suspectAfterMs, options.config.downAfterMs),
      m_builder(transport.size(), size_t(options.config.historyLength),
                std::uint64_t(QDateTime::currentMSecsSinceEpoch())),
      m_history(qint64(options.config.historyMinutes) * 60'000, options.config.historyPoints),
      m_token(cluster::StateReport::tokenFromEnvironment().toLatin1()),
      m_selfTimer(options.config.heartbeatMs), m_fresh(size_t(transport.size()), false)
{
    m_sampler.setLink(options.link);
    m_clock.start();
    for (int rank = cluster::kFirstSlaveRank; rank < transport.size(); ++rank) {
        m_detector.watch(rank, monotonicMs());
        m_builder.setEmulation(rank, options.profile.forSlave(cluster::slaveIndex(rank)));
    }
    protocol::RankHello hello;
    hello.rank = kMonitorRank;
    hello.role = toString(cluster::NodeRole::Monitor);
    hello.pid = ::getpid();
    hello.host = options.hostName;
    m_builder.setHello(kMonitorRank, hello);
    connect(&m_transport, &Transport::received, this, &MonitorRole::onMessage);
    connect(&m_transport, &Transport::peerLost, this, &MonitorRole::onPeerLost);
    m_livenessTimer.setInterval(std::max(10, options.config.heartbeatMs / 2));
    connect(&m_livenessTimer, &QTimer::timeout, this, &MonitorRole::checkLiveness);
    // Heartbeats arrive in rounds (every rank ticks on the same wall-clock instants). When
    // snapshots are no more frequent than heartbeats, a snapshot goes out as soon as a round is
    // complete, so what clients see is milliseconds old; the timer only covers rounds that
    // never complete (a slave went quiet). Faster snapshot rates simply run on the timer.
    m_roundMode = snapshotGapMs() >= options.config.heartbeatMs;
    m_snapshotTimer.setInterval(m_roundMode ? std::max(10, snapshotGapMs() / 4) : snapshotGapMs());
    connect(&m_snapshotTimer, &QTimer::timeout, this,
            m_roundMode ? &MonitorRole::publishIfOverdue : &MonitorRole::publishSnapshot);
    connect(&m_selfTimer, &AlignedTicker::tick, this, &MonitorRole::sampleSelf);
}

MonitorRole::~MonitorRole() = default;

Expected<bool> MonitorRole::start()
{
    const cluster::ClusterConfig &config = m_options.config;
    // The bridge and /metrics: loopback unless the operator opens them (service_host).
    const QHostAddress host(config.serviceHost);
    bridge::BridgeServer::Config bridgeConfig;
    bridgeConfig.token = m_token;
    bridgeConfig.lineLimit = config.bridgeLineLimitBytes;
    bridgeConfig.clientBufferLimit = config.bridgeClientBufferBytes;
    bridgeConfig.maxClients = config.bridgeMaxClients;
    bridgeConfig.helloTimeoutMs = config.bridgeHelloTimeoutMs;
    bridgeConfig.preHelloPerAddress = config.bridgePreHelloPerAddress;
    bridgeConfig.preHelloMax = config.bridgePreHelloMax;
    bridgeConfig.acceptRetryMs = config.bridgeAcceptRetryMs;
    bridgeConfig.certificatePem = m_options.tls.certificate;
    bridgeConfig.privateKeyPem = m_options.tls.privateKey;
    m_bridge = std::make_unique<bridge::BridgeServer>(bridgeConfig);
    const auto bridgePort = m_bridge->listen(host, quint16(config.bridgePort));
    if (!bridgePort)
        return Error{QStringLiteral("bridge: %1").arg(bridgePort.error())};
    m_bridgePort = *bridgePort;
    connect(m_bridge.get(), &bridge::BridgeServer::commandReceived, this,
            &MonitorRole::onCommandFromBridge);

    m_metricsServer = std::make_unique<http::HttpServer>([this](const http::HttpRequest &request) {
        if (request.path != "/metrics")
            return http::HttpResponse::text(404, "not found: try /metrics\n");
        std::lock_guard lock(m_metricsMutex);
        http::HttpResponse response = http::HttpResponse::text(
            200, m_metricsText.isEmpty() ? QByteArray("# no snapshot yet\n") : m_metricsText);
        response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        return response;
    });
    m_metricsServer->setTls(m_options.tls);
    const auto metricsPort = m_metricsServer->listen(host, quint16(config.metricsPort));
    if (!metricsPort)
        return Error{QStringLiteral("metrics: %1").arg(metricsPort.error())};
    m_metricsPort = *metricsPort;

    writeStartupProgress();
    m_livenessTimer.start();
    m_snapshotTimer.start();
    m_selfTimer.start();
    sampleSelf();
    m_transport.watchPeers({kMasterRank}, config.peerProbeMs);
    return true;
}

void MonitorRole::onMessage(int source, Tag tag, const QByteArray &payload)
{
    if (m_stopped)
        return;
    switch (tag) {
    case Tag::Hello:
        onHello(source, protocol::RankHello::fromJson(parse(payload)));
        break;
    case Tag::Heartbeat:
        onHeartbeat(source, parse(payload));
        break;
    case Tag::AdminState:
        if (source == kMasterRank) {
            m_builder.setAdminState(parse(payload));
            reportStateIfReady();
        }
        break;
    case Tag::CommandReply:
        if (source == kMasterRank)
            onCommandReply(protocol::CommandReply::fromJson(parse(payload)));
        break;
    case Tag::Event:
        if (source == kMasterRank)
            m_bridge->publishEvent(parse(payload));
        break;
    case Tag::PeerLost:
        if (source == kMasterRank)
            onSlaveExited(parse(payload));
        break;
    case Tag::CostEstimates: // shown from the next snapshot on
        if (source == kMasterRank)
            m_builder.setCostEstimates(protocol::CostEstimatesMessage::fromJson(parse(payload)));
        break;
    case Tag::Shutdown:
        if (source == kMasterRank)
            shutdown();
        break;
    default:
        break;
    }
}

void MonitorRole::onSlaveExited(const QJsonObject &message)
{
    const cluster::PeerLoss loss = cluster::PeerLoss::fromJson(message);
    if (!cluster::isSlaveRank(loss.rank) || loss.rank >= m_transport.size())
        return;
    if (m_detector.markExited(loss.rank, monotonicMs()))
        publishSnapshot(); // DOWN now, not after down_after_ms of silence
}

void MonitorRole::onPeerLost(int rank, const QString &detail)
{
    if (m_stopped || rank != kMasterRank)
        return;
    // The master holds the node table, the API and every plan: without it the cluster is over.
    // The slaves are told so (they would otherwise learn it from their own probes).
    std::fprintf(stderr,
                 "starling-node monitor: the master is gone (%s); the cluster ends. Start it again "
                 "with: starling restart\n",
                 qPrintable(detail));
    for (int slave = m_transport.size() - 1; slave >= 2; --slave)
        m_transport.send(slave, Tag::Shutdown, QByteArray("{}"));
    shutdown();
}

void MonitorRole::onHello(int source, const protocol::RankHello &hello)
{
    m_builder.setHello(source, hello);
    writeStartupProgress();
    reportStateIfReady();
}

void MonitorRole::onHeartbeat(int source, const QJsonObject &stats)
{
    m_builder.addSample(source, cluster::NodeStats::fromJson(stats), monotonicMs());
    if (source < 2)
        return;
    m_fresh[size_t(source)] = true;
    if (const auto change = m_detector.heartbeat(source, monotonicMs())) {
        m_transport.send(kMasterRank, Tag::Liveness,
                         protocol::LivenessReport{source, toString(change->to), {}}.toJson());
        publishSnapshot(); // a returning node should show at once, not at the next tick
        return;
    }
    if (m_roundMode)
        publishIfRoundComplete();
}

int MonitorRole::snapshotGapMs() const
{
    return std::max(20, int(1000.0 / m_options.config.snapshotHz));
}

void MonitorRole::publishIfRoundComplete()
{
    // Not sooner than 80% of the gap: the configured rate is an upper bound.
    if (monotonicMs() - m_lastPublishMs < snapshotGapMs() * 4 / 5)
        return;
    for (int rank = cluster::kFirstSlaveRank; rank < m_transport.size(); ++rank) {
        if (!m_fresh[size_t(rank)] && m_detector.liveness(rank) == cluster::Liveness::Alive)
            return;
    }
    publishSnapshot();
}

void MonitorRole::publishIfOverdue()
{
    if (monotonicMs() - m_lastPublishMs >= snapshotGapMs() * 5 / 4)
        publishSnapshot();
}

void MonitorRole::checkLiveness()
{
    const auto changes = m_detector.evaluate(monotonicMs());
    for (const cluster::LivenessChange &change : changes) {
        m_transport.send(
            kMasterRank, Tag::Liveness,
            protocol::LivenessReport{change.rank, toString(change.to), change.silentMs}.toJson());
    }
    if (!changes.empty())
        publishSnapshot();
}

void MonitorRole::sampleSelf()
{
    cluster::NodeStats stats;
    m_sampler.sample(stats, wallMs());
    m_builder.addSample(kMonitorRank, stats, monotonicMs());
}

void MonitorRole::publishSnapshot()
{
    // Nothing before the master's table: clients would see default states and weights, not
    // the ones restored from the run directory.
    if (!m_builder.hasAdminState())
        return;
    m_lastPublishMs = monotonicMs();
    std::fill(m_fresh.begin(), m_fresh.end(), false);
    const cluster::ClusterSnapshot snapshot = m_builder.build(wallMs(), monotonicMs(), m_detector);
    m_history.record(snapshot);
    const QJsonObject json = snapshot.toJson();
    m_bridge->publishSnapshot(json);
    m_transport.send(kMasterRank, Tag::Snapshot, json);
    QByteArray text =
        bridge::formatPrometheus(snapshot, {m_bridge->clientCount(), m_bridge->droppedSnapshots(),
                                            m_bridge->tooSlowClosures()});
    std::lock_guard lock(m_metricsMutex);
    m_metricsText = std::move(text);
}

void MonitorRole::onCommandFromBridge(quint64 clientId, const QString &clientName,
                                      const QJsonObject &command)
{
    const QString id = command.value(QLatin1String("id")).toString();
    if (bridge::HistoryRequest::isHistoryRequest(command)) {
        serveHistoryPage(clientId, id, command);
        return;
    }
    if (command.value(QLatin1String("op")).toString() == QLatin1String("history")) {
        // Served here: the monitor holds the history, the master does not.
        const QString nodeName = command.value(QLatin1String("node")).toString();
        for (int rank = 0; rank < m_builder.worldSize(); ++rank) {
            if (cluster::nodeName(rank) != nodeName)
                continue;
            // Bounded so the reply fits a client's send buffer (~450 bytes a sample).
            constexpr int kMaxSamples = 1000;
            const int limit = std::clamp(command.value(QLatin1String("limit")).toInt(kMaxSamples),
                                         1, kMaxSamples);
            const auto &history = m_builder.history(rank);
            QJsonArray samples;
            for (size_t i = history.size() - std::min(history.size(), size_t(limit));
                 i < history.size(); ++i)
                samples.append(history[i].toJson());
            m_bridge->reply(
                clientId, id,
                {{QLatin1String("node"), nodeName}, {QLatin1String("samples"), samples}});
            return;
        }
        m_bridge->replyError(clientId, id, QStringLiteral("unknown_node"),
                             QStringLiteral("unknown node \"%1\"").arg(nodeName.left(64)));
        return;
    }
    // Check the shape here so garbage never reaches the master; the master checks meaning.
    const auto parsed = cluster::OperatorCommand::fromJson(command, clientName);
    if (!parsed) {
        m_bridge->replyError(clientId, id, parsed.errorCode(), parsed.error());
        return;
    }
    m_transport.send(
        kMasterRank, Tag::Command,
        protocol::CommandRequest{QString::number(clientId), clientName, command}.toJson());
}

int MonitorRole::rankOfNode(const QString &name) const
{
    for (int rank = 0; rank < m_builder.worldSize(); ++rank) {
        if (cluster::nodeName(rank) == name)
            return rank;
    }
    return -1;
}

void MonitorRole::serveHistoryPage(quint64 clientId, const QString &id, const QJsonObject &command)
{
    const auto request = bridge::HistoryRequest::fromCommand(command);
    if (!request) {
        m_bridge->replyError(clientId, id, request.errorCode(), request.error());
        return;
    }
    const int rank = rankOfNode(request->node);
    if (rank < 0) {
        m_bridge->replyError(clientId, id, QStringLiteral("unknown_node"),
                             QStringLiteral("unknown node \"%1\"").arg(request->node));
        return;
    }
    // Pages cut to fit the client's queue: a full one (~110 KB) would close a client with a
    // small buffer as too slow, and the console would reconnect and ask again forever.
    const int limit =
        std::min(request->limit,
                 bridge::HistoryPage::maxSamplesFor(m_options.config.bridgeClientBufferBytes));
    const cluster::HistoryStore::Page page = m_history.page(rank, request->afterMs, limit);
    m_bridge->reply(clientId, id,
                    bridge::HistoryPage{request->node, page.samples, page.more}.toJson());
}

void MonitorRole::onCommandReply(const protocol::CommandReply &reply)
{
    const quint64 clientId = reply.clientId.toULongLong();
    if (reply.ok)
        m_bridge->reply(clientId, reply.id, reply.result);
    else
        m_bridge->replyError(clientId, reply.id, reply.code, reply.message);
}

void MonitorRole::writeStartupProgress() const
{
    QJsonArray reported, missing;
    for (int rank = 0; rank < m_builder.worldSize(); ++rank)
        (m_builder.hasHello(rank) ? reported : missing).append(cluster::nodeName(rank));
    QSaveFile file(QDir(m_options.runDir).filePath(QStringLiteral("startup.json")));
    if (!file.open(QIODevice::WriteOnly))
        return;
    file.write(QJsonDocument(QJsonObject{{QLatin1String("reported"), reported},
                                         {QLatin1String("missing"), missing}})
                   .toJson(QJsonDocument::Compact));
    file.commit();
}

void MonitorRole::reportStateIfReady()
{
    if (m_stateReported || !m_builder.hasAdminState())
        return;
    for (int rank = 0; rank < m_builder.worldSize(); ++rank) {
        if (!m_builder.hasHello(rank))
            return;
    }
    const QString bind = m_options.config.serviceHost;
    cluster::ClusterStateFile state;
    state.masterUrl = m_builder.hello(kMasterRank).url;
    state.bridgeHost = bind;
    state.bridgePort = m_bridgePort;
    state.metricsUrl =
        QStringLiteral("%1://%2:%3/metrics")
            .arg(m_options.tls.isEnabled() ? QLatin1String("https") : QLatin1String("http"), bind)
            .arg(m_metricsPort);
    state.token = QString::fromLatin1(m_token);
    for (int rank = 0; rank < m_builder.worldSize(); ++rank)
        state.nodePids.push_back(m_builder.hello(rank).pid);
    state.runDir = m_options.runDir;
    state.startedAtMs = wallMs();
    state.slaves = cluster::slaveCount(m_builder.worldSize());
    state.exportRoot = m_options.config.exportRoot;
    state.profilePath = m_options.profilePath;
    // `starling up` writes the state file on its own host from this line (cluster/statereport.h).
    const QByteArray report = cluster::StateReport::line(state);
    std::fwrite(report.constData(), 1, size_t(report.size()), stdout);
    std::fflush(stdout);
    m_stateReported = true;
    std::fprintf(stderr, "starling-node monitor: cluster ready, %d slaves, bridge %s:%u\n",
                 state.slaves, qPrintable(bind), unsigned(m_bridgePort));
    publishSnapshot();
}

void MonitorRole::shutdown()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_livenessTimer.stop();
    m_snapshotTimer.stop();
    m_selfTimer.stop();
    m_metricsServer->stop();
    // Remove the state file only if it is ours: a newer cluster may have replaced it.
    const QString path = cluster::stateFilePath(m_options.runDir);
    const auto state = cluster::readStateFile(path);
    if (state && state->token.toLatin1() == m_token)
        QFile::remove(path);
    QFile::remove(QDir(m_options.runDir).filePath(QStringLiteral("startup.json")));
    m_bridge->close();
    emit finished();
}

} // namespace starling::mpi
