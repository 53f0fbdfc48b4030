// libFuzzer target for the binary strip messages between master and slave: no input may crash
// or trip ASan/UBSan, and whatever decodes must be self-consistent (its pixels exactly fill
// its rows) and encode back to the same bytes' meaning.
#include "jobs/stripmessage.h"

#include <cstdio>
#include <cstdlib>

using namespace starling::jobs;

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "strip message invariant violated: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const char *data, unsigned long size)
{
    const QByteArray message(data, qsizetype(size));
    if (const auto a = StripAssignment::decode(message)) {
        const qint64 rows = qint64(a->end - a->begin) + a->haloTop + a->haloBottom;
        require(a->pixels.size() == rows * a->width * a->channels, "assignment pixels fill rows");
        require(a->begin < a->end && a->end <= a->imageHeight, "rows inside the image");
        const auto again = StripAssignment::decode(a->encode());
        require(again.hasValue() && again->pixels == a->pixels, "assignment round trip");
    } else {
        require(!a.error().contains(u'\n'), "one-line error");
    }
    if (const auto r = StripResult::decode(message)) {
        require(r->error.isEmpty()
                    ? r->pixels.size() == qint64(r->end - r->begin) * r->width * r->channels
                    : r->pixels.isEmpty(),
                "result pixels fill rows");
        const auto again = StripResult::decode(r->encode());
        require(again.hasValue() && again->pixels == r->pixels, "result round trip");
    }
    return 0;
}
