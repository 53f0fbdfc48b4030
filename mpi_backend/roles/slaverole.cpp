#include "slaverole.h"

#include "cluster/adminstatetable.h"
#include "cluster/peerloss.h"
#include "image/imageop.h"
#include "protocol/rankmessages.h"
#include "protocol/transferevents.h"
#include "sched/pendingwork.h"
#include "transfer/chunkreader.h"
#include "transfer/relaychunk.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace starling::mpi {

namespace {
QJsonObject parse(const QByteArray &payload)
{
    return QJsonDocument::fromJson(payload).object();
}

constexpr int kProbeReply = -1; // a calibration strip: measured, never sent
constexpr int kEagerMs = 2000;  // after a strip, the next one is likely close behind

// The start-up calibration: a 512 x 64 grey strip, blurred, through the same path as real
// strips (kernel on the worker thread, stretched to the emulated cost).
jobs::StripAssignment probeStrip(const sched::CostModel &costs)
{
    jobs::StripAssignment strip;
    strip.jobId = QStringLiteral("calibration");
    strip.width = 512;
    strip.channels = 1;
    strip.imageHeight = 64;
    strip.begin = 0;
    strip.end = 64;
    strip.units = 1;
    const auto op = image::ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt);
    strip.op = op ? op->toJson() : QJsonObject{};
    strip.pixels = QByteArray(512 * 64, Qt::Uninitialized);
    for (qsizetype i = 0; i < strip.pixels.size(); ++i)
        strip.pixels[i] = char((i * 2654435761u) >> 24);
    const double relative = op ? op->relativeCost() : 1.0;
    strip.standardS = costs.cost(sched::RequestType::ImageStrip, strip.pixels.size()) * relative;
    return strip;
}
} // namespace

SlaveRole::SlaveRole(Transport &transport, const NodeOptions &options, QObject *parent)
    : QObject(parent), m_transport(transport), m_options(options),
      m_emulation(options.emulate ? options.profile.forSlave(cluster::slaveIndex(transport.rank()))
                                  : cluster::SlaveEmulation{}),
      m_heartbeat(options.config.heartbeatMs),
      m_strips(m_emulation.emulated, m_emulation.cpuFactor, nullptr, m_emulation.stripFixedS)
{
    // A strip's g1 as the master prices it: input bytes at the cluster's standard compute
    // speed, no fixed part (the op's relative cost scales it).
    m_costs.setCost(sched::RequestType::ImageStrip, {0, options.config.imageStandardMBps * 1e6});
    m_sampler.setLink(options.link);
    m_profileLinkMBps = options.profile.forSlave(cluster::slaveIndex(transport.rank())).linkMBps;
    connect(&m_strips, &StripWorker::finished, this, &SlaveRole::onStripFinished);
    connect(&m_heartbeat, &AlignedTicker::tick, this, &SlaveRole::sendHeartbeat);
    m_taskTimer.setSingleShot(true);
    m_taskTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_taskTimer, &QTimer::timeout, this, &SlaveRole::finishRunningTask);
    connect(&m_transport, &Transport::received, this, &SlaveRole::onMessage);
    connect(&m_transport, &Transport::peerLost, this, &SlaveRole::onPeerLost);
}

