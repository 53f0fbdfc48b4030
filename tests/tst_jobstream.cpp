// JobStream, the master's side of a stream of image jobs (issue 16), driven by a fake cluster
// whose slaves and links behave exactly as each job's platform says: every job's start, end,
// shares and chunks must be sim::StreamSimulator's, event for event, for every strategy, with
// jobs one at a time (FIFO) and overlapping. Then what overlap is for: a job planned onto the
// backlog of the one in front fills the slaves that would idle, without delaying that job by
// more than one port transfer.
#include "jobs/jobstream.h"
#include "randomplatform.h"
#include "sched/backlog.h"
#include "sched/optimalstrategy.h"
#include "sched/schedulingerror.h"
#include "sim/eventqueue.h"
#include "sim/paperexperiment.h"
#include "sim/streamsimulator.h"

#include <QTest>

#include <deque>
#include <functional>
#include <numeric>
#include <queue>

using namespace starling;
using jobs::JobChunk;
using jobs::JobScheduler;
using jobs::JobStream;

namespace {

struct JobOutcome
{
    double startS = -1;
    double doneS = -1;
    double firstSendS = -1;
    std::vector<double> shares;
    size_t chunks = 0;
};

// Slaves and links that take exactly what each job's platform says; jobs admitted first come,
// first served, at most `overlap` at once; slaves compute earliest job first. Events in time
// order, ties in the order they were scheduled (as the simulator breaks them).
class FakeStreamCluster
{
public:
    FakeStreamCluster(const std::vector<sim::StreamJob> &jobs, int overlap)
        : m_jobs(jobs), m_overlap(overlap), m_slaves(size_t(jobs.front().truth.size())),
          m_outcomes(jobs.size()), m_sequenceToJob(jobs.size(), -1)
    {}

    std::vector<JobOutcome> run()
    {
        for (size_t i = 0; i < m_jobs.size(); ++i) {
            at(m_jobs[i].arrivalS, [this, i] {
                m_waiting.push_back(int(i));
                admit();
            });
        }
        while (!m_events.empty() && m_steps++ < 5000000) {
            sim::EventQueue::Event e = m_events.pop();
            m_now = e.time;
            e.action();
        }
        return m_outcomes;
    }

private:
    struct Slave
    {
        std::deque<std::pair<int, int>> arrived; // (sequence, chunk)
        bool computing = false;
    };

    void at(double time, std::function<void()> action) { m_events.at(time, std::move(action)); }

    const sched::Platform &truth(int sequence) const
    {
        return m_jobs[size_t(m_sequenceToJob[size_t(sequence)])].truth;
    }

    void admit()
    {
        while (m_stream.running() < m_overlap && !m_waiting.empty()) {
            const int index = m_waiting.front();
            m_waiting.pop_front();
            const sim::StreamJob &job = m_jobs[size_t(index)];
            JobScheduler::Settings settings;
            settings.strategy = job.spec.strategy;
            settings.order = job.spec.order;
            settings.seed = job.spec.seed;
            settings.units = static_cast<long long>(job.spec.load);
            settings.returnsResults = job.truth.returnRatio > 0;
            std::optional<JobStream::Work> work;
            m_outcomes[size_t(index)].startS = m_now;
            const int sequence = m_stream.start(job.truth, settings, m_now, &work);
            m_sequenceToJob[size_t(sequence)] = index;
            perform(work);
        }
    }

    void perform(std::optional<JobStream::Work> work)
    {
        if (!work)
            return;
        const int sequence = work->job;
        const JobChunk &c = m_stream.job(sequence).chunk(work->work.chunk);
        const sched::Platform &p = truth(sequence);
        const int id = c.id;
        const double units = double(c.units);
        if (work->work.kind == JobScheduler::PortWork::Kind::Send) {
            JobOutcome &outcome = m_outcomes[size_t(m_sequenceToJob[size_t(sequence)])];
            if (outcome.firstSendS < 0)
                outcome.firstSendS = m_now;
            at(m_now + p.startupS + units * p.unitSendS(c.slave),
               [this, sequence, id] { onSendDone(sequence, id); });
        } else {
            at(m_now + p.startupS + units * p.returnRatio * p.unitSendS(c.slave),
               [this, sequence, id] {
                   perform(m_stream.returnFinished(sequence, id, m_now));
                   finishIfDone(sequence);
               });
        }
    }

