#pragma once

#include "cluster/slaveemulation.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::cluster {

// Makes the slaves of a one-machine cluster behave like different machines (ARCHITECTURE.md,
// "One machine standing in for a cluster"). The file:
//   {"name": "...", "description": "...",
//    "slaves": [{"cpu_factor": 2.0, "link_MBps": 10}, ...]}
// Entry k describes slave k (0 = the first slave, MPI rank 2); slaves beyond the list run
// unemulated. A missing cpu_factor is 1.0, a missing link_MBps means an unpaced link; an
// optional strip_fixed_ms adds that much to every image strip's emulated compute. Every
// problem is one line naming the origin, the entry and the key.
struct HeterogeneityProfile
{
    static constexpr qint64 kMaxFileBytes = 1 << 20;
    static constexpr int kMaxSlaves = 4096;
    static constexpr double kMaxCpuFactor = 1000;
    static constexpr double kMaxLinkMBps = 100000;
    static constexpr double kMaxStripFixedMs = 60000;

    QString name;
    QString description;
    std::vector<SlaveEmulation> slaves;

    SlaveEmulation forSlave(int slaveIndex) const;

    QJsonObject toJson() const;
    static Expected<HeterogeneityProfile> fromJson(const QByteArray &json, const QString &origin);
    static Expected<HeterogeneityProfile> load(const QString &path);

    bool operator==(const HeterogeneityProfile &) const = default;
};

} // namespace starling::cluster
