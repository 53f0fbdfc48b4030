#include "masterrole.h"

#include "cluster/peerloss.h"
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
#include <cstdio>
#include <unistd.h>

namespace starling::mpi {

namespace {
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
      m_placer(std::uint64_t(QDateTime::currentMSecsSinceEpoch())),
      m_relay(transport, RelayService::Settings{}),
      m_spool(QDir(options.runDir).filePath(QStringLiteral("jobs"))),
      m_board({options.config.jobQueueLimit, options.config.jobsKept}),
      m_runner(transport, m_board, options.config.imageStandardMBps),
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
}

MasterRole::~MasterRole() = default;

std::int64_t MasterRole::now() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

Expected<bool> MasterRole::start()
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

    restoreJobs();
    auto root = transfer::ExportRoot::open(m_options.config.exportRoot);
    if (!root)
        return Error{QStringLiteral("export root: %1").arg(root.error())};
    m_files.emplace(std::move(root).value(), m_relay);
    // Plans are made on connection threads; their events go out over MPI from this one.
    const QPointer<MasterRole> self(this);
    m_files->setEventSink([self](QJsonObject event) {
        QMetaObject::invokeMethod(
            self,
            [self, event = std::move(event)] {
                if (self && !self->m_stopping)
                    self->m_transport.send(kMonitorRank, Tag::Event, event);
            },
            Qt::QueuedConnection);
    });

    image::DecodeLimits decodeLimits;
    decodeLimits.maxBytes = m_options.config.imageMaxBytes;
    decodeLimits.maxPixels = m_options.config.imageMaxPixels;
    m_jobService.emplace(m_board, decodeLimits);
    m_jobService->setSubmittedCallback([self] {
        QMetaObject::invokeMethod(
            self,
            [self] {
                if (self && !self->m_stopping)
                    self->m_runner.wake();
            },
            Qt::QueuedConnection);
    });

    http::HttpServerLimits limits;
    // Relays and plans block their connection's thread (waiting for slaves, hashing a file),
    // so every connection gets its own; the limit bounds the threads.
    limits.threadPerConnection = true;
    limits.connectionLimit = 512;
    limits.maxBodyBytes = m_options.config.imageMaxBytes; // image job uploads
    m_http = std::make_unique<http::HttpServer>(
        [this](const http::HttpRequest &request) {
            if (request.path == "/api/v1/cluster") {
                std::lock_guard lock(m_apiMutex);
                http::HttpResponse response = http::HttpResponse::text(
                    m_snapshotJson.isEmpty() ? 503 : 200,
                    m_snapshotJson.isEmpty() ? QByteArray("{\"error\":\"no snapshot yet\"}\n")
                                             : m_snapshotJson);
                response.contentType = "application/json";
                return response;
            }
            if (request.path == "/healthz")
                return http::HttpResponse::text(200, "ok\n");
            if (auto answer = m_jobService->handle(request))
                return std::move(*answer);
            if (request.method == "POST")
                return http::HttpResponse::text(405, "POST goes to /api/v1/jobs\n");
            if (auto answer = m_files->handle(request))
                return std::move(*answer);
            return http::HttpResponse::text(404, "not found: try /, /files/<path>, /api/v1/files, "
                                                 "/api/v1/plan, /api/v1/jobs or "
                                                 "/api/v1/cluster\n");
        },
        limits);
    const auto port =
        m_http->listen(QHostAddress(m_options.endpoint.bind), quint16(m_options.config.masterPort));
    if (!port)
        return Error{
            QStringLiteral("master HTTP on %1: %2").arg(m_options.endpoint.bind, port.error())};
    m_url = m_options.endpoint.url(*port) + u'/';

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
    std::vector<int> everyone;
    for (int rank = 1; rank < m_transport.size(); ++rank)
        everyone.push_back(rank);
    m_transport.watchPeers(std::move(everyone), m_options.config.peerProbeMs);
    return true;
}

