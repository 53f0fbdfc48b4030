#pragma once

#include "cluster/hostlink.h"
#include "cluster/nodestats.h"

#include <QString>

#include <optional>

namespace starling::cluster {

// Reads a node's and one process's resource use from Linux /proc, once per heartbeat. Rates
// (CPU, network) are deltas against the previous sample of the same sampler, so the first
// sample reports them as 0. Every file is untrusted text: a missing, truncated or malformed
// file leaves the fields it feeds at 0 (and forgets that file's previous counters, so the next
// good sample does not report a bogus delta); nothing throws.
//
// The root is a parameter so tests can point the sampler at a fake tree.
class ProcSampler
{
public:
    explicit ProcSampler(QString procRoot = QStringLiteral("/proc"),
                         qint64 pid = 0 /* 0 = this process */);

    // Fills pid, nodeCpu, processCpu, nodeMemUsedBytes, nodeMemTotalBytes, processRssBytes,
    // txBytesPerS, rxBytesPerS, linkInterface, linkShared, connections and sampledAtMs (= nowMs,
    // the caller's wall clock in ms, which is also the time base of the rates). Leaves every other
    // field alone.
    void sample(NodeStats &stats, qint64 nowMs);

    qint64 pid() const { return m_pid; }
    // Counts only this link's interface from now on (the one the node's host reaches the
    // cluster over, e.g. a lab host's veth), and says so in every sample; no interface = every
    // interface summed, which is shared.
    void setLink(const HostLink &link);

private:
    struct CpuTimes
    {
        qint64 busy = 0; // everything but idle and iowait, in USER_HZ ticks
        qint64 idle = 0; // idle + iowait
    };
    struct NetTotals
    {
        qint64 rx = 0;
        qint64 tx = 0;
    };

    // One step per /proc source; the rates ones keep their counters for the next sample.
    void sampleNodeCpu(NodeStats &stats, double elapsedS);
    void sampleProcessCpu(NodeStats &stats, const QString &pidDir, double elapsedS);
    void sampleMemory(NodeStats &stats, const QString &pidDir) const;
    void sampleNetwork(NodeStats &stats, double elapsedS);
    void sampleConnections(NodeStats &stats, const QString &pidDir) const;

    QString m_root;
    HostLink m_link;
    QByteArray m_interface;
    qint64 m_pid = 0;
    long m_ticksPerSecond = 100;
    std::optional<qint64> m_lastNowMs;
    std::optional<CpuTimes> m_lastNodeCpu;
    std::optional<qint64> m_lastProcessTicks;
    std::optional<NetTotals> m_lastNet;
};

} // namespace starling::cluster
