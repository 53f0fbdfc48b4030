#include "costmodel.h"

#include "schedulingerror.h"

namespace starling::sched {

CostModel::CostModel()
{
    // A standard node streams a file block from page cache at ~100 MB/s over its link;
    // a relayed block crosses two links (slave -> master -> client), so half that;
    // an image strip is CPU bound, ~20 MB/s of pixels through a 5x5 filter.
    m_costs[int(RequestType::FileBlock)] = {0.001, 100e6};
    m_costs[int(RequestType::FileRelay)] = {0.002, 50e6};
    m_costs[int(RequestType::ImageStrip)] = {0.005, 20e6};
}

double CostModel::cost(RequestType type, qint64 lengthBytes) const
{
    if (lengthBytes < 0)
        throw SchedulingError("request length must be non-negative");
    const RequestCost &c = m_costs[int(type)];
    return c.fixedS + double(lengthBytes) / c.bytesPerSecond;
}

void CostModel::setCost(RequestType type, RequestCost cost)
{
    if (!(cost.fixedS >= 0) || !(cost.bytesPerSecond > 0))
        throw SchedulingError("request cost needs fixedS >= 0 and bytesPerSecond > 0");
    m_costs[int(type)] = cost;
}

RequestCost CostModel::costOf(RequestType type) const
{
    return m_costs[int(type)];
}

} // namespace starling::sched
