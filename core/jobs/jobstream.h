#pragma once

#include "jobscheduler.h"

#include <map>
#include <memory>
#include <optional>

namespace starling::jobs {

// The running jobs of a stream (issue 16): up to `overlap` jobs share the master's one port, so
// a job starts while the last strips of the one in front still run on slow slaves instead of
// leaving the fast ones idle. Rules, as sim::StreamSimulator's, event for event:
// - the port serves the earliest running job that has port work (its own requests first come,
//   first served), so a later job never delays an earlier one's sends or returns;
// - a job that starts behind others is planned onto the backlog they leave (when the port and
//   each slave become free, projected from what the master queued and its estimates);
// - slaves compute what they hold earliest job first (the caller's slaves do that: the job's
//   sequence travels with each strip).
// Which job starts next, and when (at most `overlap` at once), is the caller's choice.
// Times are the caller's clock, the same for every job.
class JobStream
{
public:
    struct Work
    {
        int job = 0; // the job's sequence in the stream
        JobScheduler::PortWork work;
    };

    // The backlog a job starting now would be planned onto.
    sched::Backlog backlog() const;
    // Plans a job onto the current backlog and queues its first port work; returns its sequence
    // (increasing from 0 in start order) and through `work` what the port starts now.
    int start(sched::Platform estimates, JobScheduler::Settings settings, double now,
              std::optional<Work> *work);
    std::optional<Work> sendFinished(int job, int chunk, double now);
    std::optional<Work> resultArrived(int job, int chunk, double computeS, double now);
    std::optional<Work> returnFinished(int job, int chunk, double now);
    // The slave is lost to every running job.
    std::optional<Work> slaveLost(int slave, double now);
    // The job leaves (done or failed). If its port work is in flight the port is taken to be
    // free again: the caller abandons that transfer (a failed job's strip is not waited for).
    std::optional<Work> remove(int job, double now);

    bool contains(int job) const { return m_jobs.count(job) != 0; }
    JobScheduler &job(int job) { return *m_jobs.at(job); }
    const JobScheduler &job(int job) const { return *m_jobs.at(job); }
    int running() const { return int(m_jobs.size()); }
    bool portBusy() const { return m_portJob.has_value(); }

private:
    std::optional<Work> serve(double now);

    std::map<int, std::unique_ptr<JobScheduler>> m_jobs; // by sequence: earliest first
    std::optional<int> m_portJob;                        // whose work holds the port
    int m_nextSequence = 0;
};

} // namespace starling::jobs
