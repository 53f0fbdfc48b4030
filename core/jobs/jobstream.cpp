#include "jobstream.h"

#include <algorithm>

namespace starling::jobs {

sched::Backlog JobStream::backlog() const
{
    std::vector<sched::QueuedChunk> ahead;
    int slaves = 0;
    for (const auto &[sequence, scheduler] : m_jobs) {
        const std::vector<sched::QueuedChunk> chunks = scheduler->queuedChunks();
        ahead.insert(ahead.end(), chunks.begin(), chunks.end());
        slaves = std::max(slaves, scheduler->estimates().size());
    }
    if (ahead.empty())
        return {};
    return sched::Backlog::project(slaves, ahead);
}

int JobStream::start(sched::Platform estimates, JobScheduler::Settings settings, double now,
                     std::optional<Work> *work)
{
    settings.backlog = backlog();
    settings.sharedPort = true;
    auto scheduler = std::make_unique<JobScheduler>(std::move(estimates), settings);
    const int sequence = m_nextSequence++;
    JobScheduler &added = *scheduler;
    m_jobs.emplace(sequence, std::move(scheduler));
    added.start(now);
    std::optional<Work> next = serve(now);
    if (work)
        *work = next;
    return sequence;
}

std::optional<JobStream::Work> JobStream::serve(double now)
{
    if (m_portJob)
        return std::nullopt;
    for (auto &[sequence, scheduler] : m_jobs) {
        if (const auto work = scheduler->takePortWork(now)) {
            m_portJob = sequence;
            return Work{sequence, *work};
        }
    }
    return std::nullopt;
}

std::optional<JobStream::Work> JobStream::sendFinished(int job, int chunk, double now)
{
    if (m_portJob == job)
        m_portJob.reset();
    if (const auto it = m_jobs.find(job); it != m_jobs.end())
        it->second->sendFinished(chunk, now);
    return serve(now);
}

std::optional<JobStream::Work> JobStream::resultArrived(int job, int chunk, double computeS,
                                                        double now)
{
    if (const auto it = m_jobs.find(job); it != m_jobs.end())
        it->second->resultArrived(chunk, computeS, now);
    return serve(now);
}

std::optional<JobStream::Work> JobStream::returnFinished(int job, int chunk, double now)
{
    if (m_portJob == job)
        m_portJob.reset();
    if (const auto it = m_jobs.find(job); it != m_jobs.end())
        it->second->returnFinished(chunk, now);
    return serve(now);
}

std::optional<JobStream::Work> JobStream::slaveLost(int slave, double now)
{
    for (auto &[sequence, scheduler] : m_jobs)
        scheduler->slaveLost(slave, now);
    return serve(now);
}

std::optional<JobStream::Work> JobStream::remove(int job, double now)
{
    if (m_portJob == job)
        m_portJob.reset();
    m_jobs.erase(job);
    return serve(now);
}

} // namespace starling::jobs
