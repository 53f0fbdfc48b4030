#include "masterrole.h"

#include "cluster/peerloss.h"
#include "protocol/costestimatesmessage.h"
#include "protocol/nodeevents.h"
#include "protocol/rankmessages.h"
#include "protocol/transferevents.h"
#include "sched/distributionstrategy.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace starling::mpi {

namespace {
// Confidence ages continuously (it halves per estimator_confidence_half_life_s), so compared
// exactly the estimates would differ every tick and go out every estimate_publish_ms. Kept to
// the percent the console and status show, they go out when something a reader sees changed.
void roundConfidence(std::vector<sched::SlaveCostEstimate> &slaves)
{
    const auto round = [](double &c) {
        c = std::round(c * 100) / 100;
    };
    for (sched::SlaveCostEstimate &slave : slaves) {
        for (sched::OpCostEstimate &op : slave.ops)
            round(op.compute.confidence);
        round(slave.link.confidence);
    }
}

QJsonObject parse(const QByteArray &payload)
{
    return QJsonDocument::fromJson(payload).object();
}

cluster::ClusterPolicy policyFrom(const cluster::ClusterConfig &config)
{
    return {sched::toString(config.strategy), config.w1, config.w2};
}
} // namespace

MasterRole::MasterRole(Transport &transport, const NodeOptions &options, QObject *parent)
    : QObject(parent), m_transport(transport), m_options(options),
      m_table(transport.size(), policyFrom(options.config)), m_store(options.runDir),
      m_dispatcher(transport, m_table, m_snapshot,
                   std::uint64_t(QDateTime::currentMSecsSinceEpoch())),
      m_relay(transport, RelayService::Settings::fromConfig(options.config)),
      m_spool(QDir(options.runDir).filePath(QStringLiteral("jobs"))),
      m_board({options.config.jobQueueLimit, options.config.jobsKept, options.config.jobByteBudget,
               options.config.jobQueuePerSubmitter, options.config.jobSubmitterByteShare}),
      m_runner(transport, m_board, options.config.imageStandardMBps, nullptr,
               options.config.estimatorForgetting, options.config.estimatorConfidenceHalfLifeS,
               options.config.jobOverlap),
      m_heartbeat(options.config.heartbeatMs)
{
    m_sampler.setLink(options.link);
    connect(&m_runner, &JobRunner::event, this, [this](const QJsonObject &event) {
        if (!m_stopping)
            m_transport.send(kMonitorRank, Tag::Event, event);
    });
    connect(&m_transport, &Transport::received, this, &MasterRole::onMessage);
    connect(&m_transport, &Transport::peerLost, this, &MasterRole::onPeerLost);
    // The table goes to the monitor on every change; this resend covers nothing being lost
    // and keeps assigned counts fresh in the snapshot.
    m_tableTimer.setInterval(1000);
    connect(&m_tableTimer, &QTimer::timeout, this, &MasterRole::publishTable);
    connect(&m_heartbeat, &AlignedTicker::tick, this, &MasterRole::sendHeartbeat);
    m_estimateTimer.setInterval(options.config.estimatePublishMs);
    connect(&m_estimateTimer, &QTimer::timeout, this, [this] { publishEstimates(false); });
}

MasterRole::~MasterRole() = default;

std::int64_t MasterRole::now() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

Expected<bool> MasterRole::start()
{
    restoreOperatorState();
    restoreJobs();
    if (auto files = startFileService(); !files)
        return files;
    startJobService();
    if (auto api = startApi(); !api)
        return api;
    announce();
    return true;
}

void MasterRole::restoreOperatorState()
{
    const auto saved = m_store.load();
    if (!saved) {
        // Keep the unreadable file for a person to look at; never overwrite what we lost.
        const QString kept = QStringLiteral("%1.bad-%2").arg(m_store.path()).arg(now());
        QFile::rename(m_store.path(), kept);
        std::fprintf(stderr, "starling-node master: %s; kept it as %s and starting with defaults\n",
                     qPrintable(saved.error()), qPrintable(kept));
    } else if (!saved->isEmpty()) {
        for (const QString &warning : m_table.restore(*saved, now()))
            std::fprintf(stderr, "starling-node master: %s\n", qPrintable(warning));
    }
}

// An event made on another thread (a connection's) goes out over MPI from this one.
void MasterRole::sendToMonitorLater(QJsonObject event)
{
    const QPointer<MasterRole> self(this);
    QMetaObject::invokeMethod(
        this,
        [self, event = std::move(event)] {
            if (self && !self->m_stopping)
                self->m_transport.send(kMonitorRank, Tag::Event, event);
        },
        Qt::QueuedConnection);
}

