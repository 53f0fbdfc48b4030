#include "jobscheduler.h"

#include "sched/dynamicstrategy.h"
#include "sched/optimalstrategy.h"
#include "sched/schedulingerror.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace starling::jobs {

using Kind = JobScheduler::PortWork::Kind;
using State = JobChunk::State;

JobScheduler::JobScheduler(sched::Platform estimates, Settings settings)
    : m_estimates(std::move(estimates)), m_settings(settings)
{
    const auto n = size_t(m_estimates.size());
    if (n == 0)
        throw sched::SchedulingError("a job needs at least one slave");
    if (m_settings.units < 1)
        throw sched::SchedulingError("a job needs at least one unit task");
    m_strategy = sched::makeStrategy(m_settings.strategy, m_settings.pdds);
    m_dynamic = m_strategy->isDynamic();
    m_order = sched::makeSendOrder(m_estimates.bandwidths(), m_settings.order, m_settings.seed);
    const std::vector<long long> whole =
        m_settings.strategy == sched::StrategyKind::Optimal && !m_settings.backlog.isEmpty()
            ? sched::OptimalStrategy().wholeSharesAfter(m_estimates, m_order, m_settings.units,
                                                        m_settings.backlog)
            : m_strategy->wholeShares(m_estimates, m_order, m_settings.units);
    m_planned.assign(whole.begin(), whole.end());
    m_lost.assign(n, false);
    m_outstanding.assign(n, 0);
    m_pending.assign(n, 0);
    if (m_dynamic)
        m_ledger.emplace(m_estimates, m_settings.rateSmoothing);
}

std::optional<JobScheduler::PortWork> JobScheduler::start(double now)
{
    if (m_dynamic) {
        startDynamic();
    } else {
        long long first = 0;
        for (int slave : m_order) {
            const auto units = static_cast<long long>(m_planned[size_t(slave)]);
            if (units <= 0)
                continue;
            m_port.push_back({Kind::Send, slave, newChunk(slave, first, units)});
            first += units;
        }
    }
    return next(now);
}

// As the simulator: the first round's chunks in the send order, then requests so that each
// slave keeps `prefetchDepth` chunks requested or held, the first-round one included.
void JobScheduler::startDynamic()
{
    const auto &dynamic = static_cast<const sched::DynamicStrategy &>(*m_strategy);
    const std::vector<double> firstRound =
        dynamic.firstRound(m_estimates, m_order, double(m_settings.units), false);
    long long first = 0;
    for (int slave : m_order) {
        const auto units = static_cast<long long>(firstRound[size_t(slave)]);
        if (units <= 0)
            continue;
        m_port.push_back({Kind::Send, slave, newChunk(slave, first, units)});
        ++m_outstanding[size_t(slave)];
        first += units;
    }
    if (first < m_settings.units)
        m_remaining.push_back({first, m_settings.units - first});
    for (int round = 0; round < m_settings.prefetchDepth; ++round) {
        for (int slave : m_order) {
            if (round == 0 && firstRound[size_t(slave)] > 0)
                continue;
            m_port.push_back({Kind::Send, slave, -1});
            ++m_outstanding[size_t(slave)];
        }
    }
}

int JobScheduler::newChunk(int slave, long long first, long long units)
{
    JobChunk c;
    c.id = int(m_chunks.size());
    c.slave = slave;
    c.firstUnit = first;
    c.units = units;
    c.record.slave = slave;
    c.record.units = double(units);
    m_chunks.push_back(c);
    m_pending[size_t(slave)] += units;
    return c.id;
}

