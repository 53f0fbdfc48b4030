#pragma once

#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace starling::cluster {

enum class CommandOp
{
    Drain,
    Resume,
    Weight,
    Strategy,
    Shutdown,
    Load, // demo load generator: synthetic tasks for the master to distribute
    Slow, // demo and benchmarks: make one slave's compute take `factor` times as long
    Fault // a fault injected from outside (starling lab): recorded in the audit trail only
};

QString toString(CommandOp op);

// An operator's command as it arrives on the bridge, checked for shape (types, ranges, known
// names). Whether it makes sense for the cluster right now (does the node exist, is it already
// drained) is AdminStateTable's call.
struct OperatorCommand
{
    QString id;
    CommandOp op = CommandOp::Drain;
    QString node;      // drain, resume, weight, slow, fault
    QString action;    // fault: crash, hang, unhang, cut, heal, link
    double weight = 0; // weight
    double factor = 1; // slow: 1 = as the profile says
    QString strategy;  // strategy
    std::optional<double> w1, w2;
    int tasks = 0;     // load
    double taskMs = 0; // load: emulated cost of each task on a standard slave
    QString reason;
    QString client; // who sent it (the bridge hello's client name)

    static constexpr int kMaxReasonLength = 500;
    static constexpr int kMaxLoadTasks = 100000;
    static constexpr double kMaxWeight = 1e6;
    static constexpr double kMaxSlowdown = 1000;
    static constexpr int kMaxActionLength = 32;

    static Expected<OperatorCommand> fromJson(const QJsonObject &command, const QString &client);
    // The command as the bridge carries it (PROTOCOL.md, Commands): what a client sends, and
    // with id and client filled in, what the history keeps. Empty id and client are left out.
    QJsonObject toJson() const;
    // The command's id, also of one that does not read as a command (its error reply needs it).
    static QString idOf(const QJsonObject &command);
};

} // namespace starling::cluster
