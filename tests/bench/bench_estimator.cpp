// Issue 16, "estimator error after mixed sequences": on paper 2's 8-slave platform with fixed
// costs per strip and per message and 3% timing noise, each sequence of jobs is played once,
// every job planned with `optimal` from what the master believed at that moment; then the
// estimates are compared with the truth (median relative error of the fixed part and of the
// rate over every slave and op class the sequence used) and the planning regret is measured:
// the makespan on the truth of `optimal` planned from the estimates over `optimal` planned on
// the truth, for every op used x {12, 40, 100} units x unit sizes of the sequence (mean and
// worst). The CostEstimator and today's EWMA learn from the same timings, side by side.
//   bench_estimator OUT_DIR
#include "sim/estimatorexperiment.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

using namespace starling::sched;
using namespace starling::sim;

namespace {

struct Sequence
{
    QString name;
    std::vector<JobDraw> jobs;
    EstimatorExperiment::Disturbance disturbance;
    std::vector<double> probeMB;
};

struct Row
{
    QString sequence;
    QString model;
    double fixedError = 0;
    double rateError = 0;
    double meanRegret = 0;
    double worstRegret = 0;
    // What the probe rounds cost (sched::ProbePlanner): 0 for the models that do not probe.
    int probeRounds = 0;
    double probeMB = 0;
    double probeComputeS = 0;
};

std::vector<JobDraw> draws(int count, std::vector<int> ops, long long minUnits, long long maxUnits,
                           double minMB, double maxMB, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<JobDraw> jobs;
    for (int i = 0; i < count; ++i) {
        const double logMB =
            std::uniform_real_distribution<double>(std::log(minMB), std::log(maxMB))(rng);
        jobs.push_back({ops[size_t(i) % ops.size()],
                        std::uniform_int_distribution<long long>(minUnits, maxUnits)(rng),
                        std::exp(logMB)});
    }
    return jobs;
}

std::vector<Sequence> sequences()
{
    const std::vector<int> all{0, 1, 2, 3};
    EstimatorExperiment::Disturbance outliers;
    outliers.outlierRate = 0.05;
    EstimatorExperiment::Disturbance slowed;
    slowed.slowSlave = 0;
    slowed.slowFromJob = 20;
    slowed.slowUntilJob = 1000;
    EstimatorExperiment::Disturbance back = slowed;
    back.slowUntilJob = 30;
    return {
        {QStringLiteral("mixed"), draws(40, all, 4, 100, 0.3, 10, 1), {}, {0.5, 8}},
        {QStringLiteral("tiny only"), draws(40, all, 4, 12, 0.05, 0.2, 2), {}, {0.1}},
        {QStringLiteral("huge only"), draws(30, all, 100, 100, 8, 12, 3), {}, {10}},
        {QStringLiteral("one size"), std::vector<JobDraw>(40, JobDraw{1, 60, 2}), {}, {2}},
        {QStringLiteral("alternating ops"),
         draws(40, {1, 2, 1, 2, 0}, 10, 100, 0.1, 10, 4),
         {},
         {0.5, 8}},
        {QStringLiteral("outliers 5%"), draws(50, all, 10, 100, 0.5, 10, 5), outliers, {0.5, 8}},
        {QStringLiteral("slowed 2x"), draws(40, all, 10, 100, 0.5, 10, 6), slowed, {0.5, 8}},
        {QStringLiteral("slowed 2x and back"),
         draws(45, all, 10, 100, 0.5, 10, 7),
         back,
         {0.5, 8}}};
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Models side by side per sequence: CostEstimator, the same without probing, today's EWMA.
constexpr int kModels = 3;

Row measure(const Sequence &seq, const EstimatorExperiment &run, bool ewma, const QString &model)
{
    std::vector<int> ops;
    for (const JobDraw &job : seq.jobs) {
        if (std::find(ops.begin(), ops.end(), job.op) == ops.end())
            ops.push_back(job.op);
    }
    const int now = int(seq.jobs.size());
    std::vector<double> fixedErrors, rateErrors, regrets;
    for (int op : ops) {
        // Unit of 1 MB: unitComputeS is the rate per MB, fixedComputeS the fixed part.
        const Platform truth = run.truthAt(op, 1.0, now);
        const Platform beliefs = ewma ? run.ewma(op, 1.0) : run.estimated(op, 1.0);
        for (int i = 0; i < truth.size(); ++i) {
            const SlaveSpec &t = truth.slaves[size_t(i)];
            const SlaveSpec &b = beliefs.slaves[size_t(i)];
            fixedErrors.push_back(std::abs(b.fixedComputeS - t.fixedComputeS) / t.fixedComputeS);
            rateErrors.push_back(std::abs(b.unitComputeS - t.unitComputeS) / t.unitComputeS);
        }
        for (long long units : {12LL, 40LL, 100LL}) {
            for (double mb : seq.probeMB) {
                const Platform probeTruth = run.truthAt(op, mb, now);
                regrets.push_back(EstimatorExperiment::regret(
                    probeTruth, ewma ? run.ewma(op, mb) : run.estimated(op, mb), units));
            }
        }
    }
    Row row{seq.name, model};
    row.fixedError = median(fixedErrors);
    row.rateError = median(rateErrors);
    double sum = 0;
    for (double r : regrets)
        sum += r;
    row.meanRegret = sum / double(regrets.size());
    row.worstRegret = *std::max_element(regrets.begin(), regrets.end());
    return row;
}

// Worst regret per sequence, the two models side by side, drawn offscreen.
void drawChart(const std::vector<Row> &rows, const QString &path)
{
    const int groups = int(rows.size() / kModels);
    QImage image(1000, 520, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF plot(70, 50, 900, 360);
    double top = 1.1;
    for (const Row &r : rows)
        top = std::max(top, r.worstRegret * 1.05);
    auto y = [&](double v) {
        return plot.bottom() - (v - 1.0) / (top - 1.0) * plot.height();
    };
    painter.drawText(QRectF(0, 10, 1000, 30), Qt::AlignCenter,
                     QStringLiteral("Planning regret after each sequence (worst over probe jobs; "
                                    "1 = optimal on the truth)"));
    painter.setPen(Qt::gray);
    for (double v = 1.0; v <= top; v += (top - 1.0) > 1 ? 0.5 : 0.1) {
        painter.drawLine(QPointF(plot.left(), y(v)), QPointF(plot.right(), y(v)));
        painter.drawText(QRectF(0, y(v) - 8, 65, 16), Qt::AlignRight, QString::number(v, 'f', 2));
    }
    const QColor colours[kModels] = {QColor(0x1f, 0x77, 0xb4), QColor(0x9e, 0xc9, 0xe6),
                                     QColor(0xd6, 0x27, 0x28)};
    const double slot = plot.width() / groups;
    for (int g = 0; g < groups; ++g) {
        for (int m = 0; m < kModels; ++m) {
            const Row &r = rows[size_t(kModels * g + m)];
            const QRectF bar(plot.left() + g * slot + slot * (0.1 + 0.27 * m), y(r.worstRegret),
                             slot * 0.25, plot.bottom() - y(r.worstRegret));
            painter.fillRect(bar, colours[m]);
        }
        painter.setPen(Qt::black);
        painter.drawText(QRectF(plot.left() + g * slot, plot.bottom() + 5, slot, 40),
                         Qt::AlignHCenter | Qt::TextWordWrap, rows[size_t(kModels * g)].sequence);
    }
    for (int m = 0; m < kModels; ++m) {
        painter.fillRect(QRectF(80 + 280 * m, 470, 14, 14), colours[m]);
        painter.drawText(QPointF(100 + 280 * m, 482), rows[size_t(m)].model);
    }
    painter.end();
    image.save(path);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_estimator OUT_DIR\n");
        return 2;
    }
    const QString dir = QString::fromLocal8Bit(argv[1]);
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "bench_estimator: cannot create %s\n", argv[1]);
        return 1;
    }
    std::vector<Row> rows;
    for (const Sequence &seq : sequences()) {
        EstimatorExperiment run(CostTruth::paperWithFixedCosts(), 0.03, 42, seq.disturbance);
        run.run(seq.jobs);
        // The same sequence without probing: what the small first chunks and the probe rounds
        // buy.
        EstimatorExperiment unprobed(CostTruth::paperWithFixedCosts(), 0.03, 42, seq.disturbance);
        unprobed.setProbing(false);
        unprobed.run(seq.jobs);
        rows.push_back(measure(seq, run, false, QStringLiteral("CostEstimator")));
        rows.back().probeRounds = run.probes().roundsRun();
        rows.back().probeMB = run.probes().probedMB();
        rows.back().probeComputeS = run.probes().probedComputeS();
        rows.push_back(measure(seq, unprobed, false, QStringLiteral("CostEstimator, no probing")));
        rows.push_back(measure(seq, run, true, QStringLiteral("EWMA (today)")));
    }
    QFile csv(dir + QStringLiteral("/estimator.csv"));
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "bench_estimator: cannot write %s\n", qPrintable(csv.fileName()));
        return 1;
    }
    csv.write("sequence,model,fixed_rel_error_median,rate_rel_error_median,regret_mean,"
              "regret_worst,probe_rounds,probe_mb,probe_compute_s\n");
    std::printf("| sequence | model | fixed error (median) | rate error (median) | regret mean | "
                "regret worst | probe rounds | probe MB | probe compute s |\n"
                "|---|---|---|---|---|---|---|---|---|\n");
    for (const Row &r : rows) {
        csv.write(QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                      .arg(r.sequence, r.model)
                      .arg(r.fixedError, 0, 'f', 4)
                      .arg(r.rateError, 0, 'f', 4)
                      .arg(r.meanRegret, 0, 'f', 4)
                      .arg(r.worstRegret, 0, 'f', 4)
                      .arg(r.probeRounds)
                      .arg(r.probeMB, 0, 'f', 1)
                      .arg(r.probeComputeS, 0, 'f', 1)
                      .toUtf8());
        std::printf("| %s | %s | %.1f%% | %.1f%% | %.3f | %.3f | %d | %.0f | %.0f |\n",
                    qPrintable(r.sequence), qPrintable(r.model), 100 * r.fixedError,
                    100 * r.rateError, r.meanRegret, r.worstRegret, r.probeRounds, r.probeMB,
                    r.probeComputeS);
    }
    drawChart(rows, dir + QStringLiteral("/estimator.png"));
    std::printf("Wrote %s/estimator.csv and estimator.png\n", qPrintable(dir));
    return 0;
}
