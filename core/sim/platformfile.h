#pragma once

#include "sched/platform.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace starling::sim {

// Platform files describe a star for `starling sim`:
//   {"unit_MB": 8, "startup_s": 0, "return_ratio": 0,
//    "slaves": [{"name": "s1", "unit_compute_s": 1.0, "bandwidth_MBps": 100}, ...]}
// Every problem is reported as one line naming the file and the field.
class PlatformFile
{
public:
    static constexpr qint64 kMaxBytes = 1 << 20;
    static constexpr int kMaxSlaves = 4096;

    static Expected<sched::Platform> parse(const QByteArray &json, const QString &source);
    static Expected<sched::Platform> load(const QString &path);
    static QByteArray serialise(const sched::Platform &platform);
};

} // namespace starling::sim
