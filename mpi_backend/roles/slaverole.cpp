#include "slaverole.h"

#include "cluster/nodetable.h"
#include "transfer/chunkreader.h"
#include "transfer/relaychunk.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

namespace starling::mpi {

namespace {
QJsonObject parse(const QByteArray &payload)
{
    return QJsonDocument::fromJson(payload).object();
}
} // namespace

SlaveRole::SlaveRole(MpiTransport &transport, const NodeOptions &options, QObject *parent)
    : QObject(parent), m_transport(transport), m_options(options),
      m_emulation(options.profile.forSlave(transport.rank() - 2)),
      m_heartbeat(options.config.heartbeatMs)
{
    connect(&m_heartbeat, &AlignedTicker::tick, this, &SlaveRole::sendHeartbeat);
    m_taskTimer.setSingleShot(true);
    m_taskTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_taskTimer, &QTimer::timeout, this, &SlaveRole::finishRunningTask);
    connect(&m_transport, &MpiTransport::received, this, &SlaveRole::onMessage);
}

Expected<bool> SlaveRole::start()
{
    auto root = transfer::ExportRoot::open(m_options.config.exportRoot);
    if (!root)
        return Error{QStringLiteral("export root: %1").arg(root.error())};
    m_root = std::move(root).value();
    const QJsonObject hello{{QLatin1String("rank"), m_transport.rank()},
                            {QLatin1String("role"), QStringLiteral("slave")},
                            {QLatin1String("pid"), double(::getpid())},
                            {QLatin1String("host"), m_options.hostName}};
    m_transport.send(kMonitorRank, Tag::Hello, hello);
    sendHeartbeat(); // the first sample: the monitor learns of us at once
    m_heartbeat.start();
    return true;
}

void SlaveRole::onMessage(int source, Tag tag, const QByteArray &payload)
{
    m_rxBytes += payload.size();
    if (source != kMasterRank)
        return; // only the master gives slaves orders
    switch (tag) {
    case Tag::TaskAssign:
        onAssign(parse(payload));
        break;
    case Tag::ChunkRead:
        onChunkRead(payload);
        break;
    case Tag::EpochReset:
        resetEpoch(std::int64_t(parse(payload).value(QLatin1String("epoch")).toDouble()));
        break;
    case Tag::Shutdown:
        m_heartbeat.stop();
        m_taskTimer.stop();
        emit finished();
        break;
    default:
        break;
    }
}

void SlaveRole::onAssign(const QJsonObject &message)
{
    Task task;
    task.id = std::int64_t(message.value(QLatin1String("task")).toDouble());
    task.epoch = std::int64_t(message.value(QLatin1String("epoch")).toDouble());
    task.costMs = message.value(QLatin1String("cost_ms")).toDouble();
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
    m_taskTimer.start(int(m_running->costMs * m_emulation.cpuFactor));
}

void SlaveRole::finishRunningTask()
{
    if (!m_running)
        return;
    const double elapsedMs = double(m_taskClock.elapsed());
    const QJsonObject done{{QLatin1String("task"), double(m_running->id)},
                           {QLatin1String("epoch"), double(m_running->epoch)},
                           {QLatin1String("elapsed_ms"), elapsedMs}};
    m_transport.send(kMasterRank, Tag::TaskDone, done);
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

double SlaveRole::pendingWorkS() const
{
    double ms = 0;
    for (const Task &task : m_queue)
        ms += task.costMs * m_emulation.cpuFactor;
    if (m_running)
        ms += std::max(0.0,
                       m_running->costMs * m_emulation.cpuFactor - double(m_taskClock.elapsed()));
    return ms / 1000.0;
}

void SlaveRole::sendHeartbeat()
{
    cluster::NodeStats stats;
    m_sampler.sample(stats, QDateTime::currentMSecsSinceEpoch());
    stats.sequence = ++m_sequence;
    stats.epoch = m_epoch;
    stats.queueLength = int(m_queue.size());
    stats.inFlight = m_running ? 1 : 0;
    stats.tasksDone = m_tasksDone;
    stats.pendingWorkS = pendingWorkS();
    stats.txBytesTotal = m_txBytes;
    stats.rxBytesTotal = m_rxBytes;
    stats.unitComputeS = m_unitComputeS;
    stats.bandwidthMBps = m_emulation.linkMBps;
    m_transport.send(kMonitorRank, Tag::Heartbeat, stats.toJson());
}

} // namespace starling::mpi
