#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/clustersource.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include <deque>
#include <functional>
#include <vector>

namespace starling::consolemodel {

// One thing that needs an operator's eyes, shown until someone acknowledges it.
struct Alert
{
    enum class Kind
    {
        NodeSuspect, // the failure detector stopped hearing from a node
        NodeDown,    // a node was declared lost
        DrainStuck,  // a drain still running after the tracker's drain limit
        JobFailed,   // an image job ended in failure (`job_failed`)
        LinkDropped  // the console lost its link to the monitor after having it
    };
    enum class Severity
    {
        Warning, // may resolve by itself: SUSPECT, a slow drain
        Critical // something was lost: a node, a job, the link
    };

    qint64 id = 0; // unique within its tracker, increasing
    Kind kind = Kind::NodeSuspect;
    Severity severity = Severity::Warning;
    QString subject;   // the node or job it is about; empty for the link
    qint64 timeMs = 0; // when it happened (ms since the epoch): the cluster's time when known
    QString reason;    // one line for people: "slave-3 is DOWN: exited"
    bool acknowledged = false;
};

QString toString(Alert::Kind kind); // "node suspect", "drain stuck", ...

// Turns the console's feed (snapshots, events, link changes) into alerts, one per episode: a
// node is alerted when it turns SUSPECT and not again until it has left SUSPECT and come back;
// the same for DOWN, for each drain (told apart by its start time) and for each dropped link;
// a failed job once per job id. The list is bounded: past the capacity the oldest
// acknowledged alert goes first, then the oldest of all.
class AlertTracker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertTracker)

public:
    using Clock = std::function<qint64()>; // ms since the epoch
    static constexpr qint64 kDefaultDrainLimitMs = 5 * 60 * 1000;
    static constexpr int kDefaultCapacity = 200;

    // Without a clock, the wall clock; tests pass their own.
    explicit AlertTracker(Clock clock = {}, QObject *parent = nullptr);

    // A drain still running this long after it started raises DrainStuck (at least 1 s).
    void setDrainLimitMs(qint64 ms);
    qint64 drainLimitMs() const { return m_drainLimitMs; }
    void setCapacity(int capacity); // at least 1
    // The moment alerts are stamped with: a replay's position instead of the wall clock.
    // Without a clock, the wall clock again.
    void setClock(Clock clock);
    int capacity() const { return m_capacity; }

    void addSnapshot(const cluster::ClusterSnapshot &snapshot);
    void addEvent(const QJsonObject &event);
    void setLink(LinkState state, const QString &detail);

    bool acknowledge(qint64 id); // false if no such alert or already acknowledged
    int acknowledgeAll();        // how many were open
    // Another source: nothing of the previous cluster's episodes or alerts is kept.
    void clear();

    const std::deque<Alert> &alerts() const { return m_alerts; } // oldest first
    std::vector<Alert> openAlerts() const;                       // unacknowledged, newest first
    int openCount() const;

signals:
    void raised(const starling::consolemodel::Alert &alert);
    void changed(); // raised, acknowledged, dropped or cleared

private:
    struct Drain
    {
        qint64 sinceMs = 0; // the cluster's start of this drain (0: not said)
        qint64 seenMs = 0;  // the console's clock when first seen draining
        bool alerted = false;
    };

    void trackState(const cluster::NodeView &node, cluster::NodeState state, QSet<QString> &open,
                    qint64 snapshotMs);
    void trackDrain(const cluster::NodeView &node, qint64 snapshotMs);
    void raise(Alert::Kind kind, const QString &subject, qint64 timeMs, const QString &reason);

    Clock m_clock;
    qint64 m_drainLimitMs = kDefaultDrainLimitMs;
    int m_capacity = kDefaultCapacity;
    qint64 m_nextId = 1;
    std::deque<Alert> m_alerts;

    QSet<QString> m_suspect; // nodes in an open SUSPECT episode
    QSet<QString> m_down;
    QHash<QString, Drain> m_drains; // nodes DRAINING now
    bool m_connected = false;       // a drop is only a drop after a connection
};

} // namespace starling::consolemodel
