#pragma once

#include "sim/streamsimulator.h"
#include "sim/streamworkload.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <map>
#include <vector>

namespace starling::client {
class JobClient;
}

namespace starling::bench {

// What the emulated cluster of the job-stream benchmark is: paper 2's platform in its own time
// unit (T_1 = unitSeconds), images `width` wide with `rowsPerUnit` rows of grey per unit task.
struct StreamClusterSetup
{
    QString cli;                           // the starling CLI
    QString workDir;                       // run directories, config, profile
    sched::Platform platform;              // the truth the emulation enforces (unitMB, T_i, B_i)
    std::vector<sim::StreamJobKind> kinds; // a kind's name is its op; sizeFactor 3 = RGB in
    int width = 1024;
    int rowsPerUnit = 40;
    double standardMBps = 1; // image_standard_MBps: a sobel unit takes T_1 at cpu_factor 1
    double deadlineS = 180;  // per run, from the first submission
};

// One run of the stream on a real cluster (`starling up` with the emulated profile and the
// given job_overlap): the jobs are submitted over the master's API at their arrival times
// (seconds from the first), each job's submit and finish times are the master's own. The
// cluster is stopped whatever happens.
class StreamClusterRun
{
public:
    explicit StreamClusterRun(StreamClusterSetup setup) : m_setup(std::move(setup)) {}

    struct Outcome
    {
        sim::StreamResult result; // the jobs that finished, arrival = when the master took them
        int finished = 0;
        int failed = 0;
        bool timedOut = false;    // the deadline passed with jobs still running
        double maxSubmitLagS = 0; // how late a submission was against its arrival time
    };
    Expected<Outcome> run(const std::vector<sim::StreamJob> &jobs, const std::vector<int> &kindOf,
                          int overlap);

private:
    struct Pending
    {
        size_t index = 0;
        QString id;
    };
    Expected<bool> prepare(int overlap, QString *runDir);
    Expected<QString> submit(client::JobClient &client, int kind, long long units);
    Expected<bool> warmUp(client::JobClient &client);
    Expected<Outcome> replay(client::JobClient &client, const std::vector<sim::StreamJob> &jobs,
                             const std::vector<int> &kindOf);
    // Polls the pending jobs once; the finished ones leave `pending` and land in `outcome`.
    Expected<bool> poll(client::JobClient &client, std::vector<Pending> *pending,
                        std::vector<std::pair<qint64, qint64>> *times, Outcome *outcome);
    const QByteArray &image(int channels, long long units);

    StreamClusterSetup m_setup;
    std::map<std::pair<int, long long>, QByteArray> m_images; // (channels, units) -> PGM/PPM
};

} // namespace starling::bench
