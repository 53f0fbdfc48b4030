#include "streamsimulator.h"

#include "eventqueue.h"
#include "sched/backlog.h"
#include "sched/dynamicstrategy.h"
#include "sched/optimalstrategy.h"
#include "sched/schedulingerror.h"
#include "sched/sendorder.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <queue>

namespace starling::sim {

using sched::ChunkRecord;
using sched::Platform;

double StreamResult::throughput() const
{
    if (jobs.empty())
        return 0;
    double first = jobs.front().arrivalS, last = 0;
    for (const StreamJobResult &j : jobs) {
        first = std::min(first, j.arrivalS);
        last = std::max(last, j.doneS);
    }
    return last > first ? double(jobs.size()) / (last - first) : 0;
}

double StreamResult::meanLatencyS() const
{
    double sum = 0;
    for (const StreamJobResult &j : jobs)
        sum += j.latencyS();
    return jobs.empty() ? 0 : sum / double(jobs.size());
}

double StreamResult::p95LatencyS() const
{
    if (jobs.empty())
        return 0;
    std::vector<double> latencies;
    for (const StreamJobResult &j : jobs)
        latencies.push_back(j.latencyS());
    std::sort(latencies.begin(), latencies.end());
    const auto rank = size_t(std::ceil(0.95 * double(latencies.size())));
    return latencies[std::max<size_t>(rank, 1) - 1];
}

// One stream: the event queue, the port, the slaves' queues and every job's own state.
class StreamSimulator::Run
{
public:
    Run(const std::vector<StreamJob> &jobs, int overlap, const SimOptions &options)
        : m_specs(jobs), m_overlap(overlap), m_options(options),
          m_slaves(size_t(jobs.front().truth.size())), m_jobs(jobs.size())
    {}

    StreamResult run()
    {
        for (size_t i = 0; i < m_specs.size(); ++i) {
            at(m_specs[i].arrivalS, [this, i] {
                m_waiting.push_back(int(i));
                admit();
            });
        }
        while (!m_events.empty()) {
            EventQueue::Event e = m_events.pop();
            m_now = e.time;
            e.action();
        }
        StreamResult result;
        for (Job &job : m_jobs) {
            job.result.timeline.makespan = job.result.doneS;
            result.jobs.push_back(std::move(job.result));
        }
        return result;
    }

private:
    enum class Phase
    {
        Sending,
        AtSlave,
        Returning,
        Done
    };
    struct PortRequest
    {
        bool isReturn;
        int slave;
        double units; // < 0: a dynamic request, sized when the port serves it
        int chunk;    // for returns
    };
    struct Job
    {
        const Platform *truth = nullptr;
        const Platform *estimates = nullptr;
        std::unique_ptr<sched::DistributionStrategy> strategy;
        std::deque<PortRequest> port;
        std::vector<Phase> phases;                  // per chunk of result.timeline
        std::optional<sched::DynamicLedger> ledger; // dynamic: what the master learns
        std::vector<int> order;                     // dynamic: the send order
        std::vector<int> outstanding;
        double remaining = 0;
        double unitsDone = 0;
        StreamJobResult result;
    };
    struct SlaveState
    {
        std::deque<std::pair<int, int>> arrived; // (job, chunk) waiting to be computed
        bool computing = false;
    };

    void at(double time, std::function<void()> action) { m_events.at(time, std::move(action)); }

    void admit()
    {
        while (int(m_running.size()) < m_overlap && !m_waiting.empty()) {
            const int next = m_waiting.front();
            m_waiting.pop_front();
            startJob(next);
        }
    }

    // What the running jobs still hold of the port and the slaves, as jobs::JobStream sees it.
    sched::Backlog backlog() const
    {
        std::vector<sched::QueuedChunk> ahead;
        for (int index : m_running) {
            const Job &job = m_jobs[size_t(index)];
            const Platform &e = *job.estimates;
            const auto queued = [&](int slave, double units) {
                ahead.push_back({slave, e.messageFixedS(slave) + units * e.unitSendS(slave),
                                 units * e.unitComputeS(slave) + e.chunkFixedComputeS(slave),
                                 false});
            };
            for (size_t k = 0; k < job.phases.size(); ++k) {
                const ChunkRecord &c = job.result.timeline.chunks[k];
                if (job.phases[k] == Phase::AtSlave)
                    ahead.push_back(
                        {c.slave, 0.0,
                         c.units * e.unitComputeS(c.slave) + e.chunkFixedComputeS(c.slave), true});
                else if (job.phases[k] == Phase::Sending)
                    queued(c.slave, c.units);
            }
            for (const PortRequest &r : job.port) {
                if (!r.isReturn && r.units > 0)
                    queued(r.slave, r.units);
            }
        }
        if (ahead.empty())
            return {};
        return sched::Backlog::project(int(m_slaves.size()), ahead);
    }