Expected<bool> SlaveRole::start()
{
    auto root = transfer::ExportRoot::open(m_options.config.exportRoot);
    if (!root)
        return Error{QStringLiteral("export root: %1").arg(root.error())};
    m_root = std::move(root).value();

    http::HttpServerLimits limits;
    limits.connectionLimit = 256;
    limits.connectionTimeoutS = 30;
    // A data server's requests are small GETs. libmicrohttpd zeroes a connection's whole pool
    // for every request: 256 KiB per 4 MiB block was a fifth of a slave's CPU when serving.
    limits.memoryLimitBytes = 32 * 1024;
    const std::optional<double> link =
        m_emulation.linkMBps > 0 ? std::optional<double>(m_emulation.linkMBps) : std::nullopt;
    // Block reports come on connection threads; they go out over MPI from this one.
    const QPointer<SlaveRole> self(this);
    m_data = std::make_unique<http::DataServer>(
        *m_root, limits, link,
        [self](const http::BlockServed &block) {
            QMetaObject::invokeMethod(
                self,
                [self, block] {
                    if (self)
                        self->onBlockServed(block);
                },
                Qt::QueuedConnection);
        },
        http::DataServerAccess{m_options.clusterToken, m_options.config.requireFileToken});
    const cluster::ClusterConfig &config = m_options.config;
    const quint16 port =
        config.dataPortBase == 0
            ? 0
            : quint16(config.dataPortBase + cluster::slaveIndex(m_transport.rank()));
    m_data->setTls(m_options.tls);
    const auto listening = m_data->listen(QHostAddress(m_options.endpoint.bind), port);
    if (!listening)
        return Error{QStringLiteral("data server on %1: %2")
                         .arg(m_options.endpoint.bind, listening.error())};
    m_dataUrl = m_options.endpoint.url(*listening);
    protocol::RankHello hello;
    hello.rank = m_transport.rank();
    hello.role = toString(cluster::NodeRole::Slave);
    hello.pid = ::getpid();
    hello.host = m_options.hostName;
    hello.dataUrl = m_dataUrl;
    m_transport.send(kMonitorRank, Tag::Hello, hello.toJson());
    sendHeartbeat(); // the first sample: the monitor learns of us at once
    m_heartbeat.start();
    m_strips.enqueue(kProbeReply, probeStrip(m_costs));
    m_transport.watchPeers({kMasterRank, kMonitorRank}, m_options.config.peerProbeMs * 2);
    return true;
}

void SlaveRole::onPeerLost(int rank, const QString &detail)
{
    if (m_stopped || rank > kMonitorRank)
        return;
    // Without the master there is no work, without the monitor nobody hears us: the cluster
    // is over (a host whose master and monitor vanished must not keep a slave running).
    std::fprintf(stderr, "starling-node %s: the %s is gone (%s); leaving\n",
                 qPrintable(cluster::nodeName(m_transport.rank())),
                 qPrintable(cluster::nodeName(rank)), qPrintable(detail));
    stop();
}

void SlaveRole::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_data)
        m_data->stop();
    m_heartbeat.stop();
    m_taskTimer.stop();
    m_strips.stop();
    emit finished();
}

void SlaveRole::onMessage(int source, Tag tag, const QByteArray &payload)
{
    m_rxBytes += payload.size();
    if (source != kMasterRank)
        return; // only the master gives slaves orders
    switch (tag) {
    case Tag::TaskAssign:
        onAssign(protocol::TaskAssignment::fromJson(parse(payload)));
        break;
    case Tag::ChunkRead:
        onChunkRead(payload);
        break;
    case Tag::StripAssign:
        onStripAssign(payload);
        break;
    case Tag::Wake:
        m_transport.stayEager(qBound(0, protocol::Wake::fromJson(parse(payload)).ms, 10000));
        break;
    case Tag::Slowdown: {
        const double factor = protocol::Slowdown::fromJson(parse(payload)).factor;
        if (std::isfinite(factor) && factor >= 1) {
            m_slowdown = factor;
            m_strips.setSlowdown(factor);
        }
        break;
    }
    case Tag::EpochReset:
        resetEpoch(std::max<std::int64_t>(0, protocol::EpochReset::fromJson(parse(payload)).epoch));
        break;
    case Tag::Shutdown:
        stop();
        break;
    default:
        break;
    }
}

void SlaveRole::onAssign(const protocol::TaskAssignment &message)
{
    Task task;
    task.id = message.task;
    task.epoch = std::max<std::int64_t>(0, message.epoch);
    task.costMs = message.costMs;
    if (task.epoch < m_epoch)
        return; // from before we were declared DOWN: the master has given it to someone else
    if (task.epoch > m_epoch)
        resetEpoch(task.epoch);
    m_queue.push_back(task);
    startNextTask();
}

