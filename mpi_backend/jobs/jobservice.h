#pragma once

#include "http/httpresponse.h"
#include "http/httpserver.h"
#include "image/imagecodec.h"
#include "jobs/jobboard.h"
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
class JobService
{
public:
    JobService(jobs::JobBoard &board, image::DecodeLimits limits);

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
    mutable std::mutex m_mutex; // guards the policy and the callback
    sched::StrategyKind m_strategy = sched::kDefaultStrategy;
    sched::PddsWeights m_pdds;
    std::function<void()> m_submitted;
};

} // namespace starling::mpi
