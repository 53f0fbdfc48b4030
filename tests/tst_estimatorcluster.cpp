// The estimator's guarantee on a real cluster (issue 16, part 1): after an adversarial sequence
// of jobs (tiny jobs whose strips are mostly fixed cost, one huge job, another op, another
// channel count) on emulated slaves whose true costs are known (the profile's cpu_factor,
// strip_fixed_ms and link_MBps), `optimal` planned on what the master learnt, for each next
// job, makes a makespan on the TRUE costs within kMargin of `optimal` planned on the truth, or
// at most one unit step later (tst_costestimator's guarantee; a split moves in whole units).
// The true costs are the emulation's rules: a strip computes for strip_fixed + its rows' bytes x
// the op's relative cost / image_standard_MBps x cpu_factor (halo rows are sent, not computed),
// and the port is held bytes / link_MBps per message. The emulated compute times the master
// learns from are exactly those (no wall clock), so the learned numbers are deterministic but
// for the links' few milliseconds of real transfer; nothing here asserts on speed.
#include "clusterclient.h"
#include "clusterharness.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "sched/platform.h"
#include "sim/estimatorexperiment.h"
#include "testimages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>
#include <iterator>

using namespace starling;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using Reply = starling::testing::HttpReply;

namespace {

// Emulated compute: standard MB per second (config image_standard_MBps).
constexpr double kStandardMBps = 0.2;
// The margin: regret = makespan on the truth of `optimal` planned on the estimates / of
// `optimal` planned on the truth. The compute timings are the emulation's exactly; the links
// are learnt from real port times, within a few percent of the profile's rates (measured:
// 0.38-0.43 MB/s for 0.4), so 8% (against 5% in the noisy simulation) or one unit step; a
// planner without the fixed costs misses it here by 12-21% (the controls below).
constexpr double kMargin = 1.08;

// The profile's slaves; the truth below is built from the same numbers.
struct TrueSlave
{
    double cpuFactor;
    double stripFixedS;
    double linkMBps;
};
// A fast slave with a large fixed cost, a slow one with a small one, and a slow one with both.
// Fixed costs large enough that a planner ignoring them misses the guarantee on every next job
// (the controls below: 1.12-1.21 on the truth without fixed costs, about two unit steps).
constexpr TrueSlave kSlaves[] = {{1.0, 0.500, 0.5}, {2.0, 0.020, 0.4}, {3.0, 0.300, 0.25}};

QByteArray profileJson()
{
    QJsonArray slaves;
    for (const TrueSlave &s : kSlaves)
        slaves.append(QJsonObject{{QStringLiteral("cpu_factor"), s.cpuFactor},
                                  {QStringLiteral("strip_fixed_ms"), s.stripFixedS * 1000},
                                  {QStringLiteral("link_MBps"), s.linkMBps}});
    return QJsonDocument(QJsonObject{{QStringLiteral("slaves"), slaves}}).toJson();
}

struct JobShape
{
    QString op; // blur (sigma 2) or median (radius 2): the defaults
    int width = 0;
    int height = 0;
    int channels = 1;
    int tasks = 0;

