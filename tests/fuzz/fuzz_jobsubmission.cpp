// libFuzzer target for what the master does with a job submission before queuing it
// (JobSubmission::read: the query into a JobSpec, then the body decoded within the limits, its
// decoded size reserved in a budget before allocation). The input's first line is the query
// ("op=blur&sigma=2"), the rest the body. No input may crash or trip ASan/UBSan; an error is
// one line with a known code; a success is a whole image whose bytes were reserved first.
#include "jobs/jobboard.h"
#include "jobs/jobsubmission.h"

#include <cstdio>
#include <cstdlib>

using namespace starling;

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "job submission invariant violated: %s\n", what);
        std::abort();
    }
}

QList<QPair<QByteArray, QByteArray>> parseQuery(const QByteArray &line)
{
    QList<QPair<QByteArray, QByteArray>> query;
    for (const QByteArray &pair : line.split('&')) {
        const qsizetype eq = pair.indexOf('=');
        query.append(eq < 0 ? qMakePair(pair, QByteArray(""))
                            : qMakePair(pair.left(eq), pair.mid(eq + 1)));
    }
    return query;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const char *data, unsigned long size)
{
    const QByteArray input(data, qsizetype(size));
    const qsizetype newline = input.indexOf('\n');
    const QByteArray query = newline < 0 ? input : input.left(newline);
    const QByteArray body = newline < 0 ? QByteArray() : input.mid(newline + 1);

    // Small limits keep every run fast; the budget is smaller than the pixel limit allows, so
    // both refusals are reachable.
    image::DecodeLimits limits;
    limits.maxPixels = qint64(1) << 20;
    limits.maxBytes = qint64(1) << 20;
    qint64 reserved = 0;
    jobs::JobSubmission::Budget budget;
    budget.capacity = qint64(4) << 20;
    budget.reserve = [&reserved](qint64 charge) {
        require(charge > 0, "a positive charge");
        if (reserved + charge > (qint64(2) << 20))
            return false;
        reserved += charge;
        return true;
    };
    const auto read = jobs::JobSubmission::read(parseQuery(query), body, sched::kDefaultStrategy,
                                                sched::PddsWeights{}, limits, budget);
    if (!read) {
        const QString code = read.errorCode();
        require(code == QLatin1String("bad_request") || code == QLatin1String("bad_image") ||
                    code == QLatin1String("too_large") || code == QLatin1String("budget_exceeded"),
                "a known error code");
        require(!read.error().isEmpty() && !read.error().contains(u'\n'), "one-line error");
        return 0;
    }
    const image::ImageBuffer &image = read->input;
    require(image.isValid(), "a valid image");
    require(qint64(image.width) * image.height <= limits.maxPixels, "within the pixel limit");
    require(image.pixels.size() == qint64(image.width) * image.height * image.channels,
            "pixels fill the image");
    require(reserved == jobs::JobBoard::imageCharge(image.width, image.height, image.channels,
                                                    read->spec.op.outputChannels(image.channels)),
            "the decoded size was reserved");
    return 0;
}