void MasterRole::onMessage(int source, Tag tag, const QByteArray &payload)
{
    if (m_stopping)
        return; // shutting down: no new work, no new sends
    switch (tag) {
    case Tag::Snapshot:
        if (source == kMonitorRank) {
            m_snapshot = cluster::ClusterSnapshot::fromJson(parse(payload));
            {
                std::lock_guard lock(m_apiMutex);
                m_snapshotJson = payload;
            }
            updateFileService();
            updateJobRunner();
        }
        break;
    case Tag::ChunkData:
        m_relay.onChunkAnswer(source, payload);
        break;
    case Tag::StripReceived:
        if (source >= 2)
            m_runner.onStripReceived(source, payload);
        break;
    case Tag::StripResult:
        if (source >= 2)
            m_runner.onStripResult(source, payload);
        break;
    case Tag::BlockServed:
        if (source >= 2) {
            auto read = protocol::TransferBlockEvent::fromJson(parse(payload));
            if (!read)
                break; // only a bug on the slave sends this; the block map misses one block
            protocol::TransferBlockEvent served = std::move(read).value();
            served.node = cluster::nodeName(source);
            served.timeMs = now();
            m_transport.send(kMonitorRank, Tag::Event, served.toJson());
        }
        break;
    case Tag::Command:
        if (source == kMonitorRank)
            onCommand(protocol::CommandRequest::fromJson(parse(payload)));
        break;
    case Tag::Liveness:
        if (source == kMonitorRank)
            onLiveness(protocol::LivenessReport::fromJson(parse(payload)));
        break;
    case Tag::TaskDone:
        onTaskDone(source, protocol::TaskCompletion::fromJson(parse(payload)));
        break;
    default:
        break;
    }
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
    case cluster::CommandOp::Slow: {
        const cluster::NodeRecord *node = m_table.find(command->node);
        if (!node || node->role != cluster::NodeRole::Slave) {
            reply(message, false, {}, QString::fromLatin1(node ? "bad_state" : "unknown_node"),
                  node ? QStringLiteral("only slaves compute; %1 is not one").arg(node->name)
                       : QStringLiteral("unknown node \"%1\"").arg(command->node.left(64)));
            return;
        }
        m_transport.send(node->rank, Tag::Slowdown, protocol::Slowdown{command->factor}.toJson());
        const QJsonObject result{{QLatin1String("node"), node->name},
                                 {QLatin1String("factor"), command->factor}};
        protocol::SlowEvent slowed;
        slowed.node = node->name;
        slowed.factor = command->factor;
        m_table.record(*command, now(), result, std::move(slowed));
        reply(message, true, result);
        break;
    }
    case cluster::CommandOp::Fault:
        if (!recordFault(message, *command))
            return;
        break;
    case cluster::CommandOp::Load: {
        const protocol::LoadEvent loaded = addLoad(command->tasks, command->taskMs);
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
            dispatchWaiting(); // work waiting for a free slave may go now
        break;
    }
    }
    flushEvents();
    publishTable();
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

protocol::LoadEvent MasterRole::addLoad(int tasks, double taskMs)
{
    for (int i = 0; i < tasks; ++i)
        m_ledger.add(taskMs);
    QJsonObject before;
    for (int rank : m_table.slavesAcceptingTasks())
        before.insert(cluster::nodeName(rank), m_ledger.assignedTo(rank));
    dispatchWaiting();
    protocol::LoadEvent loaded;
    loaded.tasks = tasks;
    for (int rank : m_table.slavesAcceptingTasks()) {
        const QString name = cluster::nodeName(rank);
        loaded.assigned[name] = m_ledger.assignedTo(rank) - before.value(name).toInt();
    }
    loaded.waitingAtMaster = qint64(m_ledger.waitingCount());
    return loaded;
}

void MasterRole::dispatchWaiting()
{
    const std::vector<int> accepting = m_table.slavesAcceptingTasks();
    if (accepting.empty() || m_ledger.waitingCount() == 0)
        return;
    // The monitor's latest loads, plus what this master gave since that snapshot was taken.
    std::vector<cluster::TaskPlacer::Candidate> candidates;
    for (int rank : accepting) {
        const cluster::NodeView *view = m_snapshot.node(rank);
        const double weight = m_table.node(rank).weight;
        const double pendingS = m_ledger.assignedCostMs(rank) / 1000.0;
        const double measured = view ? view->load : 0;
        // The snapshot's load already counts the pending work the slave reported; use the
        // larger of the two views so work given since the last heartbeat counts too.
        const double queued = pendingS / weight;
        candidates.push_back({rank, std::max(measured, queued), weight});
    }
    std::vector<std::int64_t> ids = m_ledger.waiting();
    std::vector<double> costs;
    for (std::int64_t id : ids)
        costs.push_back(m_ledger.find(id)->costMs / 1000.0);
    const std::vector<int> placement = m_placer.place(candidates, costs);
    for (size_t i = 0; i < placement.size(); ++i) {
        const int rank = placement[i];
        const std::int64_t epoch = m_table.node(rank).epoch;
        m_ledger.assign(ids[i], rank, epoch);
        m_transport.send(
            rank, Tag::TaskAssign,
            protocol::TaskAssignment{ids[i], epoch, m_ledger.find(ids[i])->costMs}.toJson());
    }
    for (int rank : accepting)
        m_table.setAssigned(rank, m_ledger.assignedTo(rank), now());
}