    QByteArray query() const
    {
        return QStringLiteral("op=%1&strategy=optimal&tasks=%2").arg(op).arg(tasks).toLatin1();
    }
    QString label() const
    {
        return QStringLiteral("%1 %2x%3x%4 in %5")
            .arg(op)
            .arg(width)
            .arg(height)
            .arg(channels)
            .arg(tasks);
    }
};

// The star model of `job` on the profile's true costs, in the terms the master plans with
// (JobRunner::estimatesFor): a unit is height / tasks rows; every strip also sends up to two
// halos of rows, a per-message cost on its link.
sched::Platform truthFor(const JobShape &job)
{
    const auto op = image::ImageOp::make(job.op, std::nullopt, std::nullopt);
    const double rowMB = double(job.width) * job.channels / 1e6;
    const double haloMB = 2.0 * op->haloRows() * rowMB;
    sched::Platform p;
    p.unitMB = double(job.height) / job.tasks * rowMB;
    p.returnRatio = double(op->outputChannels(job.channels)) / job.channels;
    int i = 0;
    for (const TrueSlave &s : kSlaves) {
        sched::SlaveSpec spec;
        spec.name = QStringLiteral("slave-%1").arg(2 + i++); // the first slave is rank 2
        spec.unitComputeS = s.cpuFactor * op->relativeCost() * p.unitMB / kStandardMBps;
        spec.fixedComputeS = s.stripFixedS;
        spec.bandwidthMBps = s.linkMBps;
        spec.latencyS = haloMB / s.linkMBps;
        p.slaves.push_back(spec);
    }
    return p;
}

// What the master planned the job with: its status's timeline `estimates`, slaves in the
// order of `truth` (matched by name; a slave it does not list is left out).
sched::Platform plannedWith(const QJsonObject &status, const sched::Platform &truth)
{
    const QJsonObject e = status.value(u"timeline").toObject().value(u"estimates").toObject();
    sched::Platform p;
    p.unitMB = e.value(u"unit_MB").toDouble();
    p.returnRatio = e.value(u"return_ratio").toDouble();
    const QJsonArray listed = e.value(u"slaves").toArray();
    for (const sched::SlaveSpec &t : truth.slaves) {
        const auto found = std::find_if(listed.begin(), listed.end(), [&](const QJsonValue &v) {
            return v.toObject().value(u"name").toString() == t.name;
        });
        if (found == listed.end())
            continue;
        const QJsonObject o = found->toObject();
        sched::SlaveSpec spec;
        spec.name = o.value(u"name").toString();
        spec.unitComputeS = o.value(u"unit_compute_s").toDouble();
        spec.bandwidthMBps = o.value(u"link_MBps").toDouble();
        spec.fixedComputeS = o.value(u"fixed_compute_s").toDouble();
        spec.latencyS = o.value(u"latency_s").toDouble();
        p.slaves.push_back(spec);
    }
    return p;
}

// Controls that a planner which ignores the fixed costs would miss the margin with: the truth
// with every fixed cost dropped (today's linear model fed perfect rates), and the prior (every
// slave a standard slave, the links known).
sched::Platform withoutFixedCosts(sched::Platform p)
{
    for (sched::SlaveSpec &s : p.slaves)
        s.fixedComputeS = s.latencyS = 0;
    return p;
}

sched::Platform prior(const sched::Platform &truth, const JobShape &job)
{
    const auto op = image::ImageOp::make(job.op, std::nullopt, std::nullopt);
    sched::Platform p = withoutFixedCosts(truth);
    for (sched::SlaveSpec &s : p.slaves)
        s.unitComputeS = op->relativeCost() * p.unitMB / kStandardMBps;
    return p;
}

// The guarantee for one job, as in tst_costestimator: `optimal` planned on the beliefs and
// evaluated on the truth ends within kMargin of `optimal` on the truth, or at most one unit step
// later (a split moves in whole units whatever the estimates).
struct Guarantee
{
    Guarantee(sched::Platform truth, long long units)
        : truth(std::move(truth)), units(units),
          bestS(sim::EstimatorExperiment::plannedMakespan(this->truth, this->truth, units)),
          stepS(sim::EstimatorExperiment::unitStepS(this->truth, units))
    {}
    double makespanOf(const sched::Platform &beliefs) const
    {
        return sim::EstimatorExperiment::plannedMakespan(truth, beliefs, units);
    }
    bool holds(double makespanS) const
    {
        return makespanS <= kMargin * bestS || makespanS - bestS <= stepS;
    }

    sched::Platform truth;
    long long units;
    double bestS;
    double stepS;
};

void printBeliefs(const sched::Platform &truth, const sched::Platform &believed)
{
    for (int i = 0; i < truth.size(); ++i) {
        const sched::SlaveSpec &t = truth.slaves[size_t(i)];
        const sched::SlaveSpec &b = believed.slaves[size_t(i)];
        qInfo("  %s: unit %.4f s (true %.4f), fixed %.4f s (true %.4f), link %.3f MB/s "
              "(true %.3f), latency %.4f s (true %.4f)",
              qPrintable(b.name), b.unitComputeS, t.unitComputeS, b.fixedComputeS, t.fixedComputeS,
              b.bandwidthMBps, t.bandwidthMBps, b.latencyS, t.latencyS);
    }
}

// One cluster; stops it however the test ends.
class EstimatorRun
{
public:
    ~EstimatorRun()
    {
        m_cluster.down();
        m_cluster.killLeftovers();
    }

