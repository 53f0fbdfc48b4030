#include "platform.h"

namespace starling::sched {

std::vector<double> Platform::bandwidths() const
{
    std::vector<double> result;
    result.reserve(slaves.size());
    for (const SlaveSpec &slave : slaves)
        result.push_back(slave.bandwidthMBps);
    return result;
}

} // namespace starling::sched
