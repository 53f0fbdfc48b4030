#include "makespanevaluator.h"

#include "schedulingerror.h"

#include <algorithm>
#include <numeric>

namespace starling::sched {

Timeline evaluateSchedule(const Platform &platform, const std::vector<double> &shares,
                          const std::vector<int> &order)
{
    if (shares.size() != platform.slaves.size() || order.size() != shares.size())
        throw SchedulingError("evaluateSchedule: shares and order must cover every slave");
    Timeline timeline;
    timeline.shares = shares;
    double port = 0;
    for (int slave : order) {
        const double units = shares[size_t(slave)];
        if (units <= 0)
            continue;
        ChunkRecord chunk;
        chunk.slave = slave;
        chunk.units = units;
        chunk.sendStart = port;
        port += platform.messageFixedS(slave) + units * platform.unitSendS(slave);
        chunk.sendEnd = port;
        chunk.computeStart = port;
        chunk.computeEnd =
            port + units * platform.unitComputeS(slave) + platform.chunkFixedComputeS(slave);
        chunk.returnStart = chunk.returnEnd = chunk.computeEnd;
        timeline.chunks.push_back(chunk);
    }
    if (platform.returnRatio > 0) {
        std::vector<size_t> byCompletion(timeline.chunks.size());
        std::iota(byCompletion.begin(), byCompletion.end(), size_t(0));
        std::stable_sort(byCompletion.begin(), byCompletion.end(), [&](size_t a, size_t b) {
            return timeline.chunks[a].computeEnd < timeline.chunks[b].computeEnd;
        });
        for (size_t index : byCompletion) {
            ChunkRecord &chunk = timeline.chunks[index];
            chunk.returnStart = std::max(port, chunk.computeEnd);
            // Same association as the simulator so both agree to the last bit.
            port = chunk.returnStart +
                   (platform.messageFixedS(chunk.slave) +
                    chunk.units * platform.returnRatio * platform.unitSendS(chunk.slave));
            chunk.returnEnd = port;
        }
    }
    for (const ChunkRecord &chunk : timeline.chunks)
        timeline.makespan = std::max(timeline.makespan, chunk.returnEnd);
    return timeline;
}

double makespanLowerBound(const Platform &platform, double load)
{
    if (platform.slaves.empty() || load < 0)
        throw SchedulingError("makespanLowerBound: need slaves and a non-negative load");
    std::vector<int> byLinkCost(size_t(platform.size()));
    std::iota(byLinkCost.begin(), byLinkCost.end(), 0);
    std::sort(byLinkCost.begin(), byLinkCost.end(),
              [&](int a, int b) { return platform.unitSendS(a) < platform.unitSendS(b); });
    double portLeft = 1.0; // seconds of port time per second
    double rho = 0;        // units per second the platform can absorb at best
    for (int slave : byLinkCost) {
        const double c = platform.unitSendS(slave);
        const double x = std::min(1.0 / platform.unitComputeS(slave), portLeft / c);
        rho += x;
        portLeft -= x * c;
        if (portLeft <= 0)
            break;
    }
    return load / rho;
}

} // namespace starling::sched