std::optional<long long> JobScheduler::sizeDynamic(int slave, double now, long long *first)
{
    if (m_remaining.empty())
        return std::nullopt;
    long long left = 0;
    for (const UnitRange &r : m_remaining)
        left += r.count;
    // This request is one of the slave's outstanding ones.
    const int others = std::accumulate(m_outstanding.begin(), m_outstanding.end(), 0) - 1;
    const auto &dynamic = static_cast<const sched::DynamicStrategy &>(*m_strategy);
    const auto sized = static_cast<long long>(
        dynamic.nextChunk(*m_ledger, m_order, slave, now, double(left), false, others > 0));
    // A chunk is a run of rows, so it cannot span two ranges given back by a lost slave.
    UnitRange &front = m_remaining.front();
    const long long units = std::min(front.count, sized);
    if (units <= 0)
        return 0;
    *first = front.first;
    front.first += units;
    front.count -= units;
    if (front.count == 0)
        m_remaining.pop_front();
    return units;
}

std::optional<JobScheduler::PortWork> JobScheduler::serve(double now)
{
    while (!m_portBusy && !m_port.empty()) {
        Request request = m_port.front();
        m_port.pop_front();
        if (request.kind == Kind::Send && request.chunk < 0) {
            long long first = 0;
            const std::optional<long long> units = sizeDynamic(request.slave, now, &first);
            if (!units || *units <= 0) {
                --m_outstanding[size_t(request.slave)];
                continue;
            }
            request.chunk = newChunk(request.slave, first, *units);
        }
        JobChunk &c = m_chunks[size_t(request.chunk)];
        m_portBusy = true;
        if (request.kind == Kind::Send) {
            c.state = State::Sending;
            c.record.sendStart = now;
        } else {
            c.record.returnStart = now;
        }
        return PortWork{request.kind, c.id};
    }
    return std::nullopt;
}

std::optional<JobScheduler::PortWork> JobScheduler::next(double now)
{
    if (m_settings.sharedPort)
        return std::nullopt;
    return serve(now);
}

std::optional<JobScheduler::PortWork> JobScheduler::takePortWork(double now)
{
    return serve(now);
}

std::vector<sched::QueuedChunk> JobScheduler::queuedChunks() const
{
    std::vector<sched::QueuedChunk> ahead;
    for (const JobChunk &c : m_chunks) {
        const bool atSlave = c.state == State::AtSlave;
        if (!atSlave && c.state != State::Queued && c.state != State::Sending)
            continue;
        if (m_lost[size_t(c.slave)])
            continue;
        const auto units = double(c.units);
        ahead.push_back(
            {c.slave,
             atSlave ? 0.0
                     : m_estimates.messageFixedS(c.slave) + units * m_estimates.unitSendS(c.slave),
             units * m_estimates.unitComputeS(c.slave) + m_estimates.chunkFixedComputeS(c.slave),
             atSlave});
    }
    return ahead;
}

std::optional<JobScheduler::PortWork> JobScheduler::sendFinished(int chunk, double now)
{
    JobChunk &c = m_chunks.at(size_t(chunk));
    m_portBusy = false;
    c.record.sendEnd = now;
    if (m_lost[size_t(c.slave)]) {
        c.state = State::Lost;
        giveBack(c);
    } else {
        c.state = State::AtSlave;
        if (m_ledger)
            m_ledger->sent(c.slave, double(c.units), now - c.record.sendStart, now);
    }
    return next(now);
}

std::optional<JobScheduler::PortWork> JobScheduler::resultArrived(int chunk, double computeS,
                                                                  double now)
{
    if (chunk < 0 || size_t(chunk) >= m_chunks.size() ||
        m_chunks[size_t(chunk)].state != State::AtSlave) {
        ++m_late;
        return std::nullopt;
    }
    JobChunk &c = m_chunks[size_t(chunk)];
    const auto slave = size_t(c.slave);
    c.record.computeEnd = now;
    c.record.computeStart = now - std::max(0.0, computeS);
    c.record.returnStart = c.record.returnEnd = now;
    m_pending[slave] -= c.units;
    if (m_settings.returnsResults) {
        c.state = State::Returning;
        m_port.push_back({Kind::Return, c.slave, c.id});
    } else {
        c.state = State::Done;
        m_unitsDone += c.units;
    }
    if (m_dynamic) {
        // As the simulator: the master learns the slave's speed from what it just saw.
        m_ledger->computed(c.slave, double(c.units), std::max(0.0, computeS), now);
        --m_outstanding[slave];
        if (!m_remaining.empty()) {
            m_port.push_back({Kind::Send, c.slave, -1});
            ++m_outstanding[slave];
        }
    }
    return next(now);
}

