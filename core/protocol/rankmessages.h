#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace starling::protocol {

// The small payloads between ranks, one per MPI tag that has no richer type of its own
// (mpi_backend/transport/messagetag.h names each tag's type). Ranks of one build talk to each
// other, but a payload is still read leniently: a missing or mistyped field keeps its default
// (-1 for a rank, task or epoch that must be there), and the receiver checks what it needs.

// Tag::Hello (any rank -> monitor; the monitor's own too): who and where a rank is.
struct RankHello
{
    int rank = -1;
    QString role; // master, monitor, slave
    qint64 pid = 0;
    QString host;
    QString url;     // the master's HTTP API
    QString dataUrl; // a slave's block data server

    QJsonObject toJson() const;
    static RankHello fromJson(const QJsonObject &message);
};

// Tag::Liveness (monitor -> master): the failure detector's verdict on a slave.
struct LivenessReport
{
    int rank = -1;
    QString liveness; // cluster::toString(Liveness): alive, suspect, down
    std::optional<qint64> silentMs;

    QJsonObject toJson() const;
    static LivenessReport fromJson(const QJsonObject &message);
};

// Tag::TaskAssign (master -> slave): a synthetic task of the demo load.
struct TaskAssignment
{
    qint64 task = -1;
    qint64 epoch = -1; // the slave's epoch when it was given; older ones are stale
    double costMs = 0; // on a standard slave

    QJsonObject toJson() const;
    static TaskAssignment fromJson(const QJsonObject &message);
};

// Tag::TaskDone (slave -> master).
struct TaskCompletion
{
    qint64 task = -1;
    qint64 epoch = -1;
    double elapsedMs = 0;

    QJsonObject toJson() const;
    static TaskCompletion fromJson(const QJsonObject &message);
};

// Tag::EpochReset (master -> slave): you were declared DOWN; drop your queue, this is your
// epoch now.
struct EpochReset
{
    qint64 epoch = -1;

    QJsonObject toJson() const;
    static EpochReset fromJson(const QJsonObject &message);
};

// Tag::Slowdown (master -> slave): compute takes `factor` times as long from now on.
struct Slowdown
{
    double factor = 1;

    QJsonObject toJson() const;
    static Slowdown fromJson(const QJsonObject &message);
};

// Tag::Wake (master -> slave): poll fast for `ms` milliseconds (a job is running).
struct Wake
{
    int ms = 0;

    QJsonObject toJson() const;
    static Wake fromJson(const QJsonObject &message);
};

// Tag::Command (monitor -> master): an operator command from a bridge client, whose shape the
// monitor has checked (cluster::OperatorCommand reads `command`).
struct CommandRequest
{
    QString clientId; // the bridge connection, for the reply
    QString client;   // its name, for the audit trail
    QJsonObject command;

    QJsonObject toJson() const;
    static CommandRequest fromJson(const QJsonObject &message);
};

// Tag::CommandReply (master -> monitor): the ack or error the bridge client gets.
struct CommandReply
{
    QString clientId;
    QString id; // the command's id
    bool ok = false;
    QJsonObject result;    // ok
    QString code, message; // not ok

    QJsonObject toJson() const;
    static CommandReply fromJson(const QJsonObject &message);
};

} // namespace starling::protocol