    bool up()
    {
        m_cluster.writeConfig(QStringLiteral(R"({"heartbeat_ms": 100, "suspect_after_ms": 3000,
                              "down_after_ms": 6000, "snapshot_hz": 10, "startup_timeout_s": 120,
                              "image_standard_MBps": %1, "job_overlap": 1,
                              "estimate_publish_ms": 100})")
                                  .arg(kStandardMBps)
                                  .toLatin1());
        QFile profile(m_cluster.path(QStringLiteral("profile.json")));
        if (!profile.open(QIODevice::WriteOnly))
            return false;
        profile.write(profileJson());
        profile.close();
        if (!m_cluster.up(int(std::size(kSlaves)), m_cluster.path(QStringLiteral("profile.json"))))
            return false;
        return QTest::qWaitFor([&] { return nodes() == 2 + int(std::size(kSlaves)); }, 20000);
    }

    QString submit(const JobShape &job)
    {
        const image::ImageBuffer input =
            testing::noiseImage(job.width, job.height, job.channels, quint32(job.width));
        const auto encoded = image::encodeImage(
            input, input.channels == 1 ? image::ImageFormat::Pgm : image::ImageFormat::Ppm);
        if (!encoded)
            return {};
        const Reply reply = exchange(master(), "POST", "/api/v1/jobs?" + job.query(), *encoded);
        return reply.status == 202 ? reply.json().value(u"id").toString() : QString();
    }

    QJsonObject status(const QString &id)
    {
        return exchange(master(), "GET", "/api/v1/jobs/" + id.toLatin1()).json();
    }

    bool finished(const QString &id)
    {
        const QString s = status(id).value(u"state").toString();
        return s == u"done" || s == u"failed";
    }

    // `starling status --json`, as an operator reads it.
    QJsonObject snapshot() const
    {
        const testing::CliResult r =
            m_cluster.run({QStringLiteral("status"), QStringLiteral("--json")});
        return r.exitCode == 0 ? QJsonDocument::fromJson(r.out.toUtf8()).object() : QJsonObject{};
    }

private:
    QUrl master() const { return testing::masterOf(m_cluster.state()); }
    int nodes() const { return testing::listedNodes(master()); }

    ClusterHarness m_cluster;
};

// Each slave node's `estimates` in a `status --json` snapshot.
QList<QJsonObject> slaveEstimates(const QJsonObject &snapshot)
{
    QList<QJsonObject> result;
    for (const QJsonValue &node : snapshot.value(u"nodes").toArray()) {
        const QJsonObject estimates = node.toObject().value(u"estimates").toObject();
        if (!estimates.isEmpty())
            result.append(estimates);
    }
    return result;
}

bool knownSource(const QString &source)
{
    return source == u"measured" || source == u"other_op" || source == u"calibration" ||
           source == u"prior";
}

} // namespace

class TestEstimatorCluster final : public QObject
{
    Q_OBJECT

private slots:
    void guaranteeAfterAdversarialSequence();
    void idleSlavesAreProbed();

private:
    bool runJob(EstimatorRun &run, const JobShape &job, QJsonObject *status);
    void checkEstimatesShown(EstimatorRun &run);
};

