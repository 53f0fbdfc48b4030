// libFuzzer target for transfer::parseRange. Input: 8 bytes of file size (little-endian, the
// sign bit cleared) then the header bytes. Checks that no input crashes or trips ASan/UBSan and
// that every answer is consistent: a Partial range lies inside the file and is never empty,
// Whole is the whole file, refusals carry no range. Any violation aborts (a finding).
#include "transfer/rangeheader.h"

#include <QByteArrayView>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

using starling::transfer::RangeRequest;

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "parseRange invariant violated: %s\n", what);
        std::abort();
    }
}

void check(QByteArrayView header, qint64 fileSize)
{
    const RangeRequest r = starling::transfer::parseRange(header, fileSize);
    switch (r.kind) {
    case RangeRequest::Kind::Whole:
        require(r.offset == 0 && r.length == fileSize, "Whole must be [0, size)");
        require(header.isNull() || fileSize == 0, "Whole from a header only for an empty file");
        break;
    case RangeRequest::Kind::Partial:
        require(r.length > 0, "Partial must not be empty");
        require(r.offset >= 0 && r.offset < fileSize, "Partial must start inside the file");
        require(r.length <= fileSize - r.offset, "Partial must end inside the file");
        (void)starling::transfer::contentRange(r.offset, r.length, fileSize);
        break;
    case RangeRequest::Kind::Unsatisfiable:
    case RangeRequest::Kind::Malformed:
    case RangeRequest::Kind::MultipleRanges:
        require(r.offset == 0 && r.length == 0, "a refusal carries no range");
        require(!header.isNull(), "no header is never refused");
        break;
    default:
        require(false, "unknown kind");
    }
    // The answer does not depend on the header's letter case where only the unit is involved:
    // parsing is a pure function, so a second call must agree.
    require(starling::transfer::parseRange(header, fileSize) == r, "parseRange is not pure");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    qint64 fileSize = 0;
    if (size >= 8) {
        std::memcpy(&fileSize, data, 8);
        fileSize &= std::numeric_limits<qint64>::max();
        data += 8;
        size -= 8;
    }
    const QByteArrayView header(reinterpret_cast<const char *>(data), qsizetype(size));
    // A non-null view even when empty: an empty header is not a missing one.
    const QByteArrayView present = size == 0 ? QByteArrayView("", 0) : header;
    check(present, fileSize);
    check(present, fileSize % 4096); // small files make more ranges satisfiable
    check(present, 0);
    check(QByteArrayView(), fileSize);
    return 0;
}
