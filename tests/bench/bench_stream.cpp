// A stream of mixed image jobs on paper 2's 8-slave platform (issue 16): Poisson arrivals at
// 50%, 70% and 90% of capacity (and 10x, saturated), sizes 2 to 240 unit tasks (120x), blur / sobel
// / median / grey. Throughput, mean and p95 job latency with jobs one at a time (FIFO, job_overlap
// 1) against overlapping jobs, predicted by sim::StreamSimulator; the same arrival sequence for
// every mode. Capacity is the slaves' aggregate compute rate (sim::StreamWorkload). Then the
// bound no schedule beats at each load (StreamBound). With --cluster, the cluster half
// (StreamClusterBench): the first --cluster-jobs of the same stream on an emulated cluster.
//   bench_stream OUT_DIR [--jobs N] [--seed S]
//                [--cluster STARLING_CLI [--cluster-jobs N] [--unit-ms MS] [--deadline-s S]]
#include "streambound.h"
#include "streamchart.h"
#include "streamclusterbench.h"

#include "image/imageop.h"
#include "sim/paperexperiment.h"
#include "sim/streamsimulator.h"
#include "sim/streamworkload.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QTextStream>

#include <cstdio>
#include <map>

using namespace starling;

namespace {

// 10x capacity: jobs pile up, so throughput is what each mode sustains at most.
const double kLoads[] = {0.5, 0.7, 0.9, 10};
// 6 and 8: whether more overlap gets closer to the bound (StreamBound).
const int kOverlaps[] = {1, 2, 3, 4, 6, 8};
constexpr int kDefaultOverlap = 3; // the job_overlap proposed as the default

struct Options
{
    QString outDir;
    int jobs = 300;
    quint64 seed = 16;
    bench::StreamClusterOptions cluster; // cli empty: no cluster half
};

std::optional<Options> parse(const QStringList &args)
{
    Options o;
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        bool ok = true;
        if (a == QLatin1String("--jobs") && i + 1 < args.size()) {
            o.jobs = args[++i].toInt(&ok);
            ok = ok && o.jobs >= 10 && o.jobs <= 100000;
        } else if (a == QLatin1String("--seed") && i + 1 < args.size()) {
            o.seed = args[++i].toULongLong(&ok);
        } else if (a == QLatin1String("--cluster") && i + 1 < args.size()) {
            o.cluster.cli = args[++i];
            ok = QFileInfo(o.cluster.cli).isExecutable();
        } else if (a == QLatin1String("--cluster-jobs") && i + 1 < args.size()) {
            o.cluster.jobs = args[++i].toInt(&ok);
            ok = ok && o.cluster.jobs >= 4 && o.cluster.jobs <= 1000;
        } else if (a == QLatin1String("--unit-ms") && i + 1 < args.size()) {
            o.cluster.unitMs = args[++i].toDouble(&ok);
            ok = ok && o.cluster.unitMs >= 5 && o.cluster.unitMs <= 1000;
        } else if (a == QLatin1String("--deadline-s") && i + 1 < args.size()) {
            o.cluster.deadlineS = args[++i].toDouble(&ok);
            ok = ok && o.cluster.deadlineS >= 10 && o.cluster.deadlineS <= 3600;
        } else if (o.outDir.isEmpty() && !a.startsWith(QLatin1String("--"))) {
            o.outDir = a;
        } else {
            ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "bench_stream: bad argument '%s'\n", qPrintable(a));
            return std::nullopt;
        }
    }
    if (o.outDir.isEmpty()) {
        std::fprintf(stderr, "usage: bench_stream OUT_DIR [--jobs 10..100000] [--seed S] "
                             "[--cluster STARLING_CLI [--cluster-jobs 4..1000] [--unit-ms "
                             "5..1000] [--deadline-s 10..3600]]\n");
        return std::nullopt;
    }
    return o;
}

