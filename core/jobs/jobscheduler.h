#pragma once

#include "sched/backlog.h"
#include "sched/distributionstrategy.h"
#include "sched/dynamicledger.h"
#include "sched/platform.h"
#include "sched/sendorder.h"
#include "sched/timeline.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace starling::jobs {

// One strip of a job on its way: unit tasks [firstUnit, firstUnit + units) for one slave.
struct JobChunk
{
    enum class State
    {
        Queued,    // waiting for the port
        Sending,   // the port is sending it
        AtSlave,   // arrived; the slave computes it (or holds it in its queue)
        Returning, // the port is receiving its result
        Done,
        Lost // its slave was lost before the result was in; the units went elsewhere
    };
    int id = 0;
    int slave = 0; // index in the platform
    long long firstUnit = 0;
    long long units = 0;
    State state = State::Queued;
    sched::ChunkRecord record; // times in seconds from the job's start
};

// The master's side of one image job as paper 2's star model runs it, driven by real events:
// one port that sends strips and receives results first come, first served, slaves that
// compute what they were sent, and (for `dynamic`) a first round, then chunks sized when the
// port serves them from the link and CPU times the master keeps observing. The rules are
// StarSimulator's, event for event, so a cluster whose slaves behave as the platform says produces
// the simulator's timeline; that is what makes "measured vs predicted" meaningful (tst_jobscheduler
// checks it).
//
// Beyond the simulator: a lost slave (SUSPECT/DOWN, or a failed strip) has every unit it had
// not returned handed out again, static chunks to the slave expected to finish them first,
// dynamic ones back into the pool; its late results are ignored.
//
// Each call returns the port work to start now, if the port is free and something waits: at
// most one item, since there is one port. The caller performs it and reports its end with
// sendFinished() / returnFinished().
class JobScheduler
{
public:
    struct Settings
    {
        sched::StrategyKind strategy = sched::kDefaultStrategy;
        sched::PddsWeights pdds;
        sched::SendOrder order = sched::SendOrder::Decreasing;
        std::uint64_t seed = 1; // random send order
        long long units = 100;  // unit tasks in the job
        bool returnsResults = true;
        int prefetchDepth = 2;      // dynamic: as sim::SimOptions
        double rateSmoothing = 0.5; // dynamic: as sim::SimOptions
        // A stream of jobs (issue 16): what earlier jobs still hold of the port and the slaves
        // when this one starts; `optimal` plans onto it, the other strategies just run after it.
        sched::Backlog backlog;
        // The port is shared with other jobs (JobStream): the calls below only update this
        // job's state and return nothing; the stream takes the port work with takePortWork().
        bool sharedPort = false;
    };
    struct PortWork
    {
        enum class Kind
        {
            Send,
            Return
        };
        Kind kind = Kind::Send;
        int chunk = 0;
    };

    // `estimates` is what the master believes of each slave (T_i, B_i) for this job's unit.
    // Throws sched::SchedulingError for an empty platform or units < 1.
    JobScheduler(sched::Platform estimates, Settings settings);

    std::optional<PortWork> start(double now);
    std::optional<PortWork> sendFinished(int chunk, double now);
    // The slave's result for `chunk` reached the master at `now`; it computed for `computeS`.
    // Results of lost chunks are ignored (returns nullopt and counts a late result).
    std::optional<PortWork> resultArrived(int chunk, double computeS, double now);
    std::optional<PortWork> returnFinished(int chunk, double now);
    // The slave is gone for this job: nothing more is sent to it, and its unreturned units
    // are handed out again.
    std::optional<PortWork> slaveLost(int slave, double now);

    // Shared port: this job's next port work if it has any (the caller knows the port is free).
    std::optional<PortWork> takePortWork(double now);
    // What this job still has ahead of a job that would start now, chunks in creation order.
    std::vector<sched::QueuedChunk> queuedChunks() const;
    const sched::Platform &estimates() const { return m_estimates; }

    const JobChunk &chunk(int id) const { return m_chunks.at(size_t(id)); }
    const std::vector<JobChunk> &chunks() const { return m_chunks; }
    const std::vector<int> &sendOrder() const { return m_order; }
    // Units per slave as planned (static) or as expected (dynamic), platform order.
    const std::vector<double> &plannedShares() const { return m_planned; }
    long long unitsDone() const { return m_unitsDone; }
    long long units() const { return m_settings.units; }
    int lateResults() const { return m_late; }
    bool isDone() const { return m_unitsDone == m_settings.units; }
    // Work is left but no live slave remains to do it.
    bool isStuck() const;
    // Done and returned chunks only (lost ones left out), shares as delivered.
    sched::Timeline timeline() const;

private:
    struct Request
    {
        PortWork::Kind kind;
        int slave;
        int chunk; // -1: a dynamic request, sized when the port serves it
    };
    struct UnitRange
    {
        long long first;
        long long count;
    };

    std::optional<PortWork> serve(double now);
    std::optional<PortWork> next(double now);
    int newChunk(int slave, long long first, long long units);
    void startDynamic();
    std::optional<long long> sizeDynamic(int slave, double now, long long *first);
    void giveBack(const JobChunk &lost);
    int bestLiveSlave(long long units) const;

    sched::Platform m_estimates;
    Settings m_settings;
    bool m_dynamic = false;
    std::unique_ptr<sched::DistributionStrategy> m_strategy;
    std::vector<int> m_order;
    std::vector<double> m_planned;
    std::vector<JobChunk> m_chunks;
    std::deque<Request> m_port;
    bool m_portBusy = false;
    std::vector<bool> m_lost;
    std::vector<int> m_outstanding;               // dynamic: requested or held, not yet computed
    std::optional<sched::DynamicLedger> m_ledger; // dynamic: what the master has learnt
    std::vector<long long> m_pending;  // units sent or queued and not yet computed, per slave
    std::deque<UnitRange> m_remaining; // dynamic: units nobody has been given yet
    long long m_unitsDone = 0;
    int m_late = 0;
};

} // namespace starling::jobs
