#include "costestimate.h"

namespace starling::sched {

QString toString(EstimateSource source)
{
    switch (source) {
    case EstimateSource::Measured:
        return QStringLiteral("measured");
    case EstimateSource::OtherOp:
        return QStringLiteral("other_op");
    case EstimateSource::Calibration:
        return QStringLiteral("calibration");
    case EstimateSource::Prior:
        break;
    }
    return QStringLiteral("prior");
}

} // namespace starling::sched