    void onSendDone(int sequence, int id)
    {
        const int slave = m_stream.job(sequence).chunk(id).slave;
        m_slaves[size_t(slave)].arrived.emplace_back(sequence, id);
        startComputeIfIdle(slave);
        perform(m_stream.sendFinished(sequence, id, m_now));
    }

    void startComputeIfIdle(int slave)
    {
        Slave &s = m_slaves[size_t(slave)];
        if (s.computing || s.arrived.empty())
            return;
        const auto next =
            std::min_element(s.arrived.begin(), s.arrived.end(),
                             [](const auto &a, const auto &b) { return a.first < b.first; });
        const auto [sequence, id] = *next;
        s.arrived.erase(next);
        s.computing = true;
        const double computeS =
            double(m_stream.job(sequence).chunk(id).units) * truth(sequence).unitComputeS(slave);
        at(m_now + computeS, [this, sequence, id, slave, computeS] {
            m_slaves[size_t(slave)].computing = false;
            startComputeIfIdle(slave);
            perform(m_stream.resultArrived(sequence, id, computeS, m_now));
            finishIfDone(sequence);
        });
    }

    void finishIfDone(int sequence)
    {
        if (!m_stream.contains(sequence) || !m_stream.job(sequence).isDone())
            return;
        JobOutcome &outcome = m_outcomes[size_t(m_sequenceToJob[size_t(sequence)])];
        outcome.doneS = m_now;
        const sched::Timeline t = m_stream.job(sequence).timeline();
        outcome.shares = t.shares;
        outcome.chunks = t.chunks.size();
        perform(m_stream.remove(sequence, m_now));
        admit();
    }

    const std::vector<sim::StreamJob> &m_jobs;
    int m_overlap;
    JobStream m_stream;
    std::vector<Slave> m_slaves;
    std::vector<JobOutcome> m_outcomes;
    std::vector<int> m_sequenceToJob;
    std::deque<int> m_waiting;
    sim::EventQueue m_events;
    long long m_steps = 0;
    double m_now = 0;
};

// A stream of mixed jobs on `base`: sizes from 1 to 120 units, compute costs 0.25x to 3x a
// unit of `base`, results as big as the strips or a third of them, arrivals `gapS` apart on
// average (seeded).
std::vector<sim::StreamJob> mixedStream(const sched::Platform &base, sched::StrategyKind kind,
                                        int count, double gapS, std::mt19937_64 &rng)
{
    std::vector<sim::StreamJob> jobs;
    double t = 0;
    const long long sizes[] = {1, 3, 12, 40, 120};
    for (int i = 0; i < count; ++i) {
        sim::StreamJob job;
        t += testing::uniform(rng, 0, 2 * gapS);
        job.arrivalS = t;
        job.truth = base;
        const double cost = testing::uniform(rng, 0.25, 3);
        for (sched::SlaveSpec &s : job.truth.slaves)
            s.unitComputeS *= cost;
        job.truth.returnRatio = rng() % 2 ? 1.0 : 1.0 / 3;
        job.spec.strategy = kind;
        job.spec.order = sched::SendOrder(int(rng() % 3));
        job.spec.seed = rng() % 100;
        job.spec.load = double(sizes[rng() % 5]);
        jobs.push_back(job);
    }
    return jobs;
}

QString compareOutcomes(const std::vector<JobOutcome> &measured, const sim::StreamResult &sim)
{
    if (measured.size() != sim.jobs.size())
        return QStringLiteral("%1 jobs measured, %2 simulated")
            .arg(measured.size())
            .arg(sim.jobs.size());
    for (size_t i = 0; i < measured.size(); ++i) {
        const JobOutcome &m = measured[i];
        const sim::StreamJobResult &s = sim.jobs[i];
        if (qAbs(m.startS - s.startS) > 1e-9 || qAbs(m.doneS - s.doneS) > 1e-9)
            return QStringLiteral("job %1: measured %2..%3, simulated %4..%5")
                .arg(i)
                .arg(m.startS)
                .arg(m.doneS)
                .arg(s.startS)
                .arg(s.doneS);
        if (m.shares != s.timeline.shares || m.chunks != s.timeline.chunks.size())
            return QStringLiteral("job %1: shares or chunks differ").arg(i);
    }
    return {};
}

} // namespace

