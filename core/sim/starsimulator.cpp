#include "starsimulator.h"

#include "eventqueue.h"
#include "sched/schedulingerror.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <queue>

namespace starling::sim {

using sched::ChunkRecord;
using sched::Platform;
using sched::Timeline;

// One simulation: the event queue, the master's port and the slaves' local queues.
class StarSimulator::Run
{
public:
    Run(const Platform &truth, const SimOptions &options) : m_p(truth), m_options(options)
    {
        const auto n = size_t(truth.size());
        m_computeChanges.resize(n);
        m_linkChanges.resize(n);
        m_slaves.resize(n);
        m_timeline.shares.assign(n, 0.0);
        std::vector<SlowdownEvent> events = options.slowdowns;
        std::stable_sort(
            events.begin(), events.end(),
            [](const SlowdownEvent &a, const SlowdownEvent &b) { return a.atS < b.atS; });
        for (const SlowdownEvent &e : events) {
            if (e.slave < 0 || e.slave >= truth.size() || !(e.computeFactor > 0) ||
                !(e.linkFactor > 0) || !(e.atS >= 0))
                throw sched::SchedulingError("slowdown event names no slave or has a bad factor");
            m_computeChanges[size_t(e.slave)].emplace_back(e.atS, e.computeFactor);
            m_linkChanges[size_t(e.slave)].emplace_back(e.atS, e.linkFactor);
        }
    }

    // A dynamic run: who decides chunk sizes and what the master has learnt so far.
    struct Dynamic
    {
        const sched::DynamicStrategy *strategy = nullptr;
        std::optional<sched::DynamicLedger> ledger;
        std::vector<int> order;
        double remaining = 0;
        bool divisible = false;
    };

    Timeline runStatic(const std::vector<double> &shares, const std::vector<int> &order)
    {
        for (int slave : order) {
            if (shares[size_t(slave)] > 0)
                m_port.push_back({PortRequest::Send, slave, shares[size_t(slave)], -1});
        }
        return finish();
    }

    // The first round's chunks go out first, in `order`; then each slave keeps
    // `prefetchDepth` chunks requested or held, the first-round one included.
    Timeline runDynamic(Dynamic dynamic, const std::vector<double> &firstRound)
    {
        m_dynamic = std::move(dynamic);
        const std::vector<int> &order = m_dynamic.order;
        for (int slave : order) {
            const double units = firstRound[size_t(slave)];
            if (units > 0) {
                m_port.push_back({PortRequest::Send, slave, units, -1});
                ++m_slaves[size_t(slave)].outstanding;
                m_dynamic.remaining -= units;
            }
        }
        for (int round = 0; round < m_options.prefetchDepth; ++round) {
            for (int slave : order) {
                if (round == 0 && firstRound[size_t(slave)] > 0)
                    continue;
                m_port.push_back({PortRequest::Send, slave, -1, -1});
                ++m_slaves[size_t(slave)].outstanding;
            }
        }
        return finish();
    }

private:
    struct PortRequest
    {
        enum Kind
        {
            Send,
            Return
        } kind;
        int slave;
        double units; // < 0: a dynamic request, sized when the port serves it
        int chunk;    // for returns
    };
    struct SlaveState
    {
        std::deque<int> arrived; // chunks waiting to be computed
        bool computing = false;
        int outstanding = 0; // dynamic: requested or held, not yet computed
    };

    void at(double time, std::function<void()> action) { m_events.at(time, std::move(action)); }

    Timeline finish()
    {
        servePort(0);
        while (!m_events.empty()) {
            EventQueue::Event e = m_events.pop();
            m_now = e.time;
            e.action();
        }
        for (const ChunkRecord &c : m_timeline.chunks)
            m_timeline.makespan = std::max(m_timeline.makespan, c.returnEnd);
        return std::move(m_timeline);
    }

    double linkTime(int slave, double start, double nominal) const
    {
        return stretchedFinish(start, nominal, m_linkChanges[size_t(slave)]);
    }

    void servePort(double now)
    {
        while (!m_portBusy && !m_port.empty()) {
            PortRequest request = m_port.front();
            m_port.pop_front();
            if (request.kind == PortRequest::Send && request.units < 0) {
                request.units = sizeDynamicChunk(request.slave);
                if (request.units <= 0) {
                    --m_slaves[size_t(request.slave)].outstanding;
                    continue;
                }
            }
            m_portBusy = true;
            if (request.kind == PortRequest::Send)
                startSend(now, request.slave, request.units);
            else
                startReturn(now, request.chunk);
        }
    }

    double sizeDynamicChunk(int slave)
    {
        if (m_dynamic.remaining <= 1e-12)
            return 0;
        int others = -1; // this request is one of the slave's outstanding ones
        for (const SlaveState &s : m_slaves)
            others += s.outstanding;
        const double units =
            m_dynamic.strategy->nextChunk(*m_dynamic.ledger, m_dynamic.order, slave, m_now,
                                          m_dynamic.remaining, m_dynamic.divisible, others > 0);
        m_dynamic.remaining -= units;
        return units;
    }

