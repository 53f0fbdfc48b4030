// JobScheduler, the master's side of an image job, driven by a fake cluster whose slaves and
// links behave exactly as a platform says: its timeline must be the simulator's, event for
// event, for every strategy and send order (so a real cluster that behaves like its profile is
// predicted by the simulator). Then failures: a slave lost mid-job has its units done by the
// others exactly once, late results are ignored, and losing every slave leaves the job stuck.
#include "jobs/jobscheduler.h"
#include "randomplatform.h"
#include "sched/distributionstrategy.h"
#include "sched/schedulingerror.h"
#include "sim/eventqueue.h"
#include "sim/paperexperiment.h"
#include "sim/strategyrun.h"

#include <QTest>

#include <deque>
#include <functional>
#include <queue>

using namespace starling;
using jobs::JobChunk;
using jobs::JobScheduler;

namespace {

// Slaves and links that take exactly what `truth` says; events in time order, ties in the
// order they were scheduled (as the simulator breaks them).
class FakeCluster
{
public:
    FakeCluster(sched::Platform truth, JobScheduler &scheduler)
        : m_truth(std::move(truth)), m_scheduler(scheduler), m_slaves(size_t(m_truth.size()))
    {}

    // Runs until no event is left; `lose` (slave, at time) is applied once when due.
    void run(std::optional<std::pair<int, double>> lose = {})
    {
        if (lose)
            at(lose->second, [this, lose] { perform(m_scheduler.slaveLost(lose->first, m_now)); });
        perform(m_scheduler.start(0));
        while (!m_events.empty() && m_steps++ < 1000000) {
            sim::EventQueue::Event e = m_events.pop();
            m_now = e.time;
            e.action();
        }
    }
    std::vector<int> deliveredLate;

private:
    struct Slave
    {
        std::deque<int> arrived;
        bool computing = false;
        bool dead = false;
    };

    void at(double time, std::function<void()> action) { m_events.at(time, std::move(action)); }

    void perform(std::optional<JobScheduler::PortWork> work)
    {
        if (!work)
            return;
        const JobChunk &c = m_scheduler.chunk(work->chunk);
        const int id = c.id;
        const double units = double(c.units);
        if (work->kind == JobScheduler::PortWork::Kind::Send) {
            at(m_now + (m_truth.messageFixedS(c.slave) + units * m_truth.unitSendS(c.slave)),
               [this, id] { onSendDone(id); });
        } else {
            at(m_now + (m_truth.messageFixedS(c.slave) +
                        units * m_truth.returnRatio * m_truth.unitSendS(c.slave)),
               [this, id] { perform(m_scheduler.returnFinished(id, m_now)); });
        }
    }

    void onSendDone(int id)
    {
        Slave &s = m_slaves[size_t(m_scheduler.chunk(id).slave)];
        s.arrived.push_back(id);
        startComputeIfIdle(m_scheduler.chunk(id).slave);
        perform(m_scheduler.sendFinished(id, m_now));
    }

    void startComputeIfIdle(int slave)
    {
        Slave &s = m_slaves[size_t(slave)];
        if (s.computing || s.arrived.empty())
            return;
        const int id = s.arrived.front();
        s.arrived.pop_front();
        s.computing = true;
        const double computeS = double(m_scheduler.chunk(id).units) * m_truth.unitComputeS(slave) +
                                m_truth.chunkFixedComputeS(slave);
        at(m_now + computeS, [this, id, slave, computeS] {
            m_slaves[size_t(slave)].computing = false;
            startComputeIfIdle(slave);
            perform(m_scheduler.resultArrived(id, computeS, m_now));
        });
    }

    sched::Platform m_truth;
    JobScheduler &m_scheduler;
    std::vector<Slave> m_slaves;
    sim::EventQueue m_events;
    long long m_steps = 0;
    double m_now = 0;
};

// Every unit in [0, units) is in exactly one done chunk.
bool coversOnce(const JobScheduler &s)
{
    std::vector<int> seen(size_t(s.units()), 0);
    for (const JobChunk &c : s.chunks()) {
        if (c.state != JobChunk::State::Done)
            continue;
        for (long long u = c.firstUnit; u < c.firstUnit + c.units; ++u)
            ++seen[size_t(u)];
    }
    return std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; });
}