    void startJob(int index)
    {
        const StreamJob &spec = m_specs[size_t(index)];
        Job &job = m_jobs[size_t(index)];
        job.truth = &spec.truth;
        job.estimates = spec.estimates.slaves.empty() ? &spec.truth : &spec.estimates;
        job.strategy = sched::makeStrategy(spec.spec.strategy, spec.spec.pdds);
        job.result.arrivalS = spec.arrivalS;
        job.result.startS = m_now;
        job.result.timeline.shares.assign(m_slaves.size(), 0.0);
        const Platform &e = *job.estimates;
        const std::vector<int> order =
            sched::makeSendOrder(e.bandwidths(), spec.spec.order, spec.spec.seed);
        job.result.sendOrder = order;
        const auto units = static_cast<long long>(spec.spec.load);
        if (job.strategy->isDynamic()) {
            startDynamic(job, order, units);
        } else {
            const sched::Backlog ahead = backlog();
            const std::vector<long long> shares =
                spec.spec.strategy == sched::StrategyKind::Optimal && !ahead.isEmpty()
                    ? sched::OptimalStrategy().wholeSharesAfter(e, order, units, ahead)
                    : job.strategy->wholeShares(e, order, units);
            for (int slave : order) {
                if (shares[size_t(slave)] > 0)
                    job.port.push_back({false, slave, double(shares[size_t(slave)]), -1});
            }
        }
        m_running.push_back(index);
        servePort();
    }

    // As StarSimulator::runDynamic: the first round in the send order, then each slave keeps
    // `prefetchDepth` chunks requested or held, the first-round one included.
    void startDynamic(Job &job, const std::vector<int> &order, long long units)
    {
        const Platform &e = *job.estimates;
        const auto &dynamic = static_cast<const sched::DynamicStrategy &>(*job.strategy);
        job.remaining = double(units);
        job.outstanding.assign(m_slaves.size(), 0);
        job.ledger.emplace(e, m_options.rateSmoothing);
        job.order = order;
        const std::vector<double> first = dynamic.firstRound(e, order, double(units), false);
        for (int slave : order) {
            if (first[size_t(slave)] > 0) {
                job.port.push_back({false, slave, first[size_t(slave)], -1});
                ++job.outstanding[size_t(slave)];
                job.remaining -= first[size_t(slave)];
            }
        }
        for (int round = 0; round < m_options.prefetchDepth; ++round) {
            for (int slave : order) {
                if (round == 0 && first[size_t(slave)] > 0)
                    continue;
                job.port.push_back({false, slave, -1, -1});
                ++job.outstanding[size_t(slave)];
            }
        }
    }

    double sizeDynamicChunk(Job &job, int slave)
    {
        if (job.remaining <= 1e-12)
            return 0;
        int others = -1; // this request is one of the slave's outstanding ones
        for (int outstanding : job.outstanding)
            others += outstanding;
        const auto &dynamic = static_cast<const sched::DynamicStrategy &>(*job.strategy);
        const double units = dynamic.nextChunk(*job.ledger, job.order, slave, m_now, job.remaining,
                                               false, others > 0);
        job.remaining -= units;
        return units;
    }

    // The earliest running job with port work gets the port.
    void servePort()
    {
        if (m_portBusy)
            return;
        for (int index : m_running) {
            Job &job = m_jobs[size_t(index)];
            while (!job.port.empty()) {
                PortRequest request = job.port.front();
                job.port.pop_front();
                if (!request.isReturn && request.units < 0) {
                    request.units = sizeDynamicChunk(job, request.slave);
                    if (request.units <= 0) {
                        --job.outstanding[size_t(request.slave)];
                        continue;
                    }
                }
                m_portBusy = true;
                if (request.isReturn)
                    startReturn(index, request.chunk);
                else
                    startSend(index, request.slave, request.units);
                return;
            }
        }
    }

    void startSend(int index, int slave, double units)
    {
        Job &job = m_jobs[size_t(index)];
        ChunkRecord chunk;
        chunk.slave = slave;
        chunk.units = units;
        chunk.sendStart = m_now;
        chunk.sendEnd =
            m_now + job.truth->messageFixedS(slave) + units * job.truth->unitSendS(slave);
        job.result.timeline.chunks.push_back(chunk);
        job.result.timeline.shares[size_t(slave)] += units;
        job.phases.push_back(Phase::Sending);
        const int k = int(job.phases.size()) - 1;
        at(chunk.sendEnd, [this, index, k] { onSendDone(index, k); });
    }

    void onSendDone(int index, int k)
    {
        m_portBusy = false;
        Job &job = m_jobs[size_t(index)];
        job.phases[size_t(k)] = Phase::AtSlave;
        const ChunkRecord &sent = job.result.timeline.chunks[size_t(k)];
        if (job.ledger)
            job.ledger->sent(sent.slave, sent.units, sent.sendEnd - sent.sendStart, m_now);
        const int slave = sent.slave;
        m_slaves[size_t(slave)].arrived.emplace_back(index, k);
        startComputeIfIdle(slave);
        servePort();
    }

