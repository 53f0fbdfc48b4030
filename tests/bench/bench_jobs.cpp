// Paper 2's experiment on the real cluster (issue 5): 8 emulated slaves with the paper's
// platform (unit times 1..6, links 10..100 MB/s, scaled so a unit task of the fastest slave is
// 40 ms), image jobs of 20/60/100 unit tasks, every strategy and send order, measured next to
// the simulator's prediction for the same platform and the master's own estimates; then the
// same with the fastest slave slowed 2x a third into the job. Medians of alternating runs.
// With --lab (root), the same experiment on `starling lab`: 8 hosts whose links are shaped by
// the kernel and whose CPUs are cgroup quotas in the paper's ratios, the slaves computing for
// real (no emulation).
//   bench_jobs STARLING_CLI OUT_DIR [--runs N] [--budget-s S] [--lab]
#include "benchcluster.h"
#include "jobsreport.h"

#include "../testutil.h"
#include "client/jobclient.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "image/stripkernel.h"
#include "sim/strategyrun.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using namespace starling;
using namespace starling::bench;

namespace {

const std::vector<double> kCpuFactors{1, 1.5, 2, 2.5, 3, 4, 5, 6};
const std::vector<double> kLinksMBps{100, 50, 80, 20, 60, 10, 40, 30};
constexpr int kWidth = 4096;
constexpr double kSlowdown = 2;
// In the lab, a slave's quota is 1 / (kLabCpuScale x the paper's factor) of a core: the eight
// quotas then add up to 1.17 of this machine's 2 cores, which leaves the master, the monitor
// and the kernel's shaping the rest. The paper's ratios are kept.
constexpr double kLabCpuScale = 3;

// What one run of the experiment uses: the op, the size of a unit, and the platform.
struct Setup
{
    bool lab = false;
    image::ImageOp op;
    QList<QPair<QByteArray, QByteArray>> opParams;
    int rowsPerUnit = 40;
    double unitSeconds = 0.04; // T_1: the fastest slave's time per unit
    double cpuScale = 1;       // the profile's cpu_factor = cpuScale x the paper's factor
    QString description;
    QString filePrefix;
};

// Emulated: 160 KiB of grey per unit, as 8 MB per unit in the paper. With results as big as
// the strips coming back over the same port, T_1 = 40 ms gives the paper's compute-heavy
// ratio: sending plus returning a unit to slave 1 takes 8% of computing it, as sending 8 MB at
// 100 MB/s takes of 1 s in the paper.
Setup emulatedSetup()
{
    Setup s;
    s.op = *image::ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt);
    s.opParams = {{"op", "blur"}, {"sigma", "1"}};
    s.description = QStringLiteral(
        "8 emulated slaves (paper 2's platform: unit times x1..x6, links 10..100 MB/s) as 10 MPI "
        "ranks; blur sigma 1 on 4096 x (40 x tasks) grey, one unit = 40 rows = 164 KB, T_1 = 40 "
        "ms");
    s.filePrefix = QStringLiteral("jobs");
    return s;
}