// A random strategy, send order and job size, drawn in that order.
JobScheduler::Settings randomSettings(std::mt19937_64 &rng, int maxUnits)
{
    JobScheduler::Settings settings;
    const auto kinds = sched::allStrategyKinds();
    settings.strategy = kinds[rng() % kinds.size()];
    settings.order = sched::SendOrder(int(rng() % 3));
    settings.units = 1 + (long long)(rng() % maxUnits);
    return settings;
}

// What the simulator predicts for the same job on the same platform.
sim::RunResult simulated(const sched::Platform &platform, const JobScheduler::Settings &settings)
{
    sim::RunSpec spec;
    spec.strategy = settings.strategy;
    spec.order = settings.order;
    spec.seed = settings.seed;
    spec.load = double(settings.units);
    return sim::runStrategy(platform, platform, spec);
}

} // namespace

class TestJobScheduler : public QObject
{
    Q_OBJECT

private slots:
    void matchesSimulator_data();
    void matchesSimulator();
    void matchesSimulatorOnRandomPlatforms();
    void matchesSimulatorWithFixedCosts();
    void lostSlaveUnitsDoneOnce_data();
    void lostSlaveUnitsDoneOnce();
    void dynamicMatchesSimulatorUntilSlaveLost_data();
    void dynamicMatchesSimulatorUntilSlaveLost();
    void lateResultIgnored();
    void everySlaveLostIsStuck();
    void badSettingsThrow();
};

void TestJobScheduler::matchesSimulator_data()
{
    QTest::addColumn<int>("strategy");
    QTest::addColumn<int>("order");
    QTest::addColumn<double>("unitMB");
    QTest::addColumn<int>("units");
    for (const double unitMB : {8.0, 100.0}) {
        for (const int units : {1, 20, 60, 100}) {
            for (const sched::StrategyKind kind : sched::allStrategyKinds()) {
                for (const sched::SendOrder order :
                     {sched::SendOrder::Decreasing, sched::SendOrder::Increasing,
                      sched::SendOrder::Random}) {
                    QTest::addRow("%s %s %gMB %d", qPrintable(sched::toString(kind)),
                                  qPrintable(sched::toString(order)), unitMB, units)
                        << int(kind) << int(order) << unitMB << units;
                }
            }
        }
    }
}

void TestJobScheduler::matchesSimulator()
{
    QFETCH(int, strategy);
    QFETCH(int, order);
    QFETCH(double, unitMB);
    QFETCH(int, units);
    sched::Platform platform = sim::PaperExperiment::platform(unitMB);
    platform.returnRatio = 1; // image strips come back as big as they went
    JobScheduler::Settings settings;
    settings.strategy = sched::StrategyKind(strategy);
    settings.order = sched::SendOrder(order);
    settings.seed = 11;
    settings.units = units;
    JobScheduler scheduler(platform, settings);
    FakeCluster(platform, scheduler).run();
    QVERIFY(scheduler.isDone());
    QVERIFY(coversOnce(scheduler));

    sim::RunSpec spec;
    spec.strategy = settings.strategy;
    spec.order = settings.order;
    spec.seed = settings.seed;
    spec.load = units;
    const sim::RunResult predicted = sim::runStrategy(platform, platform, spec);
    const sched::Timeline measured = scheduler.timeline();
    QCOMPARE(scheduler.sendOrder(), predicted.sendOrder);
    QCOMPARE(measured.shares, predicted.timeline.shares);
    QCOMPARE(measured.chunks.size(), predicted.timeline.chunks.size());
    QVERIFY2(qAbs(measured.makespan - predicted.timeline.makespan) < 1e-9,
             qPrintable(QStringLiteral("measured %1, simulator %2")
                            .arg(measured.makespan)
                            .arg(predicted.timeline.makespan)));
}

