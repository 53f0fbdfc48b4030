#include "streamclusterbench.h"

#include "streambound.h"
#include "streamchart.h"

#include <QDir>
#include <QFile>
#include <QTextStream>

#include <cstdio>

namespace starling::bench {

namespace {

const double kLoads[] = {0.9, 10}; // 10x capacity: saturated, the jobs pile up
const int kOverlaps[] = {1, 3};    // FIFO one at a time, the default job_overlap
constexpr int kWidth = 1024;
constexpr int kRowsPerUnit = 40; // 41 KB of grey per unit task
// Paper 2's compute-dominated platform: a unit of 8 MB, T_1 = 1 s, links 10..100 MB/s.
constexpr double kPaperUnitMB = 8;

QString loadLabel(double load)
{
    return load > 1 ? QStringLiteral("saturated") : QStringLiteral("%1%").arg(load * 100);
}

} // namespace

StreamClusterBench::StreamClusterBench(StreamClusterOptions options, sim::StreamWorkload workload)
    : m_options(std::move(options)), m_workload(std::move(workload))
{
    m_workload.base = scaledPlatform();
    m_workload.jobs = m_options.jobs;
    m_workload.seed = m_options.seed;
    m_workload.spec.strategy = sched::StrategyKind::Optimal;
    m_workload.spec.order = sched::SendOrder::Decreasing;
}

// Every time of the paper's platform times T_1 (in seconds): the same platform in another time
// unit, so the simulated stream's shape holds. The links carry a unit in the same fraction of
// T_1 as 8 MB at 10..100 MB/s takes of 1 s.
sched::Platform StreamClusterBench::scaledPlatform() const
{
    const double t1 = m_options.unitMs / 1000;
    sched::Platform p = m_workload.base;
    const double linkScale = double(kWidth) * kRowsPerUnit / 1e6 / (p.unitMB * t1);
    p.unitMB = double(kWidth) * kRowsPerUnit / 1e6;
    for (sched::SlaveSpec &slave : p.slaves) {
        slave.unitComputeS *= t1;
        slave.bandwidthMBps *= linkScale;
    }
    return p;
}

int StreamClusterBench::run()
{
    StreamClusterSetup setup;
    setup.cli = m_options.cli;
    setup.workDir = QDir(m_options.outDir).filePath(QStringLiteral("stream-cluster-work"));
    setup.platform = m_workload.base;
    setup.kinds = m_workload.kinds;
    setup.width = kWidth;
    setup.rowsPerUnit = kRowsPerUnit;
    setup.standardMBps = m_workload.base.unitMB / m_workload.base.slaves.front().unitComputeS;
    setup.deadlineS = m_options.deadlineS;
    StreamClusterRun cluster(setup);
    std::vector<Row> rows;
    int failures = 0;
    for (const double load : kLoads) {
        m_workload.loadFraction = load;
        std::vector<int> kindOf;
        const std::vector<sim::StreamJob> jobs = m_workload.generate(&kindOf);
        const double bound = StreamBound(m_workload).streamThroughput(jobs);
        for (const int overlap : kOverlaps) {
            Row row{load, overlap, bound, sim::StreamSimulator(overlap).run(jobs), {}, {}};
            std::fprintf(stderr, "bench_stream: cluster, %s, job_overlap %d, %d jobs ...\n",
                         qPrintable(loadLabel(load)), overlap, m_options.jobs);
            auto outcome = cluster.run(jobs, kindOf, overlap);
            if (!outcome) {
                row.error = outcome.error();
            } else {
                row.measured = *outcome;
                if (outcome->timedOut || outcome->failed > 0)
                    row.error = QStringLiteral("%1 of %2 jobs done%3")
                                    .arg(outcome->finished)
                                    .arg(jobs.size())
                                    .arg(outcome->timedOut ? QStringLiteral(", deadline passed")
                                                           : QString());
            }
            std::fprintf(stderr, "bench_stream: %s\n",
                         row.error.isEmpty() ? "done" : qPrintable(row.error));
            failures += row.error.isEmpty() ? 0 : 1;
            rows.push_back(std::move(row));
        }
    }
    print(rows);
    if (!write(rows))
        return 1;
    return failures > 0 ? 1 : 0;
}

void StreamClusterBench::print(const std::vector<Row> &rows) const
{
    std::printf("\nCluster stream, %d jobs (seed %llu), paper-2 platform with T_1 = %.0f ms, "
                "8 emulated slaves; predicted = StreamSimulator on the same arrivals\n",
                m_options.jobs, (unsigned long long)m_options.seed, m_options.unitMs);
    std::printf("%-9s %7s %6s %10s %10s %9s %9s %9s %9s %9s %9s %9s %8s\n", "load", "overlap",
                "done", "thr pred", "thr meas", "bound", "mean pred", "mean meas", "p95 pred",
                "p95 meas", "pred/FIFO", "thr/FIFO", "p95/FIFO");
    const StreamClusterRun::Outcome *fifo = nullptr;
    const sim::StreamResult *predictedFifo = nullptr;
    for (const Row &r : rows) {
        const StreamClusterRun::Outcome *m = r.measured ? &*r.measured : nullptr;
        if (r.overlap == 1) {
            fifo = m;
            predictedFifo = &r.predicted;
        }
        const bool compare = m && fifo && !m->result.jobs.empty() && !fifo->result.jobs.empty();
        std::printf("%-9s %7d %6d %10.4f %10.4f %9.4f %9.2f %9.2f %9.2f %9.2f %8.2fx %8.2fx "
                    "%7.2fx%s%s\n",
                    qPrintable(loadLabel(r.load)), r.overlap, m ? m->finished : 0,
                    r.predicted.throughput(), m ? m->result.throughput() : 0, r.bound,
                    r.predicted.meanLatencyS(), m ? m->result.meanLatencyS() : 0,
                    r.predicted.p95LatencyS(), m ? m->result.p95LatencyS() : 0,
                    r.predicted.throughput() / predictedFifo->throughput(),
                    compare ? m->result.throughput() / fifo->result.throughput() : 0,
                    compare ? m->result.p95LatencyS() / fifo->result.p95LatencyS() : 0,
                    r.error.isEmpty() ? "" : "  ", qPrintable(r.error));
    }
}

bool StreamClusterBench::write(const std::vector<Row> &rows) const
{
    const QString csvPath = QDir(m_options.outDir).filePath(QStringLiteral("stream-cluster.csv"));
    QFile csv(csvPath);
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "bench_stream: cannot write %s\n", qPrintable(csvPath));
        return false;
    }
    QTextStream out(&csv);
    out << "source,load,overlap,jobs,finished,throughput_jobs_per_s,mean_latency_s,"
           "p95_latency_s,bound_jobs_per_s,max_submit_lag_s,error\n";
    StreamChart chart(QStringLiteral("Stream of %1 mixed jobs on the emulated cluster (T_1 = %2 "
                                     "ms): measured against StreamSimulator")
                          .arg(m_options.jobs)
                          .arg(m_options.unitMs));
    const std::pair<QString, double (sim::StreamResult::*)() const> measures[] = {
        {QStringLiteral("throughput (jobs/s)"), &sim::StreamResult::throughput},
        {QStringLiteral("mean latency (s)"), &sim::StreamResult::meanLatencyS},
        {QStringLiteral("p95 latency (s)"), &sim::StreamResult::p95LatencyS}};
    for (const Row &r : rows) {
        const auto line = [&](const char *source, const sim::StreamResult &result, int finished,
                              double lag) {
            out << source << ',' << r.load << ',' << r.overlap << ',' << m_options.jobs << ','
                << finished << ',' << result.throughput() << ',' << result.meanLatencyS() << ','
                << result.p95LatencyS() << ',' << r.bound << ',' << lag << ",\"" << r.error
                << "\"\n";
        };
        line("sim", r.predicted, int(r.predicted.jobs.size()), 0);
        if (r.measured)
            line("cluster", r.measured->result, r.measured->finished, r.measured->maxSubmitLagS);
    }
    for (const auto &[title, measure] : measures) {
        StreamChart::Panel panel{title, {}};
        for (const double load : kLoads) {
            StreamChart::Group group{loadLabel(load), {}};
            for (const bool measured : {true, false}) {
                for (const Row &r : rows) {
                    if (r.load != load || (measured && !r.measured))
                        continue;
                    const QString mode = r.overlap == 1
                                             ? QStringLiteral("FIFO")
                                             : QStringLiteral("overlap %1").arg(r.overlap);
                    group.bars.push_back(
                        {mode + (measured ? QStringLiteral(", measured")
                                          : QStringLiteral(", predicted")),
                         ((measured ? r.measured->result : r.predicted).*measure)()});
                }
            }
            panel.groups.push_back(group);
        }
        chart.addPanel(panel);
    }
    const QString pngPath = QDir(m_options.outDir).filePath(QStringLiteral("stream-cluster.png"));
    if (!chart.render().save(pngPath)) {
        std::fprintf(stderr, "bench_stream: cannot write %s\n", qPrintable(pngPath));
        return false;
    }
    std::printf("Wrote %s and %s\n", qPrintable(csvPath), qPrintable(pngPath));
    return true;
}

} // namespace starling::bench