bool TestEstimatorCluster::runJob(EstimatorRun &run, const JobShape &job, QJsonObject *status)
{
    const QString id = run.submit(job);
    if (id.isEmpty()) {
        qWarning("could not submit %s", qPrintable(job.label()));
        return false;
    }
    if (!QTest::qWaitFor([&] { return run.finished(id); }, 30000)) {
        qWarning("%s did not finish within 30 s", qPrintable(job.label()));
        return false;
    }
    *status = run.status(id);
    // STARLING_DUMP_ESTIMATES=1: every strip's compute time next to the truth's.
    if (qEnvironmentVariableIsSet("STARLING_DUMP_ESTIMATES")) {
        const sched::Platform truth = truthFor(job);
        const QJsonObject timeline = status->value(u"timeline").toObject();
        for (const QJsonValue &v : timeline.value(u"chunks").toArray()) {
            const QJsonObject c = v.toObject();
            const int slave = c.value(u"rank").toInt() - 2;
            const long long units = c.value(u"units").toInteger();
            const sched::SlaveSpec &t = truth.slaves[size_t(std::clamp(slave, 0, 2))];
            qInfo("%s: %s %lld units, compute %.4f s (true %.4f)", qPrintable(job.label()),
                  qPrintable(c.value(u"slave").toString()), units,
                  c.value(u"compute_end_s").toDouble() - c.value(u"compute_start_s").toDouble(),
                  t.fixedComputeS + double(units) * t.unitComputeS);
        }
    }
    return status->value(u"state").toString() == u"done";
}

void TestEstimatorCluster::guaranteeAfterAdversarialSequence()
{
    EstimatorRun run;
    QVERIFY(run.up());
    // Adversarial: tiny jobs first (strips of a few hundred bytes: all fixed cost, one size), one
    // huge job (one strip size per slave again, far from the first), then another op and another
    // channel count, each seen once.
    const QList<JobShape> sequence{
        {QStringLiteral("blur"), 48, 16, 1, 4},      {QStringLiteral("blur"), 48, 16, 1, 4},
        {QStringLiteral("blur"), 40, 12, 1, 3},      {QStringLiteral("blur"), 320, 300, 1, 48},
        {QStringLiteral("median"), 200, 150, 1, 24}, {QStringLiteral("blur"), 120, 100, 3, 24}};
    QJsonObject status;
    for (const JobShape &job : sequence)
        QVERIFY2(runJob(run, job, &status), qPrintable(job.label()));

    // The next jobs: each op class again at a size the history did not show. Each is planned on
    // what the master learnt so far (its timeline's `estimates`) and judged on the truth.
    const QList<JobShape> next{{QStringLiteral("blur"), 240, 200, 1, 50},
                               {QStringLiteral("median"), 160, 160, 1, 40},
                               {QStringLiteral("blur"), 100, 120, 3, 40}};
    for (const JobShape &job : next) {
        QVERIFY2(runJob(run, job, &status), qPrintable(job.label()));
        const sched::Platform truth = truthFor(job);
        const sched::Platform believed = plannedWith(status, truth);
        QCOMPARE(believed.size(), truth.size());
        QVERIFY(std::abs(believed.unitMB - truth.unitMB) < 1e-9);
        printBeliefs(truth, believed);
        const Guarantee g(truth, job.tasks);
        const double planned = g.makespanOf(believed);
        // The sequence can tell: a planner without the fixed costs (today's linear model fed
        // the true rates) or on the prior misses both bounds on this job.
        const double linear = g.makespanOf(withoutFixedCosts(truth));
        const double fromPrior = g.makespanOf(prior(truth, job));
        qInfo("%s: regret %.4f (+%.3f s; one unit %.3f s); controls: no fixed costs %.4f, "
              "prior %.4f",
              qPrintable(job.label()), planned / g.bestS, planned - g.bestS, g.stepS,
              linear / g.bestS, fromPrior / g.bestS);
        QVERIFY2(!g.holds(linear) && !g.holds(fromPrior), "the controls meet the guarantee");
        // Before the estfix slice this failed (2.16 / 1.42 / 1.91): slaves first timed on a tiny
        // strip looked 10x too slow and never got work again, and the huge strip was held back
        // as an outlier of a tiny-strip fit.
        QVERIFY2(g.holds(planned),
                 qPrintable(QStringLiteral("%1: regret %2 > %3 and more than one unit")
                                .arg(job.label())
                                .arg(planned / g.bestS)
                                .arg(kMargin)));
    }
    checkEstimatesShown(run);
}