void TestJobScheduler::matchesSimulatorOnRandomPlatforms()
{
    std::mt19937_64 rng(5);
    for (int trial = 0; trial < 60; ++trial) {
        const int n = 1 + int(rng() % 9);
        const sched::Platform platform =
            testing::randomPlatform(rng, n, testing::uniform(rng, 0, 0.05), testing::uniform(rng));
        const JobScheduler::Settings settings = randomSettings(rng, 150);
        JobScheduler scheduler(platform, settings);
        FakeCluster(platform, scheduler).run();
        const sim::RunResult predicted = simulated(platform, settings);
        QVERIFY(scheduler.isDone());
        QVERIFY(coversOnce(scheduler));
        QVERIFY2(qAbs(scheduler.timeline().makespan - predicted.timeline.makespan) < 1e-9,
                 qPrintable(QStringLiteral("trial %1 (%2, %3 units)")
                                .arg(trial)
                                .arg(sched::toString(settings.strategy))
                                .arg(settings.units)));
    }
}

// Issue 16: per-slave fixed costs (compute per chunk, latency per message) are charged alike
// by the scheduler's plan, the simulator and a cluster that behaves as the platform says.
void TestJobScheduler::matchesSimulatorWithFixedCosts()
{
    std::mt19937_64 rng(16);
    for (int trial = 0; trial < 40; ++trial) {
        const int n = 1 + int(rng() % 9);
        sched::Platform platform =
            testing::randomPlatform(rng, n, testing::uniform(rng, 0, 0.05), testing::uniform(rng));
        for (sched::SlaveSpec &slave : platform.slaves) {
            slave.fixedComputeS = testing::uniform(rng, 0, 2) * slave.unitComputeS;
            slave.latencyS = testing::uniform(rng, 0, 0.1);
        }
        const JobScheduler::Settings settings = randomSettings(rng, 120);
        JobScheduler scheduler(platform, settings);
        FakeCluster(platform, scheduler).run();
        const sim::RunResult predicted = simulated(platform, settings);
        QVERIFY(scheduler.isDone());
        QVERIFY(coversOnce(scheduler));
        QCOMPARE(scheduler.timeline().shares, predicted.timeline.shares);
        QVERIFY2(qAbs(scheduler.timeline().makespan - predicted.timeline.makespan) < 1e-9,
                 qPrintable(QStringLiteral("trial %1 (%2, %3 units)")
                                .arg(trial)
                                .arg(sched::toString(settings.strategy))
                                .arg(settings.units)));
        // The fixed costs are in the timeline: every chunk computes for at least its fixed part.
        for (const sched::ChunkRecord &c : predicted.timeline.chunks)
            QVERIFY(c.computeEnd - c.computeStart >= platform.chunkFixedComputeS(c.slave) - 1e-9);
    }
}

void TestJobScheduler::lostSlaveUnitsDoneOnce_data()
{
    QTest::addColumn<int>("strategy");
    QTest::addColumn<int>("slave");
    QTest::addColumn<double>("atS");
    for (const sched::StrategyKind kind : sched::allStrategyKinds()) {
        for (const int slave : {0, 3, 7}) {
            for (const double atS : {0.0, 1.0, 5.0, 30.0}) {
                QTest::addRow("%s slave %d at %g s", qPrintable(sched::toString(kind)), slave, atS)
                    << int(kind) << slave << atS;
            }
        }
    }
}

void TestJobScheduler::lostSlaveUnitsDoneOnce()
{
    QFETCH(int, strategy);
    QFETCH(int, slave);
    QFETCH(double, atS);
    sched::Platform platform = sim::PaperExperiment::platform(8);
    platform.returnRatio = 1;
    JobScheduler::Settings settings;
    settings.strategy = sched::StrategyKind(strategy);
    settings.units = 60;
    JobScheduler scheduler(platform, settings);
    FakeCluster(platform, scheduler).run(std::pair{slave, atS});
    QVERIFY(scheduler.isDone());
    QVERIFY(coversOnce(scheduler));
    for (const JobChunk &c : scheduler.chunks()) {
        if (c.slave == slave && c.state == JobChunk::State::Done)
            QVERIFY2(c.record.computeEnd <= atS + 1e-9, "a lost slave's result was counted");
    }
}

void TestJobScheduler::dynamicMatchesSimulatorUntilSlaveLost_data()
{
    QTest::addColumn<double>("unitMB");
    QTest::addColumn<int>("slave");
    for (const double unitMB : {8.0, 100.0}) {
        for (const int slave : {0, 2, 5})
            QTest::addRow("%gMB, N%d lost", unitMB, slave + 1) << unitMB << slave;
    }
}

