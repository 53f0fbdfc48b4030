#pragma once

#include "image/imagebuffer.h"
#include "image/imagecodec.h"
#include "jobs/jobspec.h"
#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

#include <functional>

namespace starling::jobs {

// A job submission as the master reads it before queuing: the spec from the query, then the
// image decoded within the limits, its decoded size (input and output) reserved in the board's
// budget from the header, before any pixel memory is allocated. No HTTP and no MPI, so the
// fuzzer (tests/fuzz/fuzz_jobsubmission) runs exactly this.
struct JobSubmission
{
    JobSpec spec;
    image::ImageBuffer input;

    // Where the decoded image's bytes (JobBoard::imageCharge) are reserved: the master's job
    // budget, through the upload's JobReservation. Unset: only the limits apply.
    struct Budget
    {
        std::function<bool(qint64 charge)> reserve;
        qint64 capacity = 0; // the whole budget: a charge above it can never fit
    };

    // Codes: "bad_request" (the query), "bad_image" (no body, unknown or corrupt), "too_large"
    // (over the per-image limits, or more than the whole budget could ever hold) and
    // "budget_exceeded" (it would fit, but not in what is left now). With an empty budget only
    // the limits apply.
    static Expected<JobSubmission> read(const QList<QPair<QByteArray, QByteArray>> &query,
                                        QByteArrayView body, sched::StrategyKind defaultStrategy,
                                        sched::PddsWeights defaultPdds, image::DecodeLimits limits,
                                        const Budget &budget);
};

} // namespace starling::jobs
