#include "replayclustersource.h"

#include "cluster/clustersnapshot.h"

#include <QFileInfo>

#include <algorithm>

namespace starling::consolemodel {

namespace {

// What the status bar's link item says in a replay: what is shown and the link as recorded,
// short. The recorded detail names the recording machine's paths and addresses, which mean
// nothing here (the replay bar's tooltip keeps where it came from).
QString replayLinkText(const QString &path, LinkState state)
{
    const QString name = QFileInfo(path).fileName();
    return name.isEmpty() ? QStringLiteral("replay: %1").arg(linkStateName(state))
                          : QStringLiteral("replay of %1: %2").arg(name, linkStateName(state));
}

} // namespace

ReplayClusterSource::ReplayClusterSource(Recording recording, QObject *parent)
    : ClusterSource(parent), m_recording(std::move(recording))
{
    m_wall.start();
    m_clock = [this] {
        return m_wall.elapsed();
    };
    m_timer.setInterval(kStepMs);
    connect(&m_timer, &QTimer::timeout, this, &ReplayClusterSource::advance);
}

ReplayClusterSource::~ReplayClusterSource() = default;

void ReplayClusterSource::start()
{
    m_running = true;
    deliverUpTo(m_positionMs);
    m_lastStepMs = m_clock();
    if (!m_paused)
        m_timer.start();
}

void ReplayClusterSource::stop()
{
    m_running = false;
    m_timer.stop();
}

QString ReplayClusterSource::sendCommand(const QJsonObject &)
{
    const QString id = QStringLiteral("replay-%1").arg(++m_nextId);
    QMetaObject::invokeMethod(
        this,
        [this, id] {
            emit commandAnswered(id, false, {}, QStringLiteral("replay"),
                                 QStringLiteral("a replay is read-only"));
        },
        Qt::QueuedConnection);
    return id;
}

void ReplayClusterSource::setSpeed(double speed)
{
    m_speed = std::clamp(speed, kMinSpeed, kMaxSpeed);
}

void ReplayClusterSource::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    // Playing on from the end starts again from the beginning.
    if (!paused && atEnd() && m_positionMs >= durationMs() && durationMs() > 0)
        seek(0);
    m_paused = paused;
    m_lastStepMs = m_clock();
    if (m_running && !paused)
        m_timer.start();
    else
        m_timer.stop();
    emit pausedChanged(paused);
}

void ReplayClusterSource::seek(qint64 ms)
{
    ms = std::clamp<qint64>(ms, 0, durationMs());
    if (ms < m_positionMs) {
        m_next = 0;
        m_link = LinkState::Disconnected;
        m_positionMs = ms;
        emit positionChanged(ms);
        emit rewound(ms);
        return;
    }
    m_positionMs = ms;
    if (m_running)
        deliverUpTo(ms);
    emit positionChanged(ms);
}

void ReplayClusterSource::setClock(std::function<qint64()> elapsedMs)
{
    m_clock = std::move(elapsedMs);
    m_lastStepMs = m_clock();
}

void ReplayClusterSource::advance()
{
    const qint64 now = m_clock();
    const qint64 wall = std::max<qint64>(0, now - m_lastStepMs);
    m_lastStepMs = now;
    if (m_paused || !m_running)
        return;
    m_positionMs = std::min(durationMs(), m_positionMs + qint64(double(wall) * m_speed));
    deliverUpTo(m_positionMs);
    emit positionChanged(m_positionMs);
    if (atEnd() && m_positionMs >= durationMs()) {
        setPaused(true);
        emit finished();
    }
}

void ReplayClusterSource::deliverUpTo(qint64 ms)
{
    const std::vector<Record> &records = m_recording.records;
    while (m_next < records.size() && records[m_next].atMs <= ms)
        deliver(records[m_next++]);
}

void ReplayClusterSource::deliver(const Record &record)
{
    switch (record.kind) {
    case RecordKind::Snapshot:
        emit snapshotReceived(cluster::ClusterSnapshot::fromJson(record.payload()));
        break;
    case RecordKind::Event:
        emit eventReceived(record.payload());
        break;
    case RecordKind::Ack: {
        const RecordedAck a = RecordedAck::fromJson(record.payload());
        emit commandAnswered(a.id, a.ok, a.result, a.code, a.message);
        break;
    }
    case RecordKind::Link:
        if (const auto link = RecordedLink::fromJson(record.payload())) {
            m_link = link->state;
            emit linkStateChanged(link->state, replayLinkText(m_recording.path, link->state));
        }
        break;
    }
}

} // namespace starling::consolemodel
