#include "alerttracker.h"

#include "consolemodel/eventdescription.h"
#include "protocol/eventkind.h"
#include "protocol/jobevents.h"
#include "util/oneline.h"
#include "util/valueformat.h"

#include <QDateTime>

#include <algorithm>

namespace starling::consolemodel {

namespace {

// Text from the wire, bounded as the event log bounds it.
constexpr int kNameLength = 64;
constexpr int kReasonLength = 200;
constexpr qint64 kMinDrainLimitMs = 1000;

Alert::Severity severityOf(Alert::Kind kind)
{
    return kind == Alert::Kind::NodeSuspect || kind == Alert::Kind::DrainStuck
               ? Alert::Severity::Warning
               : Alert::Severity::Critical;
}

// ": reason" when the cluster gave one.
QString becauseOf(const QString &reason)
{
    const QString text = util::oneLine(reason, kReasonLength);
    return text.isEmpty() ? QString() : QStringLiteral(": ") + text;
}

} // namespace

QString toString(Alert::Kind kind)
{
    switch (kind) {
    case Alert::Kind::NodeSuspect:
        return QStringLiteral("node suspect");
    case Alert::Kind::NodeDown:
        return QStringLiteral("node down");
    case Alert::Kind::DrainStuck:
        return QStringLiteral("drain stuck");
    case Alert::Kind::JobFailed:
        return QStringLiteral("job failed");
    case Alert::Kind::LinkDropped:
        return QStringLiteral("link dropped");
    }
    return {};
}

AlertTracker::AlertTracker(Clock clock, QObject *parent)
    : QObject(parent), m_clock(clock ? std::move(clock) : Clock(&QDateTime::currentMSecsSinceEpoch))
{}

void AlertTracker::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : Clock(&QDateTime::currentMSecsSinceEpoch);
}

void AlertTracker::setDrainLimitMs(qint64 ms)
{
    m_drainLimitMs = std::max(kMinDrainLimitMs, ms);
}

void AlertTracker::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
}

void AlertTracker::addSnapshot(const cluster::ClusterSnapshot &snapshot)
{
    QSet<QString> present;
    for (const cluster::NodeView &node : snapshot.nodes) {
        present.insert(node.name);
        trackState(node, cluster::NodeState::Suspect, m_suspect, snapshot.timeMs);
        trackState(node, cluster::NodeState::Down, m_down, snapshot.timeMs);
        trackDrain(node, snapshot.timeMs);
    }
    // A node gone from the snapshot has ended its episodes.
    m_suspect.intersect(present);
    m_down.intersect(present);
    for (auto it = m_drains.begin(); it != m_drains.end();)
        it = present.contains(it.key()) ? std::next(it) : m_drains.erase(it);
}

void AlertTracker::trackState(const cluster::NodeView &node, cluster::NodeState state,
                              QSet<QString> &open, qint64 snapshotMs)
{
    if (node.state != state) {
        open.remove(node.name);
        return;
    }
    if (open.contains(node.name))
        return;
    open.insert(node.name);
    const QString name = util::oneLine(node.name, kNameLength);
    const qint64 at = node.stateSinceMs > 0 ? node.stateSinceMs
                      : snapshotMs > 0      ? snapshotMs
                                            : m_clock();
    raise(state == cluster::NodeState::Suspect ? Alert::Kind::NodeSuspect : Alert::Kind::NodeDown,
          name, at,
          tr("%1 is %2%3").arg(name, cluster::toString(state), becauseOf(node.stateReason)));
}