// `starling status --json`: every slave shows the op classes it ran (every slave ran the first
// tiny blur) and its link, each with a confidence in [0, 1] and a source.
void TestEstimatorCluster::checkEstimatesShown(EstimatorRun &run)
{
    const auto allShown = [&] {
        const QList<QJsonObject> slaves = slaveEstimates(run.snapshot());
        if (slaves.size() != int(std::size(kSlaves)))
            return false;
        return std::all_of(slaves.begin(), slaves.end(), [](const QJsonObject &e) {
            return !e.value(u"compute").toArray().isEmpty() && e.value(u"link").isObject();
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allShown(), 15000);
    for (const QJsonObject &slave : slaveEstimates(run.snapshot())) {
        QJsonArray all = slave.value(u"compute").toArray();
        all.append(slave.value(u"link"));
        for (const QJsonValue &v : all) {
            const QJsonObject e = v.toObject();
            const double confidence = e.value(u"confidence").toDouble(-1);
            QVERIFY2(confidence >= 0 && confidence <= 1, qPrintable(QString::number(confidence)));
            QVERIFY2(knownSource(e.value(u"source").toString()),
                     qPrintable(e.value(u"source").toString()));
        }
        for (const QJsonValue &v : slave.value(u"compute").toArray()) {
            QVERIFY(v.toObject().value(u"per_mb_s").toDouble() > 0);
            QVERIFY(v.toObject().value(u"fixed_s").toDouble(-1) >= 0);
        }
        QVERIFY(slave.value(u"link").toObject().value(u"mbps").toDouble() > 0);
    }
}

// A one-strip median job times one slave; once the cluster is idle (IdleProber::kIdleMs), the
// master probes every slave on median until a round confirms its estimate: each then shows
// median as measured, at the rate the profile gives it (cpu_factor x cost / standard rate).
// Without the probes the two slaves the job left out show no median timing at all.
void TestEstimatorCluster::idleSlavesAreProbed()
{
    EstimatorRun run;
    QVERIFY(run.up());
    QJsonObject status;
    QVERIFY(runJob(run, {QStringLiteral("median"), 64, 8, 1, 1}, &status));
    const double relativeCost =
        image::ImageOp::make(QStringLiteral("median"), std::nullopt, std::nullopt)->relativeCost();
    const auto medianOf = [](const QJsonObject &slave) {
        for (const QJsonValue &v : slave.value(u"compute").toArray()) {
            if (v.toObject().value(u"op").toString() == u"median")
                return v.toObject();
        }
        return QJsonObject{};
    };
    const auto allProbed = [&] {
        const QList<QJsonObject> slaves = slaveEstimates(run.snapshot());
        return slaves.size() == int(std::size(kSlaves)) &&
               std::all_of(slaves.begin(), slaves.end(), [&](const QJsonObject &e) {
                   const QJsonObject median = medianOf(e);
                   return median.value(u"source").toString() == u"measured" &&
                          median.value(u"samples").toDouble() >= 1.5; // a round or more
               });
    };
    const bool probed = QTest::qWaitFor(allProbed, 60000);
    for (const QJsonObject &e : slaveEstimates(run.snapshot()))
        qInfo("%s", QJsonDocument(medianOf(e)).toJson(QJsonDocument::Compact).constData());
    QVERIFY2(probed, "not every slave shows median as measured");
    for (const QJsonValue &node : run.snapshot().value(u"nodes").toArray()) {
        const QJsonObject estimates = node.toObject().value(u"estimates").toObject();
        if (estimates.isEmpty())
            continue;
        const int index = node.toObject().value(u"rank").toInt() - 2; // slaves are ranks 2..
        QVERIFY(index >= 0 && index < int(std::size(kSlaves)));
        const double truth = kSlaves[index].cpuFactor * relativeCost / kStandardMBps;
        const double rate = medianOf(estimates).value(u"per_mb_s").toDouble();
        qInfo("slave %d: median %.3f s/MB, truth %.3f", index, rate, truth);
        QCOMPARE_LE(std::abs(rate - truth) / truth, 0.1);
    }
}

QTEST_GUILESS_MAIN(TestEstimatorCluster)
#include "tst_estimatorcluster.moc"