Expected<bool> MasterRole::startFileService()
{
    auto root = transfer::ExportRoot::open(m_options.config.exportRoot);
    if (!root)
        return Error{QStringLiteral("export root: %1").arg(root.error())};
    transfer::PieceHashCacheLimits hashLimits;
    hashLimits.maxPasses = m_options.config.planHashPasses;
    hashLimits.readBytesPerSecond = qint64(m_options.config.planHashReadMBps * 1e6);
    m_files.emplace(std::move(root).value(), m_relay,
                    transfer::BlockTagSigner(m_options.clusterToken), hashLimits,
                    m_options.config.planHashWaitMs);
    // Plans are made on connection threads.
    m_files->setEventSink([this](QJsonObject event) { sendToMonitorLater(std::move(event)); });
    return true;
}

void MasterRole::startJobService()
{
    image::DecodeLimits decodeLimits;
    decodeLimits.maxBytes = m_options.config.imageMaxBytes;
    decodeLimits.maxPixels = m_options.config.imageMaxPixels;
    m_jobService.emplace(m_board, decodeLimits, m_options.config.jobUploadSlots);
    const QPointer<MasterRole> self(this);
    m_jobService->setSubmittedCallback([self] {
        QMetaObject::invokeMethod(
            self,
            [self] {
                if (self && !self->m_stopping)
                    self->m_runner.wake();
            },
            Qt::QueuedConnection);
    });
}

Expected<bool> MasterRole::startApi()
{
    m_api = std::make_unique<MasterApi>(
        *m_jobService, *m_files,
        MasterApiAccess{m_options.clusterToken, m_options.config.requireFileToken});
    const auto port =
        m_api->listen(QHostAddress(m_options.endpoint.bind), quint16(m_options.config.masterPort),
                      m_options.config.imageMaxBytes, // image job uploads
                      m_options.tls);
    if (!port)
        return Error{
            QStringLiteral("master HTTP on %1: %2").arg(m_options.endpoint.bind, port.error())};
    m_url = m_options.endpoint.url(*port) + u'/';
    return true;
}

// Says hello to the monitor, publishes the table and starts watching every other rank.
void MasterRole::announce()
{
    protocol::RankHello hello;
    hello.rank = kMasterRank;
    hello.role = toString(cluster::NodeRole::Master);
    hello.pid = ::getpid();
    hello.host = m_options.hostName;
    hello.url = m_url;
    m_transport.send(kMonitorRank, Tag::Hello, hello.toJson());
    publishTable();
    persist();
    m_tableTimer.start();
    m_heartbeat.start();
    publishEstimates(true);
    m_estimateTimer.start();
    std::vector<int> everyone;
    for (int rank = kMonitorRank; rank < m_transport.size(); ++rank)
        everyone.push_back(rank);
    m_transport.watchPeers(std::move(everyone), m_options.config.peerProbeMs);
}

void MasterRole::onMessage(int source, Tag tag, const QByteArray &payload)
{
    if (m_stopping)
        return; // shutting down: no new work, no new sends
    const bool fromMonitor = source == kMonitorRank;
    const bool fromSlave = cluster::isSlaveRank(source);
    switch (tag) {
    case Tag::Snapshot:
        if (fromMonitor)
            onSnapshot(payload);
        break;
    case Tag::ChunkData:
        m_relay.onChunkAnswer(source, payload);
        break;
    case Tag::StripReceived:
        if (fromSlave)
            m_runner.onStripReceived(source, payload);
        break;
    case Tag::StripResult:
        if (fromSlave)
            m_runner.onStripResult(source, payload);
        break;
    case Tag::BlockServed:
        if (fromSlave)
            onBlockServed(source, payload);
        break;
    case Tag::Command:
        if (fromMonitor)
            onCommand(protocol::CommandRequest::fromJson(parse(payload)));
        break;
    case Tag::Liveness:
        if (fromMonitor)
            onLiveness(protocol::LivenessReport::fromJson(parse(payload)));
        break;
    case Tag::TaskDone:
        onTaskDone(source, protocol::TaskCompletion::fromJson(parse(payload)));
        break;
    default:
        break;
    }
}

void MasterRole::onSnapshot(const QByteArray &payload)
{
    m_snapshot = cluster::ClusterSnapshot::fromJson(parse(payload));
    if (m_api)
        m_api->setSnapshot(payload);
    updateFileService();
    updateJobRunner();
}