void MasterRole::onLiveness(const protocol::LivenessReport &message)
{
    const int rank = message.rank;
    if (rank < 2 || rank >= m_transport.size() || m_table.node(rank).exited)
        return;
    const cluster::Liveness liveness =
        cluster::livenessFromString(message.liveness).value_or(cluster::Liveness::Alive);
    const cluster::Liveness before = m_table.node(rank).liveness;
    m_table.setLiveness(rank, liveness, now());
    if (liveness != cluster::Liveness::Alive)
        m_relay.sourceLost(rank); // its relay chunks go to other slaves now
    flushEvents();                // "node_down" reads better before the "task_reassigned" it causes
    if (liveness == cluster::Liveness::Down) {
        takeWorkFrom(rank);
    } else if (liveness == cluster::Liveness::Alive && before == cluster::Liveness::Down) {
        // Whatever it still holds was reassigned: tell it to drop that and start afresh.
        m_transport.send(rank, Tag::EpochReset,
                         protocol::EpochReset{m_table.node(rank).epoch}.toJson());
    }
    if (liveness == cluster::Liveness::Alive)
        dispatchWaiting();
    flushEvents();
    publishTable();
}

void MasterRole::onPeerLost(int rank, const QString &detail)
{
    if (m_stopping || rank < 1 || rank >= m_transport.size())
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
    takeWorkFrom(rank);
    flushEvents();
    publishTable();
}

// Its queued and running tasks go back to the master and on to other slaves. (Relay chunks
// and job strips follow from sourceLost and the next publishTable.)
void MasterRole::takeWorkFrom(int rank)
{
    const std::vector<std::int64_t> reclaimed = m_ledger.reclaim(rank);
    m_table.setAssigned(rank, 0, now());
    if (!reclaimed.empty()) {
        protocol::TaskReassignedEvent reassigned;
        reassigned.timeMs = now();
        reassigned.node = cluster::nodeName(rank);
        reassigned.count = qint64(reclaimed.size());
        if (reclaimed.size() <= protocol::TaskReassignedEvent::kMaxListed)
            reassigned.tasks.assign(reclaimed.begin(), reclaimed.end());
        m_transport.send(kMonitorRank, Tag::Event, reassigned.toJson());
    }
    dispatchWaiting();
}

void MasterRole::onTaskDone(int source, const protocol::TaskCompletion &message)
{
    const std::int64_t id = message.task;
    const std::int64_t epoch = message.epoch;
    const auto done = m_ledger.complete(id, source, epoch);
    if (!done) {
        ++m_lateDropped;
        protocol::LateMessageDroppedEvent dropped;
        dropped.timeMs = now();
        dropped.node = cluster::nodeName(source);
        dropped.task = id;
        dropped.epoch = epoch;
        dropped.detail = done.error();
        m_transport.send(kMonitorRank, Tag::Event, dropped.toJson());
        return;
    }
    m_table.setAssigned(source, m_ledger.assignedTo(source), now());
    flushEvents();
    if (m_ledger.waitingCount() > 0)
        dispatchWaiting();
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
        sched::strategyKindFromString(table.strategy).value_or(sched::StrategyKind::Pdds);
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
            m_options.emulate ? m_options.profile.forSlave(cluster::slaveIndex(record.rank)).linkMBps : 0;
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
            sched::strategyKindFromString(table.strategy).value_or(sched::StrategyKind::Pdds),
            {table.w1, table.w2});
    m_runner.setSlaves(std::move(slaves));
}

void MasterRole::publishTable()
{
    updateFileService(); // every table change (drain, weight, strategy) reaches the next plan
    updateJobRunner();
    protocol::AdminStateMessage table = m_table.message();
    table.queuedAtMaster = qint64(m_ledger.waitingCount());
    table.lateDropped = m_lateDropped;
    table.tasksCompleted = qint64(m_ledger.completed());
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
    stats.queueLength = int(m_ledger.waitingCount());
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
    if (m_http)
        m_http->stop();
    // Slaves first, the monitor last: it closes the bridge, which clients take as "stopped".
    for (int rank = m_transport.size() - 1; rank >= 1; --rank)
        m_transport.send(rank, Tag::Shutdown, QByteArray("{}"));
    emit finished();
}

} // namespace starling::mpi
