#include "jobsubmission.h"

#include "jobs/jobboard.h" // imageCharge only (inline): the fuzzer links no board

namespace starling::jobs {

Expected<JobSubmission> JobSubmission::read(const QList<QPair<QByteArray, QByteArray>> &query,
                                            QByteArrayView body,
                                            sched::StrategyKind defaultStrategy,
                                            sched::PddsWeights defaultPdds,
                                            image::DecodeLimits limits, const Budget &budget)
{
    auto spec = JobSpec::fromQuery(query, defaultStrategy, defaultPdds);
    if (!spec)
        return Error{spec.error(), spec.errorCode()};
    if (body.isEmpty())
        return Error{QStringLiteral("the request has no body: POST the image file itself"),
                     QStringLiteral("bad_image")};
    qint64 neverFits = 0;
    if (budget.reserve) {
        const image::ImageOp op = spec->op;
        limits.reserve = [&budget, op, &neverFits](qint64 width, qint64 height, int channels) {
            const qint64 charge =
                JobBoard::imageCharge(width, height, channels, op.outputChannels(channels));
            if (charge > budget.capacity) {
                neverFits = charge;
                return false;
            }
            return budget.reserve(charge);
        };
    }
    auto decoded = image::decodeImage(body, limits);
    if (!decoded && neverFits > 0)
        return Error{QStringLiteral("the image needs %1 bytes with its output, more than the "
                                    "whole job memory budget of %2 bytes")
                         .arg(neverFits)
                         .arg(budget.capacity),
                     QStringLiteral("too_large")};
    if (!decoded)
        return Error{decoded.error(), decoded.errorCode().isEmpty() ? QStringLiteral("bad_image")
                                                                    : decoded.errorCode()};
    return JobSubmission{std::move(spec).value(), std::move(decoded).value()};
}

} // namespace starling::jobs
