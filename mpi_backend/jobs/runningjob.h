#pragma once

#include "image/imagebuffer.h"
#include "image/rowsplit.h"
#include "jobs/jobboard.h"
#include "jobs/jobscheduler.h"
#include "jobs/stripmessage.h"
#include "sched/costestimator.h"
#include "sched/platform.h"

#include <map>
#include <memory>

namespace starling::mpi {

// One of the image jobs JobRunner runs at once (issue 16, job stream): its input, the output
// its results are assembled into, and what its strips carried. Its scheduler lives in the
// runner's jobs::JobStream under `sequence`, on the stream's clock; the job's events, timeline
// and makespan count from `startS` on that clock, as if it ran alone.
struct RunningJob
{
    int sequence = 0; // in the stream: earliest first on the port and on the slaves
    QString id;
    jobs::JobSpec spec;
    std::shared_ptr<const image::ImageBuffer> input;
    image::ImageBuffer output;
    int halo = 0;
    std::unique_ptr<image::UnitRows> units;
    double startS = 0;
    sched::Platform estimates;
    std::map<int, jobs::StripResult> results; // chunk -> result waiting for or in its return
    std::map<int, double> inputMB;            // chunk -> its strip's input, halo included
    sched::OpClass opClass;
    int reassigned = 0;

    // The strip of `chunk`: its rows and the halo rows its op needs.
    jobs::StripAssignment strip(const jobs::JobChunk &chunk, double standardMBps) const;
    // Why `result` from `slave` cannot go into the rows of `chunk` (the slave's own error, or
    // other rows or channels than the chunk's); empty when it can.
    QString resultError(const jobs::StripResult &result, const jobs::JobChunk &chunk,
                        const QString &slave) const;
    // Puts the result of `chunk` (if it came) in its rows of the output.
    void place(int chunk);
    sched::ChunkRecord fromStart(sched::ChunkRecord r) const;
    // What the board keeps of the finished job; the output moves into it.
    jobs::JobOutcome outcome(const jobs::JobScheduler &scheduler,
                             std::vector<jobs::JobSlave> slaves);
};

} // namespace starling::mpi