void MasterRole::onBlockServed(int source, const QByteArray &payload)
{
    auto read = protocol::TransferBlockEvent::fromJson(parse(payload));
    if (!read)
        return; // only a bug on the slave sends this; the block map misses one block
    protocol::TransferBlockEvent served = std::move(read).value();
    served.node = cluster::nodeName(source);
    served.timeMs = now();
    m_transport.send(kMonitorRank, Tag::Event, served.toJson());
}

void MasterRole::reply(const protocol::CommandRequest &request, bool ok, const QJsonObject &result,
                       const QString &code, const QString &error)
{
    protocol::CommandReply answer;
    answer.clientId = request.clientId;
    answer.id = cluster::OperatorCommand::idOf(request.command);
    answer.ok = ok;
    answer.result = result;
    answer.code = code;
    answer.message = error;
    m_transport.send(kMonitorRank, Tag::CommandReply, answer.toJson());
}

void MasterRole::onCommand(const protocol::CommandRequest &message)
{
    if (m_stopping)
        return;
    const auto command = cluster::OperatorCommand::fromJson(message.command, message.client);
    if (!command) {
        reply(message, false, {}, command.errorCode(), command.error());
        return;
    }
    switch (command->op) {
    case cluster::CommandOp::Shutdown: {
        m_table.record(*command, now(), {}, protocol::ShutdownEvent{});
        persist();
        reply(message, true, {{QLatin1String("stopping"), true}});
        flushEvents();
        shutdown();
        return;
    }
    case cluster::CommandOp::Slow:
        if (!applySlow(message, *command))
            return;
        break;
    case cluster::CommandOp::Fault:
        if (!recordFault(message, *command))
            return;
        break;
    case cluster::CommandOp::Load: {
        const protocol::LoadEvent loaded =
            m_dispatcher.addLoad(command->tasks, command->taskMs, now());
        m_table.record(*command, now(), loaded.result(), loaded);
        reply(message, true, loaded.result());
        break;
    }
    default: {
        const auto result = m_table.apply(*command, now());
        if (!result) {
            reply(message, false, {}, result.errorCode(), result.error());
            return;
        }
        persist();
        reply(message, true, *result);
        if (command->op == cluster::CommandOp::Resume)
            m_dispatcher.dispatchWaiting(now()); // work waiting for a free slave may go now
        break;
    }
    }
    flushEvents();
    publishTable();
}

// Slows a slave's compute by a factor (a demo of a node getting slower). False (and an error
// reply) when the node is not a slave.
bool MasterRole::applySlow(const protocol::CommandRequest &message,
                           const cluster::OperatorCommand &command)
{
    const cluster::NodeRecord *node = m_table.find(command.node);
    if (!node || node->role != cluster::NodeRole::Slave) {
        reply(message, false, {}, QString::fromLatin1(node ? "bad_state" : "unknown_node"),
              node ? QStringLiteral("only slaves compute; %1 is not one").arg(node->name)
                   : QStringLiteral("unknown node \"%1\"").arg(command.node.left(64)));
        return false;
    }
    m_transport.send(node->rank, Tag::Slowdown, protocol::Slowdown{command.factor}.toJson());
    const QJsonObject result{{QLatin1String("node"), node->name},
                             {QLatin1String("factor"), command.factor}};
    protocol::SlowEvent slowed;
    slowed.node = node->name;
    slowed.factor = command.factor;
    m_table.record(command, now(), result, std::move(slowed));
    reply(message, true, result);
    return true;
}

// Something done to a node from outside (starling lab): the audit trail and the event stream
// show it beside what it caused. False (and an error reply) for an unknown node.
bool MasterRole::recordFault(const protocol::CommandRequest &message,
                             const cluster::OperatorCommand &command)
{
    const cluster::NodeRecord *node = m_table.find(command.node);
    if (!node) {
        reply(message, false, {}, QStringLiteral("unknown_node"),
              QStringLiteral("unknown node \"%1\"").arg(command.node.left(64)));
        return false;
    }
    const QJsonObject result{{QLatin1String("node"), node->name},
                             {QLatin1String("action"), command.action}};
    protocol::FaultEvent fault;
    fault.node = node->name;
    fault.action = command.action;
    m_table.record(command, now(), result, std::move(fault));
    persist();
    reply(message, true, result);
    return true;
}