// The new dynamic (first round, then port-priced chunks) sends exactly what the simulator
// sends until a slave is lost a third into the job; then the others finish its units once.
void TestJobScheduler::dynamicMatchesSimulatorUntilSlaveLost()
{
    QFETCH(double, unitMB);
    QFETCH(int, slave);
    sched::Platform platform = sim::PaperExperiment::platform(unitMB);
    platform.returnRatio = 1;
    JobScheduler::Settings settings;
    settings.strategy = sched::StrategyKind::Dynamic;
    settings.units = 60;
    sim::RunSpec spec;
    spec.strategy = settings.strategy;
    spec.load = double(settings.units);
    const sched::Timeline predicted = sim::runStrategy(platform, platform, spec).timeline;
    const double lostAt = predicted.makespan / 3;
    JobScheduler scheduler(platform, settings);
    FakeCluster(platform, scheduler).run(std::pair{slave, lostAt});
    QVERIFY(scheduler.isDone());
    QVERIFY(coversOnce(scheduler));
    size_t compared = 0;
    for (const JobChunk &c : scheduler.chunks()) {
        if (c.record.sendStart >= lostAt)
            break;
        QVERIFY(compared < predicted.chunks.size());
        const sched::ChunkRecord &p = predicted.chunks[compared++];
        QCOMPARE(c.slave, p.slave);
        QCOMPARE(double(c.units), p.units);
        QVERIFY(qAbs(c.record.sendStart - p.sendStart) < 1e-9);
    }
    QVERIFY(compared >= 3); // several chunks went out before the loss
}

void TestJobScheduler::lateResultIgnored()
{
    sched::Platform platform = sim::PaperExperiment::platform(8);
    JobScheduler::Settings settings;
    settings.strategy = sched::StrategyKind::Equal;
    settings.units = 16;
    JobScheduler scheduler(platform, settings);
    const auto first = scheduler.start(0);
    QVERIFY(first && first->kind == JobScheduler::PortWork::Kind::Send);
    const int lostSlave = scheduler.chunk(first->chunk).slave;
    scheduler.sendFinished(first->chunk, 0.1);
    scheduler.slaveLost(lostSlave, 0.2);
    QCOMPARE(scheduler.chunk(first->chunk).state, JobChunk::State::Lost);
    QVERIFY(!scheduler.resultArrived(first->chunk, 1.0, 1.2));
    QCOMPARE(scheduler.lateResults(), 1);
    QVERIFY(!scheduler.resultArrived(12345, 1.0, 1.2)); // a chunk that never existed
    QCOMPARE(scheduler.lateResults(), 2);
    QCOMPARE(scheduler.unitsDone(), 0);
}

void TestJobScheduler::everySlaveLostIsStuck()
{
    sched::Platform platform = sim::PaperExperiment::platform(8);
    for (const sched::StrategyKind kind :
         {sched::StrategyKind::Pdds, sched::StrategyKind::Dynamic}) {
        JobScheduler::Settings settings;
        settings.strategy = kind;
        settings.units = 20;
        JobScheduler scheduler(platform, settings);
        scheduler.start(0);
        for (int i = 0; i < platform.size(); ++i)
            scheduler.slaveLost(i, 0.5);
        QVERIFY(scheduler.isStuck());
        QVERIFY(!scheduler.isDone());
    }
}

void TestJobScheduler::badSettingsThrow()
{
    const auto throws = [](const sched::Platform &platform, long long units) {
        JobScheduler::Settings settings;
        settings.units = units;
        try {
            JobScheduler scheduler(platform, settings);
        } catch (const sched::SchedulingError &) {
            return true;
        }
        return false;
    };
    QVERIFY(throws(sim::PaperExperiment::platform(8), 0));
    QVERIFY(throws(sched::Platform{}, 5));
    QVERIFY(!throws(sim::PaperExperiment::platform(8), 1));
}

QTEST_GUILESS_MAIN(TestJobScheduler)
#include "tst_jobscheduler.moc"