    // Earliest job first; within a job, in the order the chunks arrived.
    void startComputeIfIdle(int slaveIndex)
    {
        SlaveState &slave = m_slaves[size_t(slaveIndex)];
        if (slave.computing || slave.arrived.empty())
            return;
        const auto next =
            std::min_element(slave.arrived.begin(), slave.arrived.end(),
                             [](const auto &a, const auto &b) { return a.first < b.first; });
        const auto [index, k] = *next;
        slave.arrived.erase(next);
        slave.computing = true;
        Job &job = m_jobs[size_t(index)];
        ChunkRecord &chunk = job.result.timeline.chunks[size_t(k)];
        chunk.computeStart = m_now;
        chunk.computeEnd = m_now + chunk.units * job.truth->unitComputeS(slaveIndex) +
                           job.truth->chunkFixedComputeS(slaveIndex);
        at(chunk.computeEnd, [this, index, k] { onComputeDone(index, k); });
    }

    void onComputeDone(int index, int k)
    {
        Job &job = m_jobs[size_t(index)];
        ChunkRecord &chunk = job.result.timeline.chunks[size_t(k)];
        chunk.returnStart = chunk.returnEnd = chunk.computeEnd;
        m_slaves[size_t(chunk.slave)].computing = false;
        if (job.truth->returnRatio > 0) {
            job.phases[size_t(k)] = Phase::Returning;
            job.port.push_back({true, chunk.slave, chunk.units, k});
        } else {
            job.phases[size_t(k)] = Phase::Done;
            job.unitsDone += chunk.units;
        }
        if (job.strategy->isDynamic())
            learnFromResult(job, chunk);
        startComputeIfIdle(chunk.slave);
        servePort();
        finishIfDone(index);
    }

    void learnFromResult(Job &job, const ChunkRecord &chunk)
    {
        job.ledger->computed(chunk.slave, chunk.units, chunk.computeEnd - chunk.computeStart,
                             m_now);
        --job.outstanding[size_t(chunk.slave)];
        if (job.remaining > 1e-12) {
            job.port.push_back({false, chunk.slave, -1, -1});
            ++job.outstanding[size_t(chunk.slave)];
        }
    }

    void startReturn(int index, int k)
    {
        Job &job = m_jobs[size_t(index)];
        ChunkRecord &chunk = job.result.timeline.chunks[size_t(k)];
        chunk.returnStart = m_now;
        chunk.returnEnd = m_now + job.truth->messageFixedS(chunk.slave) +
                          chunk.units * job.truth->returnRatio * job.truth->unitSendS(chunk.slave);
        at(chunk.returnEnd, [this, index, k] {
            m_portBusy = false;
            Job &j = m_jobs[size_t(index)];
            j.phases[size_t(k)] = Phase::Done;
            j.unitsDone += j.result.timeline.chunks[size_t(k)].units;
            servePort();
            finishIfDone(index);
        });
    }

    void finishIfDone(int index)
    {
        Job &job = m_jobs[size_t(index)];
        if (job.unitsDone < m_specs[size_t(index)].spec.load)
            return;
        job.result.doneS = m_now;
        m_running.erase(std::find(m_running.begin(), m_running.end(), index));
        admit();
    }

    const std::vector<StreamJob> &m_specs;
    int m_overlap;
    const SimOptions &m_options;
    std::vector<SlaveState> m_slaves;
    std::vector<Job> m_jobs;
    std::vector<int> m_running; // started, not done: earliest first
    std::deque<int> m_waiting;
    EventQueue m_events;
    bool m_portBusy = false;
    double m_now = 0;
};

StreamSimulator::StreamSimulator(int overlap, SimOptions options)
    : m_overlap(overlap), m_options(std::move(options))
{
    if (overlap < 1)
        throw sched::SchedulingError("a stream runs at least one job at a time");
}

StreamResult StreamSimulator::run(const std::vector<StreamJob> &jobs) const
{
    if (jobs.empty())
        return {};
    const int slaves = jobs.front().truth.size();
    double last = 0;
    for (const StreamJob &job : jobs) {
        if (slaves == 0 || job.truth.size() != slaves ||
            (!job.estimates.slaves.empty() && job.estimates.size() != slaves))
            throw sched::SchedulingError("stream: every job needs the same slaves");
        if (!(job.arrivalS >= last) || !std::isfinite(job.arrivalS))
            throw sched::SchedulingError("stream: jobs must come in arrival order");
        if (!(job.spec.load >= 1) || job.spec.load != std::floor(job.spec.load))
            throw sched::SchedulingError("stream: a job needs a whole number of unit tasks");
        last = job.arrivalS;
    }
    return Run(jobs, m_overlap, m_options).run();
}

} // namespace starling::sim
