#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>

namespace starling::cluster {

// One heartbeat's worth of measurements from a slave (read from /proc by ProcSampler plus the
// slave's own counters). Rates are per second over the last heartbeat period.
struct NodeStats
{
    std::int64_t sequence = 0;    // heartbeat number, counts up from 1 per slave process
    std::int64_t epoch = 0;       // the master's epoch for this slave when the sample was taken
    std::int64_t sampledAtMs = 0; // wall clock (ms since the epoch) when the sample was taken
    qint64 pid = 0;
    double nodeCpu = 0;    // 0..1, whole machine, all cores
    double processCpu = 0; // 0..1 of one core
    std::int64_t nodeMemUsedBytes = 0;
    std::int64_t nodeMemTotalBytes = 0;
    std::int64_t processRssBytes = 0;
    double txBytesPerS = 0; // the host's link (linkInterface), or every interface summed
    double rxBytesPerS = 0;
    QString linkInterface;         // "" = every interface summed
    bool linkShared = false;       // other nodes' traffic crosses it too (one machine: loopback)
    std::int64_t txBytesTotal = 0; // bytes this slave sent to clients and the master (its own)
    std::int64_t rxBytesTotal = 0;
    int connections = 0; // established TCP connections of this process
    int queueLength = 0; // tasks waiting in the slave's queue
    int inFlight = 0;    // tasks running now
    std::int64_t tasksDone = 0;
    double pendingWorkS = 0;  // estimated seconds to finish the queue and the running tasks
    double unitComputeS = 0;  // current estimate of T_i (0 = not measured yet)
    double bandwidthMBps = 0; // current estimate of B_i (0 = not measured yet)

    QJsonObject toJson() const;
    static NodeStats fromJson(const QJsonObject &object); // missing keys keep their defaults
};

} // namespace starling::cluster