void SlaveRole::onChunkRead(const QByteArray &payload)
{
    const auto request = transfer::ChunkRequest::decode(payload);
    if (!request)
        return; // malformed: the master times the chunk out and asks elsewhere
    transfer::ChunkAnswer answer;
    answer.relay = request->relay;
    answer.seq = request->seq;
    answer.attempt = request->attempt;
    const auto file = m_root->resolve(QByteArray('/' + request->path.toUtf8()));
    if (!file || file->isDirectory) {
        answer.error = file ? QStringLiteral("%1 is a directory").arg(request->path) : file.error();
        answer.errorCode = file ? QStringLiteral("io") : file.errorCode();
    } else {
        auto data = transfer::readChunk(file->absolutePath, request->offset, request->length,
                                        request->etag);
        if (data) {
            answer.data = std::move(data).value();
        } else {
            answer.error = data.error();
            answer.errorCode = data.errorCode();
        }
    }
    const QByteArray encoded = answer.encode();
    m_txBytes += encoded.size();
    m_transport.send(kMasterRank, Tag::ChunkData, encoded);
}

void SlaveRole::onBlockServed(const http::BlockServed &block)
{
    protocol::TransferBlockEvent served; // the master adds the node's name and the time
    served.transferId = block.transferId;
    served.block = block.block;
    served.bytes = block.bytes;
    served.complete = block.complete;
    served.status = block.status;
    m_transport.send(kMasterRank, Tag::BlockServed, served.toJson());
}

void SlaveRole::measureBandwidth(std::int64_t nowMs, const cluster::NodeStats &stats)
{
    const qint64 sent = m_data ? m_data->bytesSent() : 0;
    const std::int64_t elapsedMs = nowMs - m_lastMeasureMs;
    const qint64 delta = sent - m_lastBytesSent;
    m_lastBytesSent = sent;
    // Serving at both ends of the period: a transfer that began halfway would halve the rate.
    const bool serving = m_data && m_data->openConnections() > 0;
    const bool measurable = m_lastMeasureMs > 0 && elapsedMs > 0 && serving && m_wasServing;
    m_lastMeasureMs = nowMs;
    m_wasServing = serving;
    if (!measurable)
        return;
    const double seconds = double(elapsedMs) / 1000.0;
    double sample = 0;
    if (!stats.linkShared && !stats.linkInterface.isEmpty()) {
        // The host's own link: count what left on the wire. What the server wrote includes
        // what the socket buffers took at once (MBs on a slow link), which made a 5 MB/s link
        // look several times faster. The link was busy throughout if the server kept writing
        // at least as much as left.
        const double wire = stats.txBytesPerS * seconds;
        if (wire < 256 * 1024 || double(delta) < 0.9 * wire)
            return;
        sample = stats.txBytesPerS / 1e6;
    } else {
        // Only periods that were busy throughout say what the link can do; a trickle says
        // nothing.
        if (delta < 4 * 1024 * 1024)
            return;
        sample = double(delta) / 1e6 / seconds;
    }
    m_measuredMBps = m_measuredMBps == 0 ? sample : 0.7 * m_measuredMBps + 0.3 * sample;
}

void SlaveRole::resetEpoch(std::int64_t epoch)
{
    if (epoch <= m_epoch)
        return;
    // The master reassigned everything we held when it declared us DOWN.
    m_epoch = epoch;
    m_queue.clear();
    m_running.reset();
    m_taskTimer.stop();
}

void SlaveRole::startNextTask()
{
    if (m_running || m_queue.empty())
        return;
    m_running = m_queue.front();
    m_queue.pop_front();
    m_taskClock.start();
    m_taskTimer.start(int(m_running->costMs * m_emulation.cpuFactor * m_slowdown));
}

