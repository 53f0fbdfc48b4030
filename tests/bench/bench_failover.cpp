// bench_failover: what losing a slave costs, measured on one machine (`make bench`).
//   1. Detection: a slave SIGKILLed (found by failed sends) and one SIGSTOPped (found by
//      missed heartbeats): time until the master's snapshot says DOWN. Then `starling restart`:
//      time until every slave is ACTIVE again.
//   2. A slave SIGKILLed a third of the way through `starling get --strategy bw` (4 slaves paced
//      to 25 MB/s): time against the bound for losing that slave there; the copy's SHA-256.
//   3. A slave SIGKILLed a third of the way through a blur job: makespan against the same job
//      undisturbed, and against the bound for losing it there; the result against one process.
//   4. MPI over TCP (what `starling up` uses, so a death costs one slave) against UCX's shared
//      memory: the master's relay and a job, alternating, medians.
// Prints a table, writes failover.csv and failover.png (the ratios) into OUTDIR.
#include "benchcluster.h"
#include "client/jobclient.h"
#include "client/masterrequest.h"
#include "cluster/statefile.h"
#include "failoverbench.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "image/stripkernel.h"
#include "sourcefile.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QtCharts>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>
#include <unistd.h>
#include <utility>

using namespace starling;

using namespace starling::bench::failover;

namespace {

constexpr double kLinkMBps = 25;
constexpr qint64 kFileBytes = qint64(256) << 20;

void detection(Bench &bench, bench::BenchCluster &cluster)
{
    Row crash("1", "crash (SIGKILL) -> DOWN exited", "s", "< 1 s");
    Row hang("1", "hang (SIGSTOP) -> DOWN no heartbeat", "s",
             "<= down_after_ms (2 s) + 1 heartbeat");
    Row restart("1", "starling restart -> all slaves ACTIVE", "s", "");
    for (int round = 0; round < bench.rounds; ++round) {
        std::fprintf(stderr, "detection round %d/%d\n", round + 1, bench.rounds);
        const QUrl master = cluster.masterUrl();
        const int victim = 2 + round % 4;
        const int sleeper = 2 + (round + 1) % 4;
        QElapsedTimer clock;
        clock.start();
        ::kill(pid_t(cluster.slavePid(victim - 2)), SIGKILL);
        if (const auto t = timeUntil(
                master, cluster.token(), victim,
                [](const QJsonObject &n) {
                    return n.value(u"state_reason").toString() == QLatin1String("exited");
                },
                clock, 10))
            crash.values.push_back(*t);
        clock.restart();
        const qint64 stopped = cluster.slavePid(sleeper - 2);
        ::kill(pid_t(stopped), SIGSTOP);
        if (const auto t = timeUntil(
                master, cluster.token(), sleeper,
                [](const QJsonObject &n) {
                    return n.value(u"state").toString() == QLatin1String("DOWN");
                },
                clock, 20))
            hang.values.push_back(*t);
        ::kill(pid_t(stopped), SIGCONT);
        clock.restart();
        if (const auto restarted = cluster.restart(); !restarted) {
            restart.note = restarted.error();
            break;
        }
        if (cluster.waitAllSlavesActive(60000))
            restart.values.push_back(seconds(clock));
    }
    bench.rows.push_back(crash);
    bench.rows.push_back(hang);
    bench.rows.push_back(restart);
}

// `starling get --json` with a hook on its progress lines; seconds to a verified copy.
void downloadCrash(Bench &bench, bench::BenchCluster &cluster, const bench::SourceFile &source)
{
    Row row("2", "get bw, slave killed at 1/3: time / bound", "x", "close to 1");
    Row plain("2", "get bw undisturbed: time / F/sum(b)", "x", "<= 1.10");
    const double allBps = 4 * kLinkMBps * 1e6;
    const QString out = QDir(bench.work).filePath(QStringLiteral("copy.bin"));
    int wrong = 0;
    for (int round = 0; round < bench.rounds; ++round) {
        std::fprintf(stderr, "download round %d/%d\n", round + 1, bench.rounds);
        if (const auto t = timedGet(bench, cluster.runDir(), source, out, [](double) {}))
            plain.values.push_back(*t / (double(source.size) / allBps));
        double killedAt = -1;
        const qint64 victim = cluster.slavePid(0);
        const auto t = timedGet(bench, cluster.runDir(), source, out, [&](double done) {
            if (killedAt < 0 && done >= 1.0 / 3 && done < 1) {
                ::kill(pid_t(victim), SIGKILL);
                killedAt = done;
            }
        });
        if (t && killedAt > 0) {
            const double bound = killedAt * double(source.size) / allBps +
                                 (1 - killedAt) * double(source.size) / (allBps * 3 / 4);
            row.values.push_back(*t / bound);
        } else {
            ++wrong;
        }
        if (!cluster.restart() || !cluster.waitAllSlavesActive(60000))
            break;
        cluster.warmUp(source.relativePath);
    }
    row.note =
        QStringLiteral("%1 of %2 copies correct").arg(bench.rounds - wrong).arg(bench.rounds);
    bench.rows.push_back(plain);
    bench.rows.push_back(row);
}

// A 2000 x 2000 grey noise image as the job's upload, and its blur computed in this process.
struct BlurJob
{
    QByteArray pgm;
    image::ImageBuffer expected;