    void startSend(double now, int slave, double units)
    {
        ChunkRecord chunk;
        chunk.slave = slave;
        chunk.units = units;
        chunk.sendStart = now;
        chunk.sendEnd =
            linkTime(slave, now, m_p.messageFixedS(slave) + units * m_p.unitSendS(slave));
        m_timeline.chunks.push_back(chunk);
        m_timeline.shares[size_t(slave)] += units;
        const int index = int(m_timeline.chunks.size()) - 1;
        at(chunk.sendEnd, [this, index] { onSendDone(index); });
    }

    void startReturn(double now, int index)
    {
        ChunkRecord &chunk = m_timeline.chunks[size_t(index)];
        chunk.returnStart = now;
        chunk.returnEnd = linkTime(chunk.slave, now,
                                   m_p.messageFixedS(chunk.slave) +
                                       chunk.units * m_p.returnRatio * m_p.unitSendS(chunk.slave));
        at(chunk.returnEnd, [this] {
            m_portBusy = false;
            servePort(m_now);
        });
    }

    void onSendDone(int index)
    {
        m_portBusy = false;
        if (m_dynamic.ledger) {
            const ChunkRecord &c = m_timeline.chunks[size_t(index)];
            m_dynamic.ledger->sent(c.slave, c.units, c.sendEnd - c.sendStart, m_now);
        }
        SlaveState &slave = m_slaves[size_t(m_timeline.chunks[size_t(index)].slave)];
        slave.arrived.push_back(index);
        startComputeIfIdle(m_timeline.chunks[size_t(index)].slave);
        servePort(m_now);
    }

    void startComputeIfIdle(int slaveIndex)
    {
        SlaveState &slave = m_slaves[size_t(slaveIndex)];
        if (slave.computing || slave.arrived.empty())
            return;
        const int index = slave.arrived.front();
        slave.arrived.pop_front();
        slave.computing = true;
        ChunkRecord &chunk = m_timeline.chunks[size_t(index)];
        chunk.computeStart = m_now;
        chunk.computeEnd = stretchedFinish(
            m_now, chunk.units * m_p.unitComputeS(slaveIndex) + m_p.chunkFixedComputeS(slaveIndex),
            m_computeChanges[size_t(slaveIndex)]);
        at(chunk.computeEnd, [this, index] { onComputeDone(index); });
    }

    void onComputeDone(int index)
    {
        ChunkRecord &chunk = m_timeline.chunks[size_t(index)];
        chunk.returnStart = chunk.returnEnd = chunk.computeEnd;
        SlaveState &slave = m_slaves[size_t(chunk.slave)];
        slave.computing = false;
        if (m_p.returnRatio > 0)
            m_port.push_back({PortRequest::Return, chunk.slave, chunk.units, index});
        if (m_dynamic.strategy) {
            // The master learns the slave's real speed from what it just saw.
            m_dynamic.ledger->computed(chunk.slave, chunk.units,
                                       chunk.computeEnd - chunk.computeStart, m_now);
            --slave.outstanding;
            if (m_dynamic.remaining > 1e-12) {
                m_port.push_back({PortRequest::Send, chunk.slave, -1, -1});
                ++slave.outstanding;
            }
        }
        startComputeIfIdle(chunk.slave);
        servePort(m_now);
    }

    const Platform &m_p;
    const SimOptions &m_options;
    std::vector<std::vector<std::pair<double, double>>> m_computeChanges;
    std::vector<std::vector<std::pair<double, double>>> m_linkChanges;
    std::vector<SlaveState> m_slaves;
    EventQueue m_events;
    std::deque<PortRequest> m_port;
    bool m_portBusy = false;
    double m_now = 0;
    Dynamic m_dynamic;
    Timeline m_timeline;
};

StarSimulator::StarSimulator(Platform truth, SimOptions options)
    : m_truth(std::move(truth)), m_options(std::move(options))
{}

Timeline StarSimulator::runStatic(const std::vector<double> &shares,
                                  const std::vector<int> &order) const
{
    if (shares.size() != m_truth.slaves.size() || order.size() != shares.size())
        throw sched::SchedulingError("simulator: shares and order must cover every slave");
    return Run(m_truth, m_options).runStatic(shares, order);
}

Timeline StarSimulator::runDynamic(const sched::DynamicStrategy &strategy,
                                   const Platform &estimates, const std::vector<int> &order,
                                   double load, bool divisible) const
{
    if (estimates.slaves.size() != m_truth.slaves.size() || order.size() != m_truth.slaves.size())
        throw sched::SchedulingError("simulator: estimates and order must cover every slave");
    Run::Dynamic dynamic;
    dynamic.strategy = &strategy;
    dynamic.ledger.emplace(estimates, m_options.rateSmoothing);
    dynamic.order = order;
    dynamic.remaining = load;
    dynamic.divisible = divisible;
    const std::vector<double> firstRound = strategy.firstRound(estimates, order, load, divisible);
    return Run(m_truth, m_options).runDynamic(std::move(dynamic), firstRound);
}

} // namespace starling::sim
