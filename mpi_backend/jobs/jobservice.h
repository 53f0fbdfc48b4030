#pragma once

#include "http/httpresponse.h"
#include "http/httpserver.h"
#include "image/imagecodec.h"
#include "jobs/jobboard.h"
#include "jobs/uploadslots.h"
#include "sched/distributionstrategy.h"

#include <functional>
#include <mutex>
#include <optional>

namespace starling::mpi {

// The master's image-job API (README "Image jobs"): POST /api/v1/jobs with an image as the
// body, GET /api/v1/jobs (the list), /api/v1/jobs/<id> (status and timeline) and
// /api/v1/jobs/<id>/result?format=... . Runs on the HTTP server's connection threads: a
// submission is parsed, decoded and validated right there (a bad image is a 400 at once, and
// the MPI thread never decodes), and a result is encoded when first fetched.
//
// Bounded before the body is read: admit() runs when a POST's headers have arrived (the
// server's admission hook) and takes one of `uploadSlots` upload slots, a queue slot and the
// upload's bytes of the board's budget, or refuses at once with 503 (busy, queue_full,
// budget_exceeded) or, when the job's submitter (`submitter` in the query, else the client's
// address) holds its share, 429 submitter_quota; a malformed submitter is 400 bad_request.
// All of it is given back if the upload fails or the client goes away. The
// decoded size is reserved from the image's header before any pixel is allocated (422
// too_large over the per-image limit, 503 budget_exceeded when the budget is in use).
class JobService
{
public:
    JobService(jobs::JobBoard &board, image::DecodeLimits limits, int uploadSlots = 2);

    // Connection thread, request line and headers only: a refusal, or a ticket holding what
    // was reserved for a job submission (nothing for other requests).
    http::HttpServer::Admission admit(const http::HttpRequest &request);
    // Any thread. An answer for /api/v1/jobs..., nullopt for other paths.
    std::optional<http::HttpResponse> handle(const http::HttpRequest &request);
    // MPI thread: the cluster's current default strategy and PDDS weights.
    void setPolicy(sched::StrategyKind strategy, sched::PddsWeights pdds);
    // Called on a connection thread after a job was queued; the receiver wakes its runner on
    // its own thread.
    void setSubmittedCallback(std::function<void()> callback);

private:
    http::HttpResponse submit(const http::HttpRequest &request);
    http::HttpResponse result(const QString &id, const http::HttpRequest &request);

    jobs::JobBoard &m_board;
    image::DecodeLimits m_limits;
    jobs::UploadSlots m_uploads;
    mutable std::mutex m_mutex; // guards the policy and the callback
    sched::StrategyKind m_strategy = sched::kDefaultStrategy;
    sched::PddsWeights m_pdds;
    std::function<void()> m_submitted;
};

} // namespace starling::mpi
