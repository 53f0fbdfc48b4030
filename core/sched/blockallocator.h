#pragma once

#include <QtGlobal>

#include <vector>

namespace starling::sched {

struct ByteRange
{
    qint64 offset = 0;
    qint64 length = 0;
    qint64 end() const { return offset + length; }
    bool operator==(const ByteRange &) const = default;
};

// Splits a file into one contiguous range per node, with exact byte accounting: the ranges are
// in file order, sum to the file size, and neither overlap nor leave a gap.
class BlockAllocator
{
public:
    // Paper 1: floor(fileSize / nodeCount) bytes each; the remainder goes to rank 0, which
    // comes first in the file. Index r of the result belongs to the node of rank r.
    static std::vector<ByteRange> equalBlocks(qint64 fileSize, int nodeCount);

    // The same rule for whole units (a file's pieces) with per-node weights W_i: floor of every
    // node's quota `units * W_i / sum(W)`, every unit left over to rank 0, even when that
    // leaves the others with nothing. With equal weights that is floor(units / N) each and
    // units mod N extra to rank 0, as equalBlocks does for bytes. Index r belongs to rank r.
    static std::vector<long long> equalCounts(long long units, const std::vector<double> &weights);

    // Ranges in proportion to `shares` (index i belongs to node i). Every boundary except the
    // file's end falls on a multiple of `alignment` (1 = no alignment); nodes with share 0 get
    // an empty range.
    static std::vector<ByteRange> weightedBlocks(qint64 fileSize, const std::vector<double> &shares,
                                                 qint64 alignment = 1);
};

} // namespace starling::sched