// The four ops as they weigh on a unit of grey rows; grey converts RGB (3 bytes a pixel in,
// one out).
std::vector<sim::StreamJobKind> jobKinds()
{
    const auto cost = [](const char *name) {
        return image::ImageOp::make(QString::fromLatin1(name), std::nullopt, std::nullopt)
            ->relativeCost();
    };
    const double sobel = cost("sobel");
    return {{QStringLiteral("blur"), cost("blur") / sobel, 1, 1},
            {QStringLiteral("sobel"), 1, 1, 1},
            {QStringLiteral("median"), cost("median") / sobel, 1, 1},
            {QStringLiteral("grey"), 3 * cost("grey") / sobel, 3, 1.0 / 3}};
}

struct Row
{
    QString strategy;
    double load = 0;
    int overlap = 1;
    sim::StreamResult result;
};

std::vector<Row> simulate(sim::StreamWorkload workload)
{
    std::vector<Row> rows;
    for (const auto strategy : {sched::StrategyKind::Optimal, sched::StrategyKind::Pdds}) {
        workload.spec.strategy = strategy;
        for (const double load : kLoads) {
            workload.loadFraction = load;
            const std::vector<sim::StreamJob> jobs = workload.generate();
            for (const int overlap : kOverlaps)
                rows.push_back({sched::toString(strategy), load, overlap,
                                sim::StreamSimulator(overlap).run(jobs)});
        }
    }
    return rows;
}

// The CSV, and the table on stdout with each mode against FIFO on the same arrivals.
bool report(const std::vector<Row> &rows, sim::StreamWorkload workload, const QString &path)
{
    QFile csv(path);
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "bench_stream: cannot write %s\n", qPrintable(path));
        return false;
    }
    QTextStream out(&csv);
    out << "source,strategy,load,overlap,jobs,capacity_units_per_s,arrival_jobs_per_s,"
           "throughput_jobs_per_s,mean_latency_s,p95_latency_s\n";
    std::printf("Simulated stream, %d jobs, capacity %.3f units/s (paper-2 platform, 8 MB units)\n",
                workload.jobs, workload.capacity());
    std::printf("%-8s %5s %7s %12s %10s %10s %14s %12s\n", "strategy", "load", "overlap",
                "throughput/s", "mean s", "p95 s", "thr vs FIFO", "p95 vs FIFO");
    std::map<std::pair<QString, double>, const sim::StreamResult *> fifo;
    for (const Row &r : rows) {
        if (r.overlap == 1)
            fifo[{r.strategy, r.load}] = &r.result;
        const sim::StreamResult &base = *fifo[{r.strategy, r.load}];
        workload.loadFraction = r.load;
        out << "sim," << r.strategy << ',' << r.load << ',' << r.overlap << ',' << workload.jobs
            << ',' << workload.capacity() << ',' << workload.arrivalRate() << ','
            << r.result.throughput() << ',' << r.result.meanLatencyS() << ','
            << r.result.p95LatencyS() << '\n';
        std::printf("%-8s %4.0f%% %7d %12.4f %10.1f %10.1f %13.2fx %11.2fx\n",
                    qPrintable(r.strategy), r.load * 100, r.overlap, r.result.throughput(),
                    r.result.meanLatencyS(), r.result.p95LatencyS(),
                    r.result.throughput() / base.throughput(),
                    r.result.p95LatencyS() / base.p95LatencyS());
    }
    return true;
}

