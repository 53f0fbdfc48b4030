#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace starling::protocol {

// Tag::AdminState (master -> monitor), sent with every change: the master's authoritative
// record of every node (states, weights, epochs, tasks held), its policy and its task
// counters. The monitor builds its snapshots from the latest one. Read leniently as events are
// (eventjson.h): a node entry without a usable rank is left out, a missing field keeps its
// default.
struct AdminStateMessage
{
    struct Node
    {
        int rank = -1;
        QString state;      // what the master believes, with the detector's verdict
        QString adminState; // the operator's: ACTIVE, DRAINING or DRAINED
        double weight = 1.0;
        qint64 epoch = 0;
        int assigned = 0; // tasks given to it and not yet seen finish
        QString by, reason;
        qint64 sinceMs = 0;
    };

    std::vector<Node> nodes;
    QString strategy; // the cluster's default distribution strategy
    std::optional<double> w1, w2;
    qint64 queuedAtMaster = 0; // tasks no slave has yet
    qint64 tasksCompleted = 0;
    qint64 lateDropped = 0; // answers from an older epoch, dropped

    // Issue 17, Prometheus: the master's image jobs, for /metrics and its alert rules. Also
    // the `jobs` object of the cluster snapshot.
    struct Jobs
    {
        qint64 queued = 0; // waiting for the runner
        qint64 running = 0;
        qint64 queueLimit = 0; // job_queue_limit; 0 = not known (an older master)
        qint64 doneTotal = 0;  // since the master started
        qint64 failedTotal = 0;
        bool operator==(const Jobs &) const = default;

        QJsonObject toJson() const;
        static Jobs fromJson(const QJsonObject &object); // lenient: a bad field reads as 0
    };
    Jobs jobs;

    QJsonObject toJson() const;
    static AdminStateMessage fromJson(const QJsonObject &message);

    static constexpr qsizetype kMaxNodes = 1 << 16;
};

} // namespace starling::protocol