// Seconds one core takes for one unit through the slave's kernel path (a strip with its halo),
// median of 7.
double unitSecondsOnOneCore(const image::ImageOp &op, int rows)
{
    const int halo = op.haloRows();
    image::ImageBuffer strip = image::ImageBuffer::allocate(kWidth, rows + 2 * halo, 1);
    QRandomGenerator rng{7};
    for (char &c : strip.pixels)
        c = char(rng.bounded(256));
    std::vector<double> times;
    for (int i = 0; i < 7; ++i) {
        QElapsedTimer clock;
        clock.start();
        if (!image::applyToStrip(op, strip, halo, halo))
            return 0;
        times.push_back(double(clock.nsecsElapsed()) / 1e9);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// The lab: real compute, so an op that costs the paper's compute-to-transfer ratio. A median of
// radius 5 is about 20 MB/s on one core here; 160 rows of 4096 (655 KB) take T_1 = 3 x ~30 ms
// at the fastest slave's third of a core, and sending one at 100 MB/s 8% of that.
Setup labSetup()
{
    Setup s;
    s.lab = true;
    s.op = *image::ImageOp::make(QStringLiteral("median"), std::nullopt, 5);
    s.opParams = {{"op", "median"}, {"radius", "5"}};
    s.rowsPerUnit = 160;
    s.cpuScale = kLabCpuScale;
    s.unitSeconds = kLabCpuScale * unitSecondsOnOneCore(s.op, s.rowsPerUnit);
    s.description =
        QStringLiteral(
            "`starling lab`, 8 hosts (paper 2's platform: links 10..100 MB/s shaped by tc, CPU "
            "quotas 1/(3 x 1..6) of a core by cgroup, no emulation); median radius 5 on 4096 x "
            "(160 x tasks) grey, one unit = 160 rows = 655 KB, T_1 = 3 x one core's %1 ms "
            "(measured) = %2 ms")
            .arg(s.unitSeconds / kLabCpuScale * 1000, 0, 'f', 1)
            .arg(s.unitSeconds * 1000, 0, 'f', 1);
    s.filePrefix = QStringLiteral("jobs-lab");
    return s;
}

// The platform the emulation or the lab enforces (what the slaves really do).
sched::Platform truth(const Setup &setup)
{
    sched::Platform p;
    p.unitMB = double(kWidth) * setup.rowsPerUnit / 1e6;
    p.returnRatio = 1; // blur and median keep the grey channel
    for (size_t i = 0; i < kCpuFactors.size(); ++i)
        p.slaves.push_back({QStringLiteral("slave-%1").arg(i + 2),
                            kCpuFactors[i] * setup.unitSeconds, kLinksMBps[i]});
    return p;
}

sched::Platform estimatesOf(const QJsonObject &status)
{
    const QJsonObject e = status.value(u"timeline").toObject().value(u"estimates").toObject();
    sched::Platform p;
    p.unitMB = e.value(u"unit_MB").toDouble();
    p.returnRatio = e.value(u"return_ratio").toDouble();
    for (const QJsonValue &v : e.value(u"slaves").toArray()) {
        const QJsonObject s = v.toObject();
        p.slaves.push_back({s.value(u"name").toString(), s.value(u"unit_compute_s").toDouble(),
                            s.value(u"link_MBps").toDouble()});
    }
    return p;
}

sched::Timeline timelineOf(const QJsonObject &status, QStringList *names)
{
    const QJsonObject t = status.value(u"timeline").toObject();
    std::map<QString, int> index;
    for (const QJsonValue &v : t.value(u"slaves").toArray()) {
        const QString name = v.toObject().value(u"name").toString();
        index[name] = int(names->size());
        names->append(name);
    }
    sched::Timeline timeline;
    timeline.makespan = t.value(u"makespan_s").toDouble();
    for (const QJsonValue &v : t.value(u"chunks").toArray()) {
        const QJsonObject c = v.toObject();
        sched::ChunkRecord r;
        r.slave =
            index.count(c.value(u"slave").toString()) ? index[c.value(u"slave").toString()] : -1;
        r.units = c.value(u"units").toDouble();
        r.sendStart = c.value(u"send_start_s").toDouble();
        r.sendEnd = c.value(u"send_end_s").toDouble();
        r.computeStart = c.value(u"compute_start_s").toDouble();
        r.computeEnd = c.value(u"compute_end_s").toDouble();
        r.returnStart = c.value(u"return_start_s").toDouble();
        r.returnEnd = c.value(u"return_end_s").toDouble();
        timeline.chunks.push_back(r);
    }
    return timeline;
}

class Bench
{
public:
    Bench(QString cli, QString outDir, Setup setup)
        : m_cli(std::move(cli)), m_out(std::move(outDir)), m_setup(std::move(setup))
    {}

    int run(int runs, int budgetS);

private:
    struct Spec
    {
        QString label;
        sched::StrategyKind strategy;
        sched::SendOrder order;
        bool slowed = false;
    };

    Expected<QJsonObject> runJob(const Spec &spec, int tasks, std::uint64_t seed, double slowAtS,
                                 double *slowedAt);
    bool slow(double factor);
    bool waitCalibrated(int timeoutMs);

    QString m_cli;
    QString m_out;
    Setup m_setup;
    QString m_calibration; // lab: measured unit time / the quota's, per slave
    QString m_runDir;
    std::map<int, QByteArray> m_images; // tasks -> PGM
    QUrl m_master;
    QByteArray m_token;
};

bool Bench::slow(double factor)
{
    QProcess p;
    p.start(m_cli, {QStringLiteral("slow"), QStringLiteral("slave-2"), QString::number(factor),
                    QStringLiteral("--run-dir"), m_runDir});
    return p.waitForFinished(20000) && p.exitCode() == 0;
}

bool Bench::waitCalibrated(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        QProcess status;
        status.start(m_cli, {QStringLiteral("status"), QStringLiteral("--json"),
                             QStringLiteral("--run-dir"), m_runDir});
        status.waitForFinished(20000);
        int calibrated = 0;
        const QJsonArray nodes = QJsonDocument::fromJson(status.readAllStandardOutput())
                                     .object()
                                     .value(u"nodes")
                                     .toArray();
        for (const QJsonValue &n : nodes) {
            const QJsonObject node = n.toObject();
            calibrated +=
                node.value(u"role").toString() == u"slave" &&
                        node.value(u"stats").toObject().value(u"unit_compute_s").toDouble() > 0
                    ? 1
                    : 0;
        }
        if (calibrated == int(kCpuFactors.size()))
            return true;
        QThread::msleep(250); // the next snapshot is that far away
    }
    return false;
}

Expected<QJsonObject> Bench::runJob(const Spec &spec, int tasks, std::uint64_t seed, double slowAtS,
                                    double *slowedAt)
{
    client::JobClient client(m_master, m_token, 60000);
    QList<QPair<QByteArray, QByteArray>> params = m_setup.opParams;
    params += {{"strategy", sched::toString(spec.strategy).toLatin1()},
               {"order", sched::toString(spec.order).toLatin1()},
               {"tasks", QByteArray::number(tasks)},
               {"seed", QByteArray::number(qulonglong(seed))}};
    const auto id = client.submit(m_images[tasks], params);
    if (!id)
        return Error{id.error()};
    QElapsedTimer clock;
    clock.start();
    bool slowed = false;
    while (clock.elapsed() < 120000) {
        const auto status = client.status(*id);
        if (!status)
            return Error{status.error()};
        if (status->state == u"failed")
            return Error{status->error};
        if (status->state == u"done")
            return status->raw;
        if (spec.slowed && !slowed && status->state == u"running") {
            const qint64 started = qint64(status->raw.value(u"started_at_ms").toDouble());
            const qint64 wait =
                started + qint64(slowAtS * 1000) - QDateTime::currentMSecsSinceEpoch();
            if (wait > 0)
                QThread::msleep(ulong(wait));
            if (!slow(kSlowdown))
                return Error{QStringLiteral("starling slow failed")};
            *slowedAt = double(QDateTime::currentMSecsSinceEpoch() - started) / 1000;
            slowed = true;
            continue;
        }
        QThread::msleep(10); // polling the job, not waiting for anything to settle
    }
    return Error{QStringLiteral("%1 did not finish in 120 s").arg(*id)};
}

int Bench::run(int runs, int budgetS)
{
    QDir out(m_out);
    out.mkpath(QStringLiteral("jobs-work"));
    const QString work = out.filePath(QStringLiteral("jobs-work"));
    m_runDir = QDir(work).filePath(QStringLiteral("run"));
    // The standard compute speed that makes one unit of the op take unitSeconds / cpuScale on a
    // standard (cpu_factor 1) slave, so the master's estimates read in the paper's units.
    const double unitBytes = double(kWidth) * m_setup.rowsPerUnit;
    const double standardMBps =
        unitBytes * m_setup.op.relativeCost() / (m_setup.unitSeconds / m_setup.cpuScale) / 1e6;
    const QString config = QDir(work).filePath(QStringLiteral("config.json"));
    // The lab binds every rank to its own host's address itself.
    const QString bind = m_setup.lab ? QString() : QStringLiteral("\"bind_host\": \"127.0.0.1\", ");
    writeFile(config,
              QStringLiteral("{%1\"master_port\": 0, \"bridge_port\": 0, \"metrics_port\": 0, "
                             "\"data_port_base\": 0, \"image_standard_MBps\": %2, "
                             "\"snapshot_hz\": 4, \"startup_timeout_s\": 120}\n")
                  .arg(bind)
                  .arg(standardMBps, 0, 'g', 12)
                  .toUtf8());
    QByteArray profile = "{\"name\": \"paper-2\", \"slaves\": [";
    for (size_t i = 0; i < kCpuFactors.size(); ++i)
        profile += (i ? ", " : "") + QByteArray("{\"cpu_factor\": ") +
                   QByteArray::number(kCpuFactors[i] * m_setup.cpuScale) +
                   ", \"link_MBps\": " + QByteArray::number(kLinksMBps[i]) + "}";
    profile += "]}\n";
    const QString profilePath = QDir(work).filePath(QStringLiteral("profile.json"));
    writeFile(profilePath, profile);
    for (int tasks : {20, 60, 100}) {
        image::ImageBuffer img =
            image::ImageBuffer::allocate(kWidth, m_setup.rowsPerUnit * tasks, 1);
        QRandomGenerator rng{quint32(tasks)};
        for (char &c : img.pixels)
            c = char(rng.bounded(256));
        m_images[tasks] = *image::encodeImage(img, image::ImageFormat::Pgm);
    }

    BenchCluster cluster(m_cli, m_runDir);
    std::fprintf(stderr, "bench_jobs: starting 8 slaves (10 ranks on this machine's cores%s)\n",
                 m_setup.lab ? ", a lab of 10 hosts" : "");
    const int slaves = int(kCpuFactors.size());
    if (auto up = m_setup.lab ? cluster.upLab(slaves, profilePath, work, config)
                              : cluster.up(slaves, profilePath, work, config);
        !up) {
        std::fprintf(stderr, "bench_jobs: %s\n", qPrintable(up.error()));
        return 1;
    }
    m_master = cluster.masterUrl();
    m_token = cluster.token();
    if (!cluster.waitAllSlavesActive(60000) || !waitCalibrated(60000)) {
        std::fprintf(stderr, "bench_jobs: the slaves did not come up and calibrate in 60 s\n");
        return 1;
    }
    const std::vector<Spec> specs{
        {QStringLiteral("equal"), sched::StrategyKind::Equal, sched::SendOrder::Decreasing},
        {QStringLiteral("cpu"), sched::StrategyKind::Cpu, sched::SendOrder::Decreasing},
        {QStringLiteral("pdds dec"), sched::StrategyKind::Pdds, sched::SendOrder::Decreasing},
        {QStringLiteral("pdds inc"), sched::StrategyKind::Pdds, sched::SendOrder::Increasing},
        {QStringLiteral("pdds rand"), sched::StrategyKind::Pdds, sched::SendOrder::Random},
        {QStringLiteral("optimal"), sched::StrategyKind::Optimal, sched::SendOrder::Decreasing},
        {QStringLiteral("dynamic"), sched::StrategyKind::Dynamic, sched::SendOrder::Decreasing}};
    // `starling slow` stretches the emulated compute time; in the lab the CPU is a real quota,
    // which nothing changes mid-job, so the lab measures the undisturbed experiment only.
    std::vector<Spec> slowedSpecs{{QStringLiteral("equal, slowed"), sched::StrategyKind::Equal,
                                   sched::SendOrder::Decreasing, true},
                                  {QStringLiteral("cpu, slowed"), sched::StrategyKind::Cpu,
                                   sched::SendOrder::Decreasing, true},
                                  {QStringLiteral("bw, slowed"), sched::StrategyKind::Bandwidth,
                                   sched::SendOrder::Decreasing, true},
                                  {QStringLiteral("pdds dec, slowed"), sched::StrategyKind::Pdds,
                                   sched::SendOrder::Decreasing, true},
                                  {QStringLiteral("optimal, slowed"), sched::StrategyKind::Optimal,
                                   sched::SendOrder::Decreasing, true},
                                  {QStringLiteral("dynamic, slowed"), sched::StrategyKind::Dynamic,
                                   sched::SendOrder::Decreasing, true}};
    if (m_setup.lab)
        slowedSpecs.clear();

    // A warm-up job: the master's own link and speed observations start from here. Its
    // estimate of the slave that gets slowed is the baseline to re-learn after each slowdown.
    const Spec relearn = specs[6];
    double unused = 0;
    runJob(relearn, 20, 1, 0, &unused);
    if (m_setup.lab)
        runJob(relearn, 20, 1, 0, &unused); // the baseline's estimates then come from two jobs
    const auto baseline = runJob(relearn, 20, 1, 0, &unused);
    const auto slowedEstimate = [](const QJsonObject &status) {
        for (const sched::SlaveSpec &s : estimatesOf(status).slaves) {
            if (s.name == QLatin1String("slave-2"))
                return s.unitComputeS;
        }
        return 0.0;
    };
    const double baselineT = baseline ? slowedEstimate(*baseline) : 0.0;
    // The master keeps learning: after a slowed run its estimate of slave-2 is too slow, and
    // the next static split would give it too little. Undisturbed dynamic jobs (many strips per
    // slave) bring the estimate back before anything is measured again.
    const auto relearnEstimates = [&] {
        for (int attempt = 0; attempt < 6 && baselineT > 0; ++attempt) {
            const auto status = runJob(relearn, 20, 1, 0, &unused);
            if (!status)
                return;
            const double t = slowedEstimate(*status);
            if (std::abs(t / baselineT - 1) < 0.05)
                return;
        }
    };

    JobsReport report(runs, QString(), m_setup.filePrefix);
    QElapsedTimer budget;
    budget.start();
    int done = 0;
    const int total = runs * (int(specs.size()) * 3 + int(slowedSpecs.size()));
    sched::Platform real = truth(m_setup);
    if (m_setup.lab && baseline) {
        // A slave's real speed in the lab is its quota minus what its own event loop, MPI polls
        // and sampling take from it, which matters most to the smallest quotas. The simulator
        // gets the speeds the master measured in the warm-up jobs (the links are tc's rates).
        const sched::Platform measured = estimatesOf(*baseline);
        for (sched::SlaveSpec &slave : real.slaves) {
            for (const sched::SlaveSpec &m : measured.slaves) {
                if (m.name != slave.name || m.unitComputeS <= 0)
                    continue;
                std::fprintf(stderr, "bench_jobs: %s: %.1f ms per unit (quota alone: %.1f ms)\n",
                             qPrintable(slave.name), m.unitComputeS * 1000,
                             slave.unitComputeS * 1000);
                m_calibration +=
                    QStringLiteral("%1%2 %3")
                        .arg(m_calibration.isEmpty() ? QString() : QStringLiteral(", "))
                        .arg(slave.name)
                        .arg(m.unitComputeS / slave.unitComputeS, 0, 'f', 2);
                slave.unitComputeS = m.unitComputeS;
            }
        }
    }
    // Where the slowdown lands: a third of the way into the undisturbed optimal split.
    const double slowAtS =
        sim::runStrategy(real, real,
                         {sched::StrategyKind::Optimal, sched::SendOrder::Decreasing, {}, 1, 100})
            .timeline.makespan /
        3;
    for (int round = 0; round < runs; ++round) {
        for (int tasks : {20, 60, 100}) {
            for (size_t k = 0; k < specs.size(); ++k) {
                const Spec &spec = specs[(k + size_t(round)) % specs.size()];
                if (budget.elapsed() > budgetS * 1000LL)
                    break;
                // A random order is a new one every round, as the paper's random order is.
                const std::uint64_t seed = std::uint64_t(round) + 1;
                const auto status = runJob(spec, tasks, seed, 0, &unused);
                ++done;
                if (!status) {
                    std::fprintf(stderr, "[%d/%d] %s, %d tasks: FAILED: %s\n", done, total,
                                 qPrintable(spec.label), tasks, qPrintable(status.error()));
                    report.failed(QStringLiteral("paper"), spec.label, tasks);
                    continue;
                }
                sim::RunSpec run{spec.strategy, spec.order, {}, seed, double(tasks)};
                const double predicted =
                    sim::runStrategy(real, estimatesOf(*status), run).timeline.makespan;
                const double makespan = status->value(u"makespan_s").toDouble();
                std::fprintf(stderr, "[%d/%d] %-16s %3d tasks: %.3f s (predicted %.3f s)\n", done,
                             total, qPrintable(spec.label), tasks, makespan, predicted);
                QStringList names;
                const sched::Timeline timeline = timelineOf(*status, &names);
                report.add(QStringLiteral("paper"), spec.label, tasks, makespan, predicted,
                           timeline, names);
            }
        }
        for (size_t k = 0; k < slowedSpecs.size(); ++k) {
            const Spec &spec = slowedSpecs[(k + size_t(round)) % slowedSpecs.size()];
            if (budget.elapsed() > budgetS * 1000LL)
                break;
            double slowedAt = 0;
            const auto status = runJob(spec, 100, 1, slowAtS, &slowedAt);
            slow(1);
            relearnEstimates();
            ++done;
            if (!status) {
                std::fprintf(stderr, "[%d/%d] %s: FAILED: %s\n", done, total,
                             qPrintable(spec.label), qPrintable(status.error()));
                report.failed(QStringLiteral("slowed"), spec.label, 100);
                continue;
            }
            sim::SimOptions options;
            options.slowdowns.push_back({0, slowedAt, kSlowdown, 1});
            const double predicted =
                sim::runStrategy(real, estimatesOf(*status),
                                 {spec.strategy, spec.order, {}, 1, 100}, options)
                    .timeline.makespan;
            const double makespan = status->value(u"makespan_s").toDouble();
            std::fprintf(stderr,
                         "[%d/%d] %-16s 100 tasks, slave-2 slowed at %.2f s: %.3f s "
                         "(predicted %.3f s)\n",
                         done, total, qPrintable(spec.label), slowedAt, makespan, predicted);
            QStringList names;
            const sched::Timeline timeline = timelineOf(*status, &names);
            report.add(QStringLiteral("slowed"), spec.label, 100, makespan, predicted, timeline,
                       names);
        }
    }
    cluster.down();
    report.setDescription(m_calibration.isEmpty()
                              ? m_setup.description
                              : m_setup.description +
                                    QStringLiteral("; the simulator's unit times are the master's "
                                                   "after two warm-up jobs, per slave x the "
                                                   "quota's: %1")
                                        .arg(m_calibration));
    report.print(stdout, slowAtS);
    const QString written = report.write(m_out);
    if (!written.isEmpty()) {
        std::fprintf(stderr, "bench_jobs: %s\n", qPrintable(written));
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen")); // charts render without a display
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3 || args.contains(QStringLiteral("--help"))) {
        std::fprintf(stderr,
                     "usage: bench_jobs STARLING_CLI OUT_DIR [--runs N] [--budget-s S] [--lab]\n");
        return 2;
    }
    int runs = 3;
    int budgetS = 900;
    const bool lab = args.contains(QStringLiteral("--lab"));
    if (lab && ::geteuid() != 0) {
        std::fprintf(stderr, "bench_jobs --lab: skipped: starling lab needs root\n");
        return 0;
    }
    if (const qsizetype at = args.indexOf(QStringLiteral("--runs")); at > 0 && at + 1 < args.size())
        runs = qBound(1, args.at(at + 1).toInt(), 20);
    if (const qsizetype at = args.indexOf(QStringLiteral("--budget-s"));
        at > 0 && at + 1 < args.size())
        budgetS = qBound(30, args.at(at + 1).toInt(), 7200);
    const Setup setup = lab ? labSetup() : emulatedSetup();
    if (setup.unitSeconds <= 0) {
        std::fprintf(stderr, "bench_jobs: the op failed on a test strip\n");
        return 1;
    }
    return Bench(args.at(1), args.at(2), setup).run(runs, budgetS);
}
