#include "blockallocator.h"

#include "schedulingerror.h"

#include <algorithm>
#include <cmath>

namespace starling::sched {

std::vector<ByteRange> BlockAllocator::equalBlocks(qint64 fileSize, int nodeCount)
{
    if (fileSize < 0 || nodeCount < 1)
        throw SchedulingError("equalBlocks: need a non-negative size and at least one node");
    const qint64 average = fileSize / nodeCount;
    const qint64 heavy = fileSize % nodeCount;
    std::vector<ByteRange> ranges;
    qint64 offset = 0;
    for (int rank = 0; rank < nodeCount; ++rank) {
        const qint64 length = average + (rank == 0 ? heavy : 0);
        ranges.push_back({offset, length});
        offset += length;
    }
    return ranges;
}

std::vector<long long> BlockAllocator::equalCounts(long long units,
                                                   const std::vector<double> &weights)
{
    if (units < 0 || weights.empty())
        throw SchedulingError("equalCounts: need a non-negative unit count and at least one node");
    double sum = 0;
    for (double weight : weights) {
        if (!(weight >= 0) || !std::isfinite(weight))
            throw SchedulingError("equalCounts: weights must be finite and non-negative");
        sum += weight;
    }
    if (!(sum > 0) || !std::isfinite(sum))
        throw SchedulingError("equalCounts: at least one weight must be positive");
    std::vector<long long> counts;
    long long given = 0;
    for (double weight : weights) {
        // The epsilon keeps an exact quota (7 * 2 / 2) from flooring one below itself.
        const long long count = std::min(
            units - given, static_cast<long long>(std::floor(double(units) * weight / sum + 1e-9)));
        counts.push_back(count);
        given += count;
    }
    counts[0] += units - given;
    return counts;
}

std::vector<ByteRange>
BlockAllocator::weightedBlocks(qint64 fileSize, const std::vector<double> &shares, qint64 alignment)
{
    if (fileSize < 0 || shares.empty() || alignment < 1)
        throw SchedulingError("weightedBlocks: need a size >= 0, shares and alignment >= 1");
    long double total = 0;
    for (double share : shares) {
        if (!(share >= 0) || !std::isfinite(share))
            throw SchedulingError("weightedBlocks: shares must be finite and non-negative");
        total += share;
    }
    if (!(total > 0))
        throw SchedulingError("weightedBlocks: at least one share must be positive");
    size_t lastPositive = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
        if (shares[i] > 0)
            lastPositive = i;
    }

    // Boundaries are rounded cumulative quotas: monotone, so no overlap and no gap, and the
    // last one is the file size itself, so the lengths sum exactly.
    std::vector<ByteRange> ranges;
    qint64 previous = 0;
    long double cumulative = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
        cumulative += shares[i];
        qint64 boundary = fileSize;
        if (i < lastPositive) {
            const long double ideal = (long double)fileSize * (cumulative / total);
            boundary = qint64(std::llround(ideal / (long double)alignment)) * alignment;
            boundary = std::clamp(boundary, previous, fileSize);
        }
        ranges.push_back({previous, boundary - previous});
        previous = boundary;
    }
    return ranges;
}

} // namespace starling::sched