void MasterRole::onLiveness(const protocol::LivenessReport &message)
{
    const int rank = message.rank;
    if (!cluster::isSlaveRank(rank) || rank >= m_transport.size() || m_table.node(rank).exited)
        return;
    const cluster::Liveness liveness =
        cluster::livenessFromString(message.liveness).value_or(cluster::Liveness::Alive);
    const cluster::Liveness before = m_table.node(rank).liveness;
    m_table.setLiveness(rank, liveness, now());
    if (liveness != cluster::Liveness::Alive)
        m_relay.sourceLost(rank); // its relay chunks go to other slaves now
    flushEvents();                // "node_down" reads better before the "task_reassigned" it causes
    if (liveness == cluster::Liveness::Down) {
        m_dispatcher.takeWorkFrom(rank, now());
    } else if (liveness == cluster::Liveness::Alive && before == cluster::Liveness::Down) {
        // Whatever it still holds was reassigned: tell it to drop that and start afresh.
        m_transport.send(rank, Tag::EpochReset,
                         protocol::EpochReset{m_table.node(rank).epoch}.toJson());
    }
    if (liveness == cluster::Liveness::Alive)
        m_dispatcher.dispatchWaiting(now());
    flushEvents();
    publishTable();
}

void MasterRole::onPeerLost(int rank, const QString &detail)
{
    if (m_stopping || rank < kMonitorRank || rank >= m_transport.size())
        return;
    if (rank == kMonitorRank) {
        // The monitor holds the bridge, /metrics and the failure detector: without it the
        // cluster cannot be watched or steered, so it ends, and says how to come back.
        std::fprintf(stderr,
                     "starling-node master: the monitor is gone (%s); the cluster ends. Start it "
                     "again with: starling restart\n",
                     qPrintable(detail));
        shutdown();
        return;
    }
    if (!m_table.markExited(rank, QLatin1String(protocol::kExited), now()))
        return;
    std::fprintf(stderr, "starling-node master: %s exited (%s); its work goes to the others\n",
                 qPrintable(cluster::nodeName(rank)), qPrintable(detail));
    m_transport.send(kMonitorRank, Tag::PeerLost,
                     cluster::PeerLoss{rank, QLatin1String(protocol::kExited)}.toJson());
    m_relay.sourceLost(rank);
    flushEvents();
    // Its relay chunks and job strips follow from sourceLost and the next publishTable.
    m_dispatcher.takeWorkFrom(rank, now());
    flushEvents();
    publishTable();
}

void MasterRole::onTaskDone(int source, const protocol::TaskCompletion &message)
{
    if (!m_dispatcher.complete(source, message, now()))
        return;
    flushEvents();
    if (m_dispatcher.waitingCount() > 0)
        m_dispatcher.dispatchWaiting(now());
}

void MasterRole::flushEvents()
{
    for (const QJsonObject &event : m_table.takeEvents())
        m_transport.send(kMonitorRank, Tag::Event, event);
}

void MasterRole::updateFileService()
{
    std::vector<FileService::Slave> slaves;
    std::vector<std::pair<int, int>> ranked; // (load rank, rank) of slaves taking work
    for (const cluster::NodeRecord &record : m_table.nodes()) {
        if (record.role != cluster::NodeRole::Slave)
            continue;
        FileService::Slave slave;
        slave.rank = record.rank;
        slave.name = record.name;
        slave.state = record.state();
        slave.weight = record.weight;
        if (const cluster::NodeView *view = m_snapshot.node(record.rank)) {
            slave.dataUrl = QUrl(view->dataUrl);
            slave.loadRank = view->loadRank;
            slave.linkMBps = view->stats.bandwidthMBps;
            slave.unitComputeS = view->stats.unitComputeS;
        }
        if (slave.state == cluster::NodeState::Active)
            ranked.emplace_back(slave.loadRank < 0 ? 1 << 20 : slave.loadRank, slave.rank);
        slaves.push_back(std::move(slave));
    }
    std::sort(ranked.begin(), ranked.end());
    std::vector<int> sources;
    for (const auto &[loadRank, rank] : ranked)
        sources.push_back(rank);
    m_relay.setSources(std::move(sources));
    FileService::Policy policy;
    const cluster::ClusterPolicy &table = m_table.policy();
    policy.strategy =
        sched::strategyKindFromString(table.strategy).value_or(sched::kDefaultStrategy);
    policy.pdds = {table.w1, table.w2};
    if (m_files)
        m_files->setSlaves(std::move(slaves), policy);
}