class TestJobStream : public QObject
{
    Q_OBJECT

private slots:
    void matchesStreamSimulator_data();
    void matchesStreamSimulator();
    void matchesStreamSimulatorOnRandomPlatforms();
    void backlogPlanAvoidsBusySlave();
    void overlapFillsIdleSlavesWithoutHurtingTheFront();
    void badStreamsThrow();
};

void TestJobStream::matchesStreamSimulator_data()
{
    QTest::addColumn<int>("strategy");
    QTest::addColumn<int>("overlap");
    QTest::addColumn<double>("unitMB");
    for (const double unitMB : {8.0, 100.0}) {
        for (const sched::StrategyKind kind : sched::allStrategyKinds()) {
            for (const int overlap : {1, 2, 4}) {
                QTest::addRow("%s overlap %d %gMB", qPrintable(sched::toString(kind)), overlap,
                              unitMB)
                    << int(kind) << overlap << unitMB;
            }
        }
    }
}

void TestJobStream::matchesStreamSimulator()
{
    QFETCH(int, strategy);
    QFETCH(int, overlap);
    QFETCH(double, unitMB);
    std::mt19937_64 rng(7);
    const sched::Platform platform = sim::PaperExperiment::platform(unitMB);
    // Arrivals about as fast as the jobs run, so jobs queue and overlap.
    const std::vector<sim::StreamJob> jobs =
        mixedStream(platform, sched::StrategyKind(strategy), 16, unitMB < 50 ? 8.0 : 40.0, rng);
    const std::vector<JobOutcome> measured = FakeStreamCluster(jobs, overlap).run();
    const sim::StreamResult predicted = sim::StreamSimulator(overlap).run(jobs);
    const QString difference = compareOutcomes(measured, predicted);
    QVERIFY2(difference.isEmpty(), qPrintable(difference));
}

void TestJobStream::matchesStreamSimulatorOnRandomPlatforms()
{
    std::mt19937_64 rng(13);
    for (int trial = 0; trial < 30; ++trial) {
        const int n = 1 + int(rng() % 9);
        const sched::Platform platform =
            testing::randomPlatform(rng, n, testing::uniform(rng, 0, 0.05), 1.0);
        const auto kinds = sched::allStrategyKinds();
        const auto kind = kinds[rng() % kinds.size()];
        const int overlap = 1 + int(rng() % 4);
        const std::vector<sim::StreamJob> jobs =
            mixedStream(platform, kind, 10, testing::uniform(rng, 0.5, 30), rng);
        const QString difference = compareOutcomes(FakeStreamCluster(jobs, overlap).run(),
                                                   sim::StreamSimulator(overlap).run(jobs));
        QVERIFY2(difference.isEmpty(), qPrintable(QStringLiteral("trial %1 (%2, overlap %3): %4")
                                                      .arg(trial)
                                                      .arg(sched::toString(kind))
                                                      .arg(overlap)
                                                      .arg(difference)));
    }
}