// The drain's age by the cluster's clock (snapshot time less the drain's start) when the
// snapshot says when it started, so a console connected late still knows; otherwise by the
// console's clock since it first saw the drain.
void AlertTracker::trackDrain(const cluster::NodeView &node, qint64 snapshotMs)
{
    if (node.state != cluster::NodeState::Draining) {
        m_drains.remove(node.name);
        return;
    }
    const qint64 now = m_clock();
    auto it = m_drains.find(node.name);
    if (it == m_drains.end() || it->sinceMs != node.stateSinceMs)
        it = m_drains.insert(node.name, Drain{node.stateSinceMs, now, false});
    const bool clusterClock = it->sinceMs > 0 && snapshotMs >= it->sinceMs;
    const qint64 age = clusterClock ? snapshotMs - it->sinceMs : now - it->seenMs;
    if (it->alerted || age < m_drainLimitMs)
        return;
    it->alerted = true;
    const QString name = util::oneLine(node.name, kNameLength);
    QString reason =
        tr("%1 still DRAINING after %2: %3 in flight")
            .arg(name, util::formatSeconds(double(age) / 1000),
                 node.assigned == 1 ? tr("1 task") : tr("%1 tasks").arg(node.assigned));
    if (node.drainEtaS >= 0)
        reason += tr(", ~%1 left by its estimate").arg(util::formatSeconds(node.drainEtaS));
    reason += becauseOf(node.stateReason);
    raise(Alert::Kind::DrainStuck, name, clusterClock ? snapshotMs : now, reason);
}

void AlertTracker::addEvent(const QJsonObject &event)
{
    if (protocol::kindOf(event) != protocol::EventKind::JobFailed)
        return;
    const Expected<protocol::JobFailedEvent> failed = protocol::JobFailedEvent::fromJson(event);
    const EventLine line = describeEvent(event); // bounded, one line, "?" for what is missing
    const QString job = failed ? util::oneLine(failed.value().job, kNameLength) : QString();
    // The same failure told twice (a reconnect's history) is one alert.
    const bool known = std::any_of(m_alerts.begin(), m_alerts.end(), [&](const Alert &a) {
        return a.kind == Alert::Kind::JobFailed && !job.isEmpty() && a.subject == job;
    });
    if (!known)
        raise(Alert::Kind::JobFailed, job, line.timeMs > 0 ? line.timeMs : m_clock(), line.text);
}

void AlertTracker::setLink(LinkState state, const QString &detail)
{
    if (state == LinkState::Connected) {
        m_connected = true;
        return;
    }
    if (state != LinkState::Disconnected || !m_connected)
        return;
    m_connected = false;
    raise(Alert::Kind::LinkDropped, QString(), m_clock(),
          tr("link to the monitor lost%1").arg(becauseOf(detail)));
}

void AlertTracker::raise(Alert::Kind kind, const QString &subject, qint64 timeMs,
                         const QString &reason)
{
    Alert alert;
    alert.id = m_nextId++;
    alert.kind = kind;
    alert.severity = severityOf(kind);
    alert.subject = subject;
    alert.timeMs = timeMs;
    alert.reason = reason;
    m_alerts.push_back(alert);
    while (int(m_alerts.size()) > m_capacity) {
        const auto acked = std::find_if(m_alerts.begin(), m_alerts.end(),
                                        [](const Alert &a) { return a.acknowledged; });
        m_alerts.erase(acked != m_alerts.end() ? acked : m_alerts.begin());
    }
    emit raised(alert);
    emit changed();
}

bool AlertTracker::acknowledge(qint64 id)
{
    for (Alert &a : m_alerts) {
        if (a.id == id && !a.acknowledged) {
            a.acknowledged = true;
            emit changed();
            return true;
        }
    }
    return false;
}

int AlertTracker::acknowledgeAll()
{
    int count = 0;
    for (Alert &a : m_alerts) {
        count += a.acknowledged ? 0 : 1;
        a.acknowledged = true;
    }
    if (count > 0)
        emit changed();
    return count;
}

void AlertTracker::clear()
{
    m_suspect.clear();
    m_down.clear();
    m_drains.clear();
    m_connected = false;
    const bool had = !m_alerts.empty();
    m_alerts.clear();
    if (had)
        emit changed();
}

std::vector<Alert> AlertTracker::openAlerts() const
{
    std::vector<Alert> open;
    for (auto it = m_alerts.rbegin(); it != m_alerts.rend(); ++it) {
        if (!it->acknowledged)
            open.push_back(*it);
    }
    return open;
}

int AlertTracker::openCount() const
{
    return int(std::count_if(m_alerts.begin(), m_alerts.end(),
                             [](const Alert &a) { return !a.acknowledged; }));
}

} // namespace starling::consolemodel
