#pragma once

#include "streamclusterrun.h"

#include <optional>

namespace starling::bench {

// The cluster half of the job-stream benchmark (bench_stream --cluster): the first `jobs` of
// the simulated half's seeded stream, on paper 2's platform scaled to T_1 = unitMs, at 90% load
// and saturated, FIFO (job_overlap 1) against job_overlap 3, each run on its own emulated
// cluster, measured next to StreamSimulator's prediction for the same arrivals and costs.
struct StreamClusterOptions
{
    QString cli;
    QString outDir;
    int jobs = 32;
    double unitMs = 30;
    double deadlineS = 180;
    std::uint64_t seed = 16;
};

class StreamClusterBench
{
public:
    StreamClusterBench(StreamClusterOptions options, sim::StreamWorkload workload);

    // 0 when every run finished, 1 when one failed or timed out (the table says which).
    int run();

private:
    struct Row
    {
        double load = 0;
        int overlap = 1;
        double bound = 0; // no schedule's throughput beyond this on these arrivals
        sim::StreamResult predicted;
        std::optional<StreamClusterRun::Outcome> measured;
        QString error;
    };
    sched::Platform scaledPlatform() const;
    void print(const std::vector<Row> &rows) const;
    bool write(const std::vector<Row> &rows) const;

    StreamClusterOptions m_options;
    sim::StreamWorkload m_workload; // on the scaled platform
};

} // namespace starling::bench