// Behind a backlog, the optimum moves work off the slaves that are busy: its makespan behind
// that backlog beats the idle-star optimum run behind it.
void TestJobStream::backlogPlanAvoidsBusySlave()
{
    const sched::Platform p = sim::PaperExperiment::platform(8);
    const std::vector<int> order = testing::decOrder(p);
    sched::Backlog backlog;
    backlog.portFreeS = 1;
    backlog.slaveFreeS.assign(8, 0.0);
    backlog.slaveFreeS[0] = 30; // the fastest slave still computes the job in front
    const sched::OptimalStrategy optimal;
    const std::vector<long long> idle = optimal.wholeShares(p, order, 60);
    const std::vector<long long> behind = optimal.wholeSharesAfter(p, order, 60, backlog);
    QCOMPARE(std::accumulate(behind.begin(), behind.end(), 0LL), 60LL);
    QVERIFY(behind[0] < idle[0]);
    const auto finish = [&](const std::vector<long long> &shares) {
        double port = backlog.portFreeS, makespan = 0;
        for (int slave : order) {
            if (shares[size_t(slave)] == 0)
                continue;
            port += double(shares[size_t(slave)]) * p.unitSendS(slave);
            makespan =
                std::max(makespan, std::max(port, backlog.slaveFree(slave)) +
                                       double(shares[size_t(slave)]) * p.unitComputeS(slave));
        }
        return makespan;
    };
    QVERIFY2(
        finish(behind) < 0.9 * finish(idle),
        qPrintable(
            QStringLiteral("behind %1 s, idle plan %2 s").arg(finish(behind)).arg(finish(idle))));
    // An empty backlog is the idle star.
    QCOMPARE(optimal.wholeSharesAfter(p, order, 60, sched::Backlog{}), idle);
}

// Two jobs submitted together: with overlap the second starts (and sends) while the first runs,
// finishes sooner, and the first is late by at most one of the second's sends.
void TestJobStream::overlapFillsIdleSlavesWithoutHurtingTheFront()
{
    sched::Platform p = sim::PaperExperiment::platform(8);
    p.returnRatio = 1;
    std::vector<sim::StreamJob> jobs(2);
    for (sim::StreamJob &job : jobs) {
        job.truth = p;
        job.spec.strategy = sched::StrategyKind::Optimal;
        job.spec.load = 40;
    }
    const std::vector<JobOutcome> fifo = FakeStreamCluster(jobs, 1).run();
    const std::vector<JobOutcome> overlap = FakeStreamCluster(jobs, 2).run();
    QVERIFY(fifo[1].firstSendS >= fifo[0].doneS);
    QVERIFY(overlap[1].firstSendS < overlap[0].doneS);
    QVERIFY2(
        overlap[1].doneS < fifo[1].doneS,
        qPrintable(
            QStringLiteral("overlap %1 s, fifo %2 s").arg(overlap[1].doneS).arg(fifo[1].doneS)));
    double longestSend = 0;
    for (int i = 0; i < p.size(); ++i)
        longestSend = std::max(longestSend, 40 * p.unitSendS(i));
    QVERIFY(overlap[0].doneS <= fifo[0].doneS + longestSend + 1e-9);
}

void TestJobStream::badStreamsThrow()
{
    QVERIFY_THROWS_EXCEPTION(sched::SchedulingError, sim::StreamSimulator(0));
    sim::StreamJob job;
    job.truth = sim::PaperExperiment::platform(8);
    job.spec.load = 10;
    std::vector<sim::StreamJob> jobs{job, job};
    jobs[0].arrivalS = 5; // out of arrival order
    QVERIFY_THROWS_EXCEPTION(sched::SchedulingError, sim::StreamSimulator(2).run(jobs));
    jobs[0].arrivalS = 0;
    jobs[1].spec.load = 0.5;
    QVERIFY_THROWS_EXCEPTION(sched::SchedulingError, sim::StreamSimulator(2).run(jobs));
}

QTEST_GUILESS_MAIN(TestJobStream)
#include "tst_jobstream.moc"