std::optional<JobScheduler::PortWork> JobScheduler::returnFinished(int chunk, double now)
{
    JobChunk &c = m_chunks.at(size_t(chunk));
    m_portBusy = false;
    c.record.returnEnd = now;
    c.state = State::Done;
    m_unitsDone += c.units;
    return next(now);
}

std::optional<JobScheduler::PortWork> JobScheduler::slaveLost(int slave, double now)
{
    if (slave < 0 || slave >= m_estimates.size() || m_lost[size_t(slave)])
        return std::nullopt;
    m_lost[size_t(slave)] = true;
    if (m_ledger)
        m_ledger->lose(slave);
    // Its requests still waiting for the port go; a send in progress ends in sendFinished().
    std::vector<int> orphans;
    for (auto it = m_port.begin(); it != m_port.end();) {
        if (it->slave == slave && it->kind == Kind::Send) {
            if (it->chunk >= 0)
                orphans.push_back(it->chunk);
            it = m_port.erase(it);
        } else {
            ++it;
        }
    }
    m_outstanding[size_t(slave)] = 0;
    for (JobChunk &c : m_chunks) {
        if (c.slave == slave && c.state == State::AtSlave)
            orphans.push_back(c.id);
    }
    std::sort(orphans.begin(), orphans.end());
    for (int id : orphans) {
        JobChunk &c = m_chunks[size_t(id)];
        c.state = State::Lost;
        giveBack(c);
    }
    return next(now);
}

int JobScheduler::bestLiveSlave(long long units) const
{
    int best = -1;
    double bestFinish = std::numeric_limits<double>::infinity();
    for (int i = 0; i < m_estimates.size(); ++i) {
        if (m_lost[size_t(i)])
            continue;
        const double finish = double(m_pending[size_t(i)] + units) *
                                  (m_estimates.unitSendS(i) + m_estimates.unitComputeS(i)) +
                              m_estimates.slaves[size_t(i)].latencyS +
                              m_estimates.chunkFixedComputeS(i);
        if (finish < bestFinish) {
            bestFinish = finish;
            best = i;
        }
    }
    return best;
}

void JobScheduler::giveBack(const JobChunk &lost)
{
    m_pending[size_t(lost.slave)] -= lost.units;
    if (!m_dynamic) {
        const int target = bestLiveSlave(lost.units);
        if (target >= 0)
            m_port.push_back({Kind::Send, target, newChunk(target, lost.firstUnit, lost.units)});
        else
            m_remaining.push_back({lost.firstUnit, lost.units});
        return;
    }
    const auto at = std::find_if(m_remaining.begin(), m_remaining.end(),
                                 [&](const UnitRange &r) { return r.first > lost.firstUnit; });
    m_remaining.insert(at, {lost.firstUnit, lost.units});
    // Slaves that had stopped asking (the pool was empty) ask again.
    for (int slave : m_order) {
        if (!m_lost[size_t(slave)] && m_outstanding[size_t(slave)] == 0) {
            m_port.push_back({Kind::Send, slave, -1});
            ++m_outstanding[size_t(slave)];
        }
    }
}

bool JobScheduler::isStuck() const
{
    return !isDone() && std::all_of(m_lost.begin(), m_lost.end(), [](bool lost) { return lost; });
}

sched::Timeline JobScheduler::timeline() const
{
    sched::Timeline t;
    t.shares.assign(size_t(m_estimates.size()), 0.0);
    for (const JobChunk &c : m_chunks) {
        if (c.state != State::Done)
            continue;
        t.chunks.push_back(c.record);
        t.shares[size_t(c.slave)] += double(c.units);
        t.makespan = std::max(t.makespan, c.record.returnEnd);
    }
    return t;
}

} // namespace starling::jobs
