#pragma once

#include <QtGlobal>

namespace starling::sched {

// Paper 1's t = g1(Type, FileLength): what a request costs a *standard* node (weight 1),
// in seconds. Starling's g1 is affine in the length: a fixed per-request part (seek, headers,
// task hand-off) plus the length at the type's standard throughput. Defaults in README.md.
enum class RequestType
{
    FileBlock,
    FileRelay,
    ImageStrip
};

struct RequestCost
{
    double fixedS = 0;         // per request
    double bytesPerSecond = 1; // standard node's throughput for this type
};

class CostModel
{
public:
    CostModel();

    double cost(RequestType type, qint64 lengthBytes) const; // g1
    void setCost(RequestType type, RequestCost cost);
    RequestCost costOf(RequestType type) const;

private:
    RequestCost m_costs[3];
};

} // namespace starling::sched
