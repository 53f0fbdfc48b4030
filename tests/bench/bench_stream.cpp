// A stream of mixed image jobs on paper 2's 8-slave platform (issue 16): Poisson arrivals at
// 50%, 70% and 90% of capacity (and 10x, saturated), sizes 2 to 240 unit tasks (120x), blur / sobel
// / median / grey. Throughput, mean and p95 job latency with jobs one at a time (FIFO, job_overlap
// 1) against overlapping jobs, predicted by sim::StreamSimulator; the same arrival sequence for
// every mode. Capacity is the slaves' aggregate compute rate (sim::StreamWorkload).
//   bench_stream OUT_DIR [--jobs N] [--seed S]
#include "streamchart.h"

#include "image/imageop.h"
#include "sim/paperexperiment.h"
#include "sim/streamsimulator.h"
#include "sim/streamworkload.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QTextStream>

#include <cstdio>
#include <map>

using namespace starling;

namespace {

// 10x capacity: jobs pile up, so throughput is what each mode sustains at most.
const double kLoads[] = {0.5, 0.7, 0.9, 10};
const int kOverlaps[] = {1, 2, 3, 4};
constexpr int kDefaultOverlap = 3; // the job_overlap proposed as the default

struct Options
{
    QString outDir;
    int jobs = 300;
    quint64 seed = 16;
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
        std::fprintf(stderr, "usage: bench_stream OUT_DIR [--jobs 10..100000] [--seed S]\n");
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
    const QString pngPath = options->outDir + QStringLiteral("/stream-sim.png");
    if (!chartOf(rows).render().save(pngPath)) {
        std::fprintf(stderr, "bench_stream: cannot write %s\n", qPrintable(pngPath));
        return 1;
    }
    std::printf("Wrote %s and %s\n", qPrintable(csvPath), qPrintable(pngPath));
    return 0;
}
