#include "relayservice.h"

#include "transfer/relaychunk.h"

#include <QDateTime>
#include <QPointer>

#include <algorithm>
#include <chrono>

namespace starling::mpi {

RelayService::Handle::~Handle()
{
    if (onRelease)
        onRelease();
}

RelayService::Settings RelayService::Settings::fromConfig(const cluster::ClusterConfig &config)
{
    Settings settings;
    settings.budgetBytes = config.relayBudgetBytes;
    settings.busyWaitMs = config.relayBusyWaitMs;
    settings.connectionsPerAddress = unsigned(config.masterConnectionsPerAddress);
    settings.minRateBytesPerS = config.relayMinRateBytesPerS;
    settings.minRateWindowS = config.relayMinRateWindowS;
    return settings;
}

RelayService::RelayService(Transport &transport, Settings settings, QObject *parent)
    : QObject(parent), m_transport(transport), m_settings(settings),
      m_budget(m_settings.budgetBytes)
{
    m_tick.setInterval(std::max(50, m_settings.chunkTimeoutMs / 6));
    connect(&m_tick, &QTimer::timeout, this, &RelayService::onTick);
}

RelayService::~RelayService()
{
    stop();
}

std::int64_t RelayService::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

// What one relay can hold at its worst: a full window of chunks and a full pipe, which may
// overshoot by one chunk (pump), or the whole range twice when that is less.
qint64 RelayService::worstCaseBytes(qint64 length) const
{
    const qint64 window = m_settings.chunkBytes * m_settings.window;
    return std::min(length, window) +
           std::min(length, m_settings.pipeBytes + m_settings.chunkBytes);
}

std::shared_ptr<RelayService::Handle>
RelayService::open(const QString &path, const QByteArray &etag, qint64 offset, qint64 length)
{
    auto lease =
        m_budget.reserve(worstCaseBytes(length), std::chrono::milliseconds(m_settings.busyWaitMs));
    if (!lease)
        return nullptr;
    const qint64 id = m_nextId.fetch_add(1);
    auto pipe = std::make_shared<transfer::StreamPipe>(m_settings.pipeBytes);
    // Callbacks come from the connection's thread; they only post to ours. QPointer: the
    // service may be gone (shutdown) while a connection still holds its handle.
    const QPointer<RelayService> self(this);
    pipe->setOnSpace([self, id] {
        if (self)
            QMetaObject::invokeMethod(
                self, [self, id] { self->pump(id); }, Qt::QueuedConnection);
    });
    auto handle = std::make_shared<Handle>();
    handle->pipe = pipe;
    handle->lease = lease;
    handle->onRelease = [self, id, pipe] {
        pipe->cancel();
        if (self)
            QMetaObject::invokeMethod(
                self, [self, id] { self->drop(id); }, Qt::QueuedConnection);
    };
    Relay relay{path, etag,
                transfer::RelayWindow(offset, length, m_settings.chunkBytes, m_settings.window),
                pipe, std::move(lease)};
    QMetaObject::invokeMethod(
        this,
        [self, id, relay = std::move(relay)]() mutable {
            if (self)
                self->start(id, std::move(relay));
        },
        Qt::QueuedConnection);
    return handle;
}

void RelayService::start(qint64 id, Relay relay)
{
    if (relay.pipe->cancelled())
        return;
    m_relays.emplace(id, std::move(relay));
    if (!m_tick.isActive())
        m_tick.start();
    pump(id);
}

void RelayService::setSources(std::vector<int> ranks)
{
    const bool hadNone = m_sources.empty();
    m_sources = std::move(ranks);
    if (hadNone && !m_sources.empty()) {
        for (auto &[id, relay] : m_relays)
            pump(id);
    }
}

void RelayService::sourceLost(int rank)
{
    m_sources.erase(std::remove(m_sources.begin(), m_sources.end(), rank), m_sources.end());
    m_lost.push_back(rank);
    onTick(); // move its chunks now, not at the next tick
}

void RelayService::send(qint64 id, const Relay &relay,
                        const std::vector<transfer::RelayWindow::Request> &requests)
{
    for (const auto &r : requests) {
        transfer::ChunkRequest message;
        message.relay = id;
        message.seq = r.seq;
        message.attempt = r.attempt;
        message.path = relay.path;
        message.offset = r.offset;
        message.length = r.length;
        message.etag = relay.etag;
        m_transport.send(r.source, Tag::ChunkRead, message.encode());
    }
}

void RelayService::pump(qint64 id)
{
    const auto it = m_relays.find(id);
    if (it == m_relays.end())
        return;
    Relay &relay = it->second;
    if (relay.pipe->cancelled()) {
        drop(id);
        return;
    }
    // Only what fits (give or take a chunk): the rest waits in the window, which the budget
    // already counts, instead of piling up in the pipe.
    while (relay.pipe->space() > 0) {
        std::vector<transfer::ByteSlice> ready = relay.window.takeReady(relay.pipe->space());
        if (ready.empty())
            break;
        for (transfer::ByteSlice &chunk : ready) {
            m_bytesRelayed += chunk.size();
            relay.pipe->push(std::move(chunk));
        }
    }
    if (relay.window.finished()) {
        relay.pipe->finish();
        m_relays.erase(it);
        return;
    }
    send(id, relay, relay.window.nextRequests(m_sources, nowMs()));
}

void RelayService::drop(qint64 id)
{
    m_relays.erase(id);
    if (m_relays.empty())
        m_tick.stop();
}

void RelayService::onChunkAnswer(int source, const QByteArray &payload)
{
    auto answer = transfer::ChunkAnswer::decode(payload);
    if (!answer)
        return; // malformed: the chunk times out and is asked again elsewhere
    const auto it = m_relays.find(answer->relay);
    if (it == m_relays.end())
        return; // the client went away, or a late answer to a finished relay
    Relay &relay = it->second;
    if (!answer->error.isEmpty()) {
        if (answer->errorCode == QLatin1String("changed")) {
            relay.pipe->fail(answer->error);
            drop(answer->relay);
            return;
        }
        // This slave cannot read it (missing copy, I/O error): ask another one now.
        send(answer->relay, relay, relay.window.reassign(m_sources, nowMs(), 0, {source}));
        return;
    }
    if (relay.window.deliver(answer->seq, answer->attempt, std::move(answer->data)))
        pump(answer->relay);
}

void RelayService::onTick()
{
    const std::vector<int> lost = std::exchange(m_lost, {});
    for (auto &[id, relay] : m_relays) {
        const auto again =
            relay.window.reassign(m_sources, nowMs(), m_settings.chunkTimeoutMs, lost);
        m_reassignments += std::int64_t(again.size());
        send(id, relay, again);
    }
    std::vector<qint64> ids;
    for (const auto &[id, relay] : m_relays)
        ids.push_back(id);
    for (const qint64 id : ids)
        pump(id);
}

void RelayService::stop()
{
    m_budget.close(); // connections waiting for budget give up now
    for (auto &[id, relay] : m_relays)
        relay.pipe->fail(QStringLiteral("the cluster is shutting down"));
    m_relays.clear();
    m_tick.stop();
}

} // namespace starling::mpi