void SlaveRole::finishRunningTask()
{
    if (!m_running)
        return;
    const double elapsedMs = double(m_taskClock.elapsed());
    m_transport.send(kMasterRank, Tag::TaskDone,
                     protocol::TaskCompletion{m_running->id, m_running->epoch, elapsedMs}.toJson());
    m_txBytes += 64;
    ++m_tasksDone;
    // T_i as seconds per 1000 standard-cost ms: 1.0 on a standard, unloaded slave.
    if (m_running->costMs > 0) {
        const double sample = elapsedMs / m_running->costMs;
        m_unitComputeS = m_unitComputeS == 0 ? sample : 0.8 * m_unitComputeS + 0.2 * sample;
    }
    m_running.reset();
    startNextTask();
}

void SlaveRole::onStripAssign(const QByteArray &payload)
{
    m_transport.stayEager(kEagerMs);
    auto strip = jobs::StripAssignment::decode(payload);
    if (!strip) {
        // Only a bug on the master sends this; say what it was, the job fails there.
        std::fprintf(stderr, "starling-node %s: dropped a strip: %s\n",
                     qPrintable(cluster::nodeName(m_transport.rank())), qPrintable(strip.error()));
        return;
    }
    m_transport.send(kMasterRank, Tag::StripReceived,
                     jobs::StripReceipt{strip->jobId, strip->chunk}.encode());
    m_strips.enqueue(kMasterRank, std::move(strip).value());
}

void SlaveRole::onStripFinished(int reply, const QByteArray &result, double computeS,
                                double standardS)
{
    if (standardS > 0) {
        const double sample = computeS / standardS;
        m_unitComputeS = m_unitComputeS == 0 ? sample : 0.8 * m_unitComputeS + 0.2 * sample;
    }
    if (reply == kProbeReply)
        return;
    ++m_tasksDone;
    m_txBytes += result.size();
    m_transport.send(reply, Tag::StripResult, result);
    m_transport.stayEager(kEagerMs);
}

double SlaveRole::pendingWorkS() const
{
    sched::PendingWork work(m_costs);
    // Strips are priced by the master; this node's measured slowness turns them into its time.
    work.addQueued(m_strips.pendingStandardS(), m_unitComputeS > 0 ? m_unitComputeS : 1.0);
    // Synthetic tasks take exactly their emulated time (a timer), so that is their slowness.
    const double taskSlowness = m_emulation.cpuFactor * m_slowdown;
    for (const Task &task : m_queue)
        work.addQueued(task.costMs / 1000.0, taskSlowness);
    if (m_running)
        work.addRunning(m_running->costMs / 1000.0, taskSlowness,
                        double(m_taskClock.elapsed()) / 1000.0);
    return work.seconds();
}

void SlaveRole::sendHeartbeat()
{
    cluster::NodeStats stats;
    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    m_sampler.sample(stats, nowMs);
    measureBandwidth(nowMs, stats);
    stats.sequence = ++m_sequence;
    stats.epoch = m_epoch;
    stats.queueLength = int(m_queue.size()) + m_strips.queued();
    stats.inFlight = (m_running ? 1 : 0) + (m_strips.busy() ? 1 : 0);
    stats.tasksDone = m_tasksDone;
    stats.pendingWorkS = pendingWorkS();
    stats.txBytesTotal = m_txBytes + (m_data ? m_data->bytesSent() : 0);
    stats.rxBytesTotal = m_rxBytes;
    stats.unitComputeS = m_unitComputeS;
    // Measured while serving; until then the profile's link (or 0 = unknown).
    // Until measured, the profile's link is the estimate, emulated or not (in a lab the kernel
    // shapes the link to that rate, and `bw` needs B_i before the first block moves).
    stats.bandwidthMBps = m_measuredMBps > 0 ? m_measuredMBps : m_profileLinkMBps;
    m_transport.send(kMonitorRank, Tag::Heartbeat, stats.toJson());
}

} // namespace starling::mpi
