#pragma once

#include "image/imageop.h"
#include "jobs/stripmessage.h"
#include "mpi_backend/transport/transport.h"
#include "sched/costestimator.h"
#include "sched/probeplanner.h"

#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace starling::mpi {

// The master's probe rounds (issue 16, sched::ProbePlanner) on a real cluster: when a job of an
// op is done and nothing else runs, each idle slave due a round gets two strips of synthetic
// pixels (a small and a large one, in the op's channels), computed like any strip and timed,
// their pixels thrown away. Their compute times go into the estimator as the planner says. Probe
// strips carry the last place in the stream, so a slave computes any job's strip before them;
// a job that starts meanwhile waits at most for the one probe strip a slave is computing.
//
// Sizes follow the cluster's standard rate: the large strip is what a standard slave computes
// of the op in ProbePlanner's largeStandardS, the small one a sixteenth of it (the sizes
// tst_costestimator's guarantee is met with). Rounds start once the runner has been idle for
// kIdleMs, so jobs submitted back to back are not held up by them.
//
// THREADS: the MPI thread only (the JobRunner's).
class IdleProber
{
public:
    static constexpr int kIdleMs = 1000;

    IdleProber(Transport &transport, double standardMBps);

    // A job of `op` is done: the op the next rounds probe, in rows `width` wide.
    void jobDone(const image::ImageOp &op, const sched::OpClass &opClass, int width);
    // Sends the rounds now due for the last job's op to the `idle` ranks not probed already.
    void probe(const std::vector<int> &idle);
    // Takes `result` if it answers a probe strip (true), timing its round into `estimator` once
    // both strips of the round are in; false for any other strip's result.
    bool onResult(int source, const jobs::StripResult &result, sched::CostEstimator &estimator,
                  std::int64_t nowMs);
    // The slave is gone: its rounds in flight will not be answered.
    void forget(int rank);

private:
    struct Target
    {
        image::ImageOp op;
        sched::OpClass opClass;
        int width = 0;
    };
    struct Pending
    {
        int rank = 0;
        sched::OpClass op;
        sched::ProbePlanner::Round round;
        double seconds[2] = {-1, -1}; // small, large; < 0 until answered
    };
    bool busy(int rank) const;
    jobs::StripAssignment strip(const image::ImageOp &op, int channels, int width, double mb,
                                const QString &id, int chunk) const;

    Transport &m_transport;
    double m_standardMBps;
    sched::ProbePlanner m_planner;
    std::optional<Target> m_target;
    std::map<QString, Pending> m_pending; // by probe id (the strips' job id)
    std::int64_t m_nextId = 1;
};

} // namespace starling::mpi
