#pragma once

#include "util/expected.h"

#include <QString>
#include <QStringList>

namespace starling::cli::lab {

// The kernel side of a slow link: a token-bucket filter (tbf) as the root qdisc of one end of a
// veth. A veth end shapes only what it sends, so a host's uplink is its namespace end and its
// downlink the bridge end. (This kernel has no netem: no delay or loss emulation.)
class LinkShaper
{
public:
    static constexpr int kLatencyMs = 100; // how long a packet may queue before it is dropped

    // `tc [-n NETNS] qdisc replace dev DEVICE root tbf ...`: creates or changes in place, so
    // the same call serves `lab up` and a live `lab link`.
    static Expected<bool> shape(const QString &device, const QString &netns, double linkMBps);
    // Removes the root qdisc; a device without one (or one that is gone) is not an error.
    static void unshape(const QString &device, const QString &netns);
    // The root tbf's rate in bytes per second as tc reports it; nothing when not shaped.
    static std::optional<double> rateBytesPerSecond(const QString &device, const QString &netns);

    // The tc arguments after "root": "tbf rate <bits>bit burst <bytes>b latency 100ms".
    static QStringList tbfParameters(double linkMBps);

private:
    static QStringList scope(const QString &netns);
};

} // namespace starling::cli::lab