void MasterRole::updateJobRunner()
{
    std::vector<JobRunner::Slave> slaves;
    for (const cluster::NodeRecord &record : m_table.nodes()) {
        if (record.role != cluster::NodeRole::Slave)
            continue;
        JobRunner::Slave slave;
        slave.rank = record.rank;
        slave.name = record.name;
        slave.alive = record.liveness == cluster::Liveness::Alive;
        slave.weight = record.weight;
        slave.emulatedLinkMBps =
            m_options.emulate
                ? m_options.profile.forSlave(cluster::slaveIndex(record.rank)).linkMBps
                : 0;
        const cluster::NodeView *view = m_snapshot.node(record.rank);
        // Known to the monitor (it has heard the slave) and taking work.
        slave.available =
            view && slave.alive && cluster::acceptsTasks(record.state()) && record.weight > 0;
        if (view) {
            slave.linkMBps = view->stats.bandwidthMBps;
            slave.slowness = view->stats.unitComputeS;
            slave.ownLink = !view->stats.linkShared && !view->stats.linkInterface.isEmpty();
        }
        slaves.push_back(std::move(slave));
    }
    const cluster::ClusterPolicy &table = m_table.policy();
    if (m_jobService)
        m_jobService->setPolicy(
            sched::strategyKindFromString(table.strategy).value_or(sched::kDefaultStrategy),
            {table.w1, table.w2});
    m_runner.setSlaves(std::move(slaves));
}

// The estimates change with every job's results; the timer bounds how often they go out.
void MasterRole::publishEstimates(bool force)
{
    if (m_stopping)
        return;
    protocol::CostEstimatesMessage message;
    message.timeMs = now();
    message.slaves = m_runner.costEstimates(message.timeMs);
    roundConfidence(message.slaves);
    QJsonObject json = message.toJson();
    const QJsonArray slaves = json.value(QLatin1String("slaves")).toArray();
    if (!force && slaves == m_sentEstimates)
        return;
    m_sentEstimates = slaves;
    m_transport.send(kMonitorRank, Tag::CostEstimates, json);
}

void MasterRole::publishTable()
{
    updateFileService(); // every table change (drain, weight, strategy) reaches the next plan
    updateJobRunner();
    protocol::AdminStateMessage table = m_table.message();
    table.queuedAtMaster = m_dispatcher.waitingCount();
    table.lateDropped = m_dispatcher.lateDropped();
    table.tasksCompleted = m_dispatcher.completed();
    const jobs::JobBoard::Counts jobs = m_board.counts();
    table.jobs = {jobs.queued, jobs.running, jobs.queueLimit, jobs.done, jobs.failed};
    m_transport.send(kMonitorRank, Tag::AdminState, table.toJson());
}

void MasterRole::persist()
{
    const auto saved = m_store.save(m_table.persistentState());
    if (!saved)
        std::fprintf(stderr, "starling-node master: %s\n", qPrintable(saved.error()));
}

void MasterRole::sendHeartbeat()
{
    cluster::NodeStats stats;
    m_sampler.sample(stats, now());
    stats.queueLength = int(m_dispatcher.waitingCount());
    m_transport.send(kMonitorRank, Tag::Heartbeat, stats.toJson());
}

// Jobs accepted before a restart wait in the spool; they run again, in their order.
void MasterRole::restoreJobs()
{
    QStringList warnings;
    std::vector<jobs::JobSpool::Entry> kept = m_spool.load(warnings);
    for (const QString &warning : warnings)
        std::fprintf(stderr, "starling-node master: job spool: %s (set aside as .bad)\n",
                     qPrintable(warning));
    if (!kept.empty())
        std::fprintf(stderr, "starling-node master: %zu job(s) kept from before the restart\n",
                     kept.size());
    for (jobs::JobSpool::Entry &entry : kept)
        m_board.restore(std::move(entry));
    m_board.setSpool(&m_spool);
}

void MasterRole::shutdown()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_board.setSpool(nullptr); // a job the shutdown fails stays spooled and runs after a restart
    m_runner.stop();
    m_tableTimer.stop();
    m_heartbeat.stop();
    // Relay connections give up first, so stopping the server does not wait on them.
    if (m_files)
        m_files->stop();
    m_relay.stop();
    if (m_api)
        m_api->stop();
    // Slaves first, the monitor last: it closes the bridge, which clients take as "stopped".
    for (int rank = m_transport.size() - 1; rank >= kMonitorRank; --rank)
        m_transport.send(rank, Tag::Shutdown, QByteArray("{}"));
    emit finished();
}

} // namespace starling::mpi
