#include "slowdownevent.h"

#include <cstddef>
#include <limits>

namespace starling::sim {

double stretchedFinish(double startS, double nominalS,
                       const std::vector<std::pair<double, double>> &changes)
{
    double factor = 1;
    std::size_t next = 0;
    while (next < changes.size() && changes[next].first <= startS)
        factor = changes[next++].second;
    double now = startS;
    double workLeft = nominalS; // in nominal seconds
    while (true) {
        const double segmentEnd =
            next < changes.size() ? changes[next].first : std::numeric_limits<double>::infinity();
        const double canDo = (segmentEnd - now) / factor;
        if (workLeft <= canDo)
            return now + workLeft * factor;
        workLeft -= canDo;
        now = segmentEnd;
        factor = changes[next++].second;
    }
}

} // namespace starling::sim