// The 1.3x goal examined: at each load, the throughput no schedule can beat (the offered rate,
// the slaves' compute and the port, StreamBound), for the unending mix and for this finite
// stream, next to what FIFO and the best overlap reach; bound / FIFO is the best ratio possible.
bool reportBounds(const std::vector<Row> &rows, sim::StreamWorkload workload, const QString &path)
{
    QFile csv(path);
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "bench_stream: cannot write %s\n", qPrintable(path));
        return false;
    }
    QTextStream out(&csv);
    out << "strategy,load,offered_jobs_per_s,compute_bound,port_bound,joint_bound,bound,"
           "stream_bound,fifo_throughput,best_overlap,best_throughput\n";
    std::printf("\nUpper bounds on throughput (jobs/s) for any schedule; stream = this finite "
                "stream's arrivals\n");
    std::printf("%-8s %5s %9s %9s %9s %9s %9s %9s %9s %10s %11s %10s\n", "strategy", "load",
                "offered", "compute", "port", "joint", "bound", "stream", "FIFO", "best (ov)",
                "FIFO/strm", "strm/FIFO");
    for (const Row &fifo : rows) {
        if (fifo.overlap != 1)
            continue;
        const Row *best = &fifo;
        for (const Row &r : rows) {
            if (r.strategy == fifo.strategy && r.load == fifo.load &&
                r.result.throughput() > best->result.throughput())
                best = &r;
        }
        workload.loadFraction = fifo.load;
        const bench::StreamBound bound(workload);
        const double stream = bound.streamThroughput(workload.generate());
        const double thr = fifo.result.throughput();
        out << fifo.strategy << ',' << fifo.load << ',' << bound.offeredRate() << ','
            << bound.computeRate() << ',' << bound.portRate() << ',' << bound.jointRate() << ','
            << bound.rate() << ',' << stream << ',' << thr << ',' << best->overlap << ','
            << best->result.throughput() << '\n';
        std::printf("%-8s %4.0f%% %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %6.4f (%d) %10.2fx "
                    "%9.2fx\n",
                    qPrintable(fifo.strategy), fifo.load * 100, bound.offeredRate(),
                    bound.computeRate(), bound.portRate(), bound.jointRate(), bound.rate(), stream,
                    thr, best->result.throughput(), best->overlap, thr / stream, stream / thr);
    }
    return true;
}

bench::StreamChart chartOf(const std::vector<Row> &rows)
{
    bench::StreamChart chart(QStringLiteral("Stream of mixed jobs, simulated (optimal): FIFO vs "
                                            "job_overlap %1")
                                 .arg(kDefaultOverlap));
    const std::pair<QString, double (sim::StreamResult::*)() const> measures[] = {
        {QStringLiteral("throughput (jobs/s)"), &sim::StreamResult::throughput},
        {QStringLiteral("mean latency (s)"), &sim::StreamResult::meanLatencyS},
        {QStringLiteral("p95 latency (s)"), &sim::StreamResult::p95LatencyS}};
    for (const auto &[title, measure] : measures) {
        bench::StreamChart::Panel panel{title, {}};
        for (const double load : kLoads) {
            bench::StreamChart::Group group{
                load > 1 ? QStringLiteral("saturated") : QStringLiteral("%1%").arg(load * 100), {}};
            for (const Row &r : rows) {
                if (r.strategy == QLatin1String("optimal") && r.load == load &&
                    (r.overlap == 1 || r.overlap == kDefaultOverlap))
                    group.bars.push_back({r.overlap == 1
                                              ? QStringLiteral("FIFO (one at a time)")
                                              : QStringLiteral("overlap %1").arg(r.overlap),
                                          (r.result.*measure)()});
            }
            panel.groups.push_back(group);
        }
        chart.addPanel(panel);
    }
    return chart;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const auto options = parse(app.arguments());
    if (!options)
        return 2;
    QDir().mkpath(options->outDir);
    sim::StreamWorkload workload;
    workload.base = sim::PaperExperiment::platform(8);
    workload.kinds = jobKinds();
    workload.sizes = {2, 6, 20, 60, 240};
    workload.jobs = options->jobs;
    workload.seed = options->seed;
    const std::vector<Row> rows = simulate(workload);
    const QString csvPath = options->outDir + QStringLiteral("/stream-sim.csv");
    if (!report(rows, workload, csvPath))
        return 1;
    if (!reportBounds(rows, workload, options->outDir + QStringLiteral("/stream-bound.csv")))
        return 1;
    const QString pngPath = options->outDir + QStringLiteral("/stream-sim.png");
    if (!chartOf(rows).render().save(pngPath)) {
        std::fprintf(stderr, "bench_stream: cannot write %s\n", qPrintable(pngPath));
        return 1;
    }
    std::printf("Wrote %s, stream-bound.csv and %s\n", qPrintable(csvPath), qPrintable(pngPath));
    if (options->cluster.cli.isEmpty())
        return 0;
    bench::StreamClusterOptions cluster = options->cluster;
    cluster.outDir = options->outDir;
    cluster.seed = options->seed;
    return bench::StreamClusterBench(cluster, workload).run();
}