    static BlurJob make(quint32 seed)
    {
        QRandomGenerator rng(seed);
        image::ImageBuffer input = image::ImageBuffer::allocate(2000, 2000, 1);
        for (char &c : input.pixels)
            c = char(rng.bounded(256));
        return {*image::encodeImage(input, image::ImageFormat::Pgm),
                *image::applyToImage(
                    *image::ImageOp::make(QStringLiteral("blur"), 2.0, std::nullopt), input)};
    }
};

struct JobRun
{
    double makespanS = 0;
    bool identical = false;
};

std::optional<JobRun> runJob(const bench::BenchCluster &cluster, const QByteArray &pgm,
                             const image::ImageBuffer &expected,
                             const std::function<void(double done)> &onProgress)
{
    client::JobClient client(cluster.masterUrl(), cluster.token(), 60000);
    // dynamic: every slave keeps asking for chunks, so one killed at a third still holds work.
    const auto id = client.submit(
        pgm, {{"op", "blur"}, {"sigma", "2"}, {"tasks", "120"}, {"strategy", "dynamic"}});
    if (!id)
        return std::nullopt;
    QElapsedTimer clock;
    clock.start();
    while (seconds(clock) < 300) {
        const auto status = client.status(*id);
        if (status && status->finished()) {
            if (status->state != QLatin1String("done"))
                return std::nullopt;
            const auto bytes = client.result(*id, image::ImageFormat::Pgm, qint64(1) << 30);
            const auto decoded = bytes ? image::decodeImage(*bytes, {})
                                       : Expected<image::ImageBuffer>(Error{bytes.error()});
            return JobRun{status->makespanS, decoded && *decoded == expected};
        }
        if (status && status->unitsTotal > 0)
            onProgress(double(status->unitsDone) / double(status->unitsTotal));
        QThread::msleep(20);
    }
    return std::nullopt;
}

void jobCrash(Bench &bench, bench::BenchCluster &cluster)
{
    Row row("3", "blur job, slave killed at 1/3: makespan / estimate", "x", "close to 1");
    Row cost("3", "blur job, slave killed at 1/3 / undisturbed", "x",
             "<= 4/3 (one of four slaves lost at 1/3)");
    const BlurJob blur = BlurJob::make(5);
    const QByteArray &pgm = blur.pgm;
    const image::ImageBuffer &expected = blur.expected;
    int identical = 0, runs = 0;
    for (int round = 0; round < bench.rounds; ++round) {
        std::fprintf(stderr, "job round %d/%d\n", round + 1, bench.rounds);
        const auto undisturbed = runJob(cluster, pgm, expected, [](double) {});
        double killedAt = -1;
        const qint64 victim = cluster.slavePid(1);
        const auto crashed = runJob(cluster, pgm, expected, [&](double done) {
            if (killedAt < 0 && done >= 1.0 / 3 && done < 1) {
                ::kill(pid_t(victim), SIGKILL);
                killedAt = done;
            }
        });
        runs += 2;
        identical += (undisturbed && undisturbed->identical) + (crashed && crashed->identical);
        if (undisturbed && crashed && killedAt > 0) {
            const double m0 = undisturbed->makespanS;
            cost.values.push_back(crashed->makespanS / m0);
            // An estimate, not a bound: with equal slaves the rest of the work at three quarters
            // of the speed (fixed costs per job do not scale, so a run can beat it).
            row.values.push_back(crashed->makespanS /
                                 (killedAt * m0 + (1 - killedAt) * m0 * 4 / 3));
        }
        if (!cluster.restart() || !cluster.waitAllSlavesActive(60000))
            break;
    }
    row.note = QStringLiteral("%1 of %2 results identical to one process").arg(identical).arg(runs);
    bench.rows.push_back(cost);
    bench.rows.push_back(row);
}

std::optional<double> timedRelay(const QUrl &master, const bench::SourceFile &source,
                                 const QString &out)
{
    QProcess curl;
    QElapsedTimer clock;
    clock.start();
    curl.start(QStringLiteral("curl"),
               {QStringLiteral("-sSf"), QStringLiteral("-o"), out,
                master.toString() + QStringLiteral("files/") + source.relativePath});
    if (!curl.waitForFinished(300000) || curl.exitCode() != 0)
        return std::nullopt;
    const double t = seconds(clock);
    const bool ok = source.verify(out).hasValue();
    QFile::remove(out);
    return ok ? std::optional(t) : std::nullopt;
}

void transports(Bench &bench, const QString &exportDir, const bench::SourceFile &source)
{
    Row relay("4", "relay 256 MiB: TCP time / shm time", "x", "measured, no goal");
    Row job("4", "blur job: TCP makespan / shm makespan", "x", "measured, no goal");
    const BlurJob blur = BlurJob::make(6);
    const QByteArray &pgm = blur.pgm;
    const image::ImageBuffer &expected = blur.expected;
    const QString out = QDir(bench.work).filePath(QStringLiteral("relay.bin"));
    for (int round = 0; round < bench.rounds; ++round) {
        std::map<QString, std::pair<double, double>> times; // transport -> (relay, job)
        for (const QString &transport : {QStringLiteral("tcp"), QStringLiteral("shm")}) {
            std::fprintf(stderr, "transport round %d/%d: %s\n", round + 1, bench.rounds,
                         qPrintable(transport));
            bench::BenchCluster cluster(
                bench.cli, QDir(bench.work).filePath(QStringLiteral("run-") + transport));
            if (!cluster.up(4, {}, exportDir, configPath(bench),
                            {QStringLiteral("--mpi-transport"), transport}) ||
                !cluster.waitAllSlavesActive(60000))
                continue;
            cluster.warmUp(source.relativePath);
            const auto r = timedRelay(cluster.masterUrl(), source, out);
            const auto j = runJob(cluster, pgm, expected, [](double) {});
            if (r && j && j->identical)
                times[transport] = {*r, j->makespanS};
        }
        if (times.size() == 2) {
            relay.values.push_back(times[QStringLiteral("tcp")].first /
                                   times[QStringLiteral("shm")].first);
            job.values.push_back(times[QStringLiteral("tcp")].second /
                                 times[QStringLiteral("shm")].second);
        }
    }
    bench.rows.push_back(relay);
    bench.rows.push_back(job);
}

// A cluster on `starling lab` (root): N hosts on one machine, links shaped by the kernel.
void report(const Bench &bench)
{
    std::printf("\n%-4s %-56s %10s  %-40s %s\n", "part", "measure", "median", "goal", "note");
    QFile csv(QDir(bench.outDir).filePath(QStringLiteral("failover.csv")));
    csv.open(QIODevice::WriteOnly | QIODevice::Truncate);
    csv.write("part,measure,unit,median,values,goal,note\n");
    for (const Row &row : bench.rows) {
        const auto m = row.median();
        std::printf("%-4s %-56s %9.3f%s  %-40s %s\n", qPrintable(row.part), qPrintable(row.what),
                    m.value_or(-1), qPrintable(row.unit), qPrintable(row.goal),
                    qPrintable(row.note));
        QStringList values;
        for (double v : row.values)
            values << QString::number(v, 'f', 4);
        csv.write(QStringLiteral("%1,\"%2\",%3,%4,%5,\"%6\",\"%7\"\n")
                      .arg(row.part, row.what, row.unit)
                      .arg(m.value_or(-1), 0, 'f', 4)
                      .arg(values.join(u' '), row.goal, row.note)
                      .toUtf8());
    }
}

void chart(const Bench &bench)
{
    auto *set = new QBarSet(QStringLiteral("median"));
    QStringList labels;
    for (const Row &row : bench.rows) {
        *set << row.median().value_or(0);
        labels << row.what.left(48);
    }
    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsFormat(QStringLiteral("@value"));
    series->setLabelsPrecision(3);
    auto *chart = new QChart; // the view owns it
    chart->addSeries(series);
    chart->setTitle(QStringLiteral("Losing a slave (bench_failover): seconds or ratios, medians"));
    auto *axisY = new QBarCategoryAxis;
    axisY->append(labels);
    chart->addAxis(axisY, Qt::AlignLeft);
    series->attachAxis(axisY);
    auto *axisX = new QValueAxis;
    chart->addAxis(axisX, Qt::AlignBottom);
    series->attachAxis(axisX);
    chart->legend()->hide();
    QChartView view(chart);
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(1100, 120 + 45 * int(bench.rows.size()));
    view.grab().save(QDir(bench.outDir).filePath(QStringLiteral("failover.png")));
}

// Parts 1-4 on one machine: a cluster of `starling up`, then MPI transports side by side.
int singleHost(Bench &bench, const QString &exportDir, const bench::SourceFile &source)
{
    {
        bench::BenchCluster cluster(bench.cli, QDir(bench.work).filePath(QStringLiteral("run")));
        if (const auto up = cluster.up(4, profilePath(bench), exportDir, configPath(bench)); !up) {
            std::fprintf(stderr, "bench_failover: %s\n", qPrintable(up.error()));
            return 1;
        }
        if (!cluster.waitAllSlavesActive(60000) || !cluster.warmUp(source.relativePath)) {
            std::fprintf(stderr, "bench_failover: the cluster did not come up\n");
            return 1;
        }
        detection(bench, cluster);
        downloadCrash(bench, cluster, source);
        jobCrash(bench, cluster);
    }
    transports(bench, exportDir, source);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3 || args.contains(QStringLiteral("--help"))) {
        std::fprintf(stderr, "usage: bench_failover STARLING_CLI OUTDIR [--rounds N] [--no-lab] "
                             "[--only-lab]\n");
        return 2;
    }
    Bench bench;
    bench.cli = args[1];
    bench.outDir = args[2];
    if (const qsizetype i = args.indexOf(QStringLiteral("--rounds")); i > 0 && i + 1 < args.size())
        bench.rounds = std::clamp(args[i + 1].toInt(), 1, 20);
    bench.work = QDir(bench.outDir).filePath(QStringLiteral("failover-work"));
    QDir(bench.work).removeRecursively();
    const QString exportDir = QDir(bench.work).filePath(QStringLiteral("export"));
    if (!QDir().mkpath(exportDir)) {
        std::fprintf(stderr, "bench_failover: cannot create %s\n", qPrintable(exportDir));
        return 1;
    }
    const auto source =
        bench::SourceFile::create(exportDir, QStringLiteral("big.bin"), kFileBytes, 3);
    if (!source) {
        std::fprintf(stderr, "bench_failover: %s\n", qPrintable(source.error()));
        return 1;
    }
    if (!args.contains(QStringLiteral("--only-lab"))) {
        if (const int failed = singleHost(bench, exportDir, *source); failed != 0)
            return failed;
    }
    if (::geteuid() == 0 && !args.contains(QStringLiteral("--no-lab"))) {
        labLinks(bench, exportDir, *source);
        labDetection(bench, exportDir);
    } else {
        std::fprintf(stderr, "bench_failover: the lab parts need root; skipped\n");
    }
    report(bench);
    chart(bench);
    QDir(bench.work).removeRecursively();
    std::printf("\nwrote %s and %s\n",
                qPrintable(QDir(bench.outDir).filePath(QStringLiteral("failover.csv"))),
                qPrintable(QDir(bench.outDir).filePath(QStringLiteral("failover.png"))));
    return 0;
}
