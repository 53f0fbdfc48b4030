// The file-transfer benchmark (make bench, issue 4). Four scenarios on one machine, every
// contender side by side in one run, alternating, medians of N runs (default 3):
//   1. unshaped loopback, 1 GiB in the page cache, 4 unpaced slaves: `starling get` vs curl from
//      nginx vs aria2c -x4 -s4 from nginx vs curl through the master's relay;
//   2. 4 slaves paced to 25 MB/s each, 256 MiB: `starling get` from 4 slaves vs from 1;
//   3. links of 40/20/10/5 MB/s, 256 MiB: --strategy equal vs bw vs optimal vs aria2c on the
//      Metalink, against the bound F / sum(b_i);
//   4. as 3 with bw, the fastest slave stopped (SIGSTOP) a third of the way through and
//      continued (SIGCONT) after the download.
// Every copy is checked (size and SHA-256) against the source; a wrong file is a failed run.
// Times run from process start to the file being complete *and on disk*: `starling get` fsyncs
// before it renames its part file, so the others' copies are fsynced right after they exit and
// that time is added (both figures are printed). Prints a table, writes transfer.csv,
// transfer-runs.csv and transfer.png into OUT_DIR.
// Usage: bench_transfer STARLING_CLI OUT_DIR [--runs N] [--scenarios 1,2,3,4] ...
#include "benchcluster.h"
#include "benchoptions.h"
#include "contendercommands.h"
#include "downloadrun.h"
#include "nginxserver.h"
#include "sourcefile.h"
#include "transferreport.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <linux/magic.h>
#include <optional>
#include <set>
#include <signal.h>
#include <sys/vfs.h>

using namespace starling;
using namespace starling::bench;

namespace {

volatile std::sig_atomic_t g_stop = 0;

void onSignal(int)
{
    g_stop = 1;
}

bool stopRequested()
{
    return g_stop != 0;
}

void quietOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type == QtWarningMsg && (text.contains(QLatin1String("propagateSizeHints")) ||
                                 text.contains(QLatin1String("XDG_RUNTIME_DIR"))))
        return;
    std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, text)));
}

struct Tools
{
    QString nginx, curl, aria2c;
};

// One contender of a scenario: how to run it into an output directory, and what to do around
// each run (scenario 4 stops and continues a slave).
struct Contender
{
    QString label;
    std::function<DownloadCommand(const QString &outputDir)> command;
    JsonLineHook hook;
    std::function<void(RunResult &)> afterRun;
};

// Shared state of the whole bench: the deadline and the progress counter.
struct Bench
{
    BenchOptions options;
    Tools tools;
    QString exportDir, downloadDir, workDir;
    QElapsedTimer clock;
    int runsDone = 0;

    bool overBudget() const { return clock.elapsed() > qint64(options.budgetS) * 1000; }
};

// Runs every contender options.runs times, round-robin, each round starting one contender
// later, so no contender always runs first (right after a cluster start, a cold cache...).
void runAlternating(Bench &bench, Scenario &scenario, std::vector<Contender> &contenders,
                    const SourceFile &source)
{
    for (const Contender &c : contenders)
        scenario.rows.push_back({c.label, {}, {}, -1});
    const size_t n = contenders.size();
    for (int round = 0; round < bench.options.runs; ++round) {
        for (size_t i = 0; i < n; ++i) {
            if (stopRequested() || bench.overBudget())
                return;
            const size_t k = (i + size_t(round)) % n;
            Contender &c = contenders[k];
            const QString outputDir = QDir(bench.downloadDir).filePath(QStringLiteral("run"));
            RunResult run = runDownload(c.command(outputDir), source,
                                        bench.options.runTimeoutS * 1000, stopRequested, c.hook);
            if (c.afterRun)
                c.afterRun(run);
            scenario.rows[k].runs.push_back(run);
            ++bench.runsDone;
            std::fprintf(
                stderr,
                "[run %2d, %4.0f s] %d. %-38s #%d: %6.2f s to exit, %6.2f s on "
                "disk, %7.1f MB/s  %s%s%s\n",
                bench.runsDone, double(bench.clock.elapsed()) / 1000, scenario.number,
                qPrintable(c.label), round + 1, run.exitSeconds, run.durableSeconds,
                run.durableSeconds > 0 ? double(source.size) / 1e6 / run.durableSeconds : 0.0,
                run.ok ? "ok" : "FAILED", run.note.isEmpty() ? "" : ": ", qPrintable(run.note));
        }
    }
}

QString findTool(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty()) // nginx lives in sbin, which a normal user's PATH may lack
        path = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    return path;
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        std::fprintf(stderr, "bench_transfer: cannot write %s: %s\n", qPrintable(path),
                     qPrintable(file.errorString()));
        return false;
    }
    return true;
}

QString profileFile(const Bench &bench, const QString &name, const std::vector<double> &links)
{
    QByteArray json = "{\"name\": \"" + name.toUtf8() + "\", \"slaves\": [";
    for (size_t i = 0; i < links.size(); ++i)
        json +=
            (i ? ", " : "") + QByteArray("{\"link_MBps\": ") + QByteArray::number(links[i]) + "}";
    json += "]}\n";
    const QString path = QDir(bench.workDir).filePath(name + QStringLiteral(".json"));
    return writeText(path, json) ? path : QString();
}

Expected<SourceFile> ensureSource(Bench &bench, std::optional<SourceFile> &slot,
                                  const QString &name, qint64 size, quint64 seed)
{
    if (slot)
        return *slot;
    std::fprintf(stderr, "bench_transfer: writing %s (%lld MiB) and reading it back once\n",
                 qPrintable(name), size >> 20);
    auto created = SourceFile::create(bench.exportDir, name, size, seed);
    if (created)
        slot = *created;
    return created;
}

// starling up, then one plan request so no timed run pays for hashing the file.
Expected<bool> startCluster(const Bench &bench, BenchCluster &cluster, int slaves,
                            const QString &profile, const QString &config, const SourceFile &source)
{
    if (auto up = cluster.up(slaves, profile, bench.exportDir, config); !up)
        return up;
    return cluster.warmUp(source.relativePath);
}

// Copies in memory (tmpfs) are not flushed, so the client's CPU decides, and the goal
// there is 0.9x curl+nginx (curl does not hash); on a disk it is 1.0x.
bool inMemory(const QString &dir)
{
    struct statfs info;
    return ::statfs(QFile::encodeName(dir).constData(), &info) == 0 && info.f_type == TMPFS_MAGIC;
}

Scenario unshaped(Bench &bench, const SourceFile &source, const QString &config)
{
    Scenario s{1,
               QStringLiteral("Unshaped loopback: %1 MiB in the page cache, 4 unpaced slaves")
                   .arg(source.size >> 20),
               source.size,
               QStringLiteral("vs curl+nginx"),
               {},
               {},
               {},
               {}};
    NginxServer nginx;
    const QString prefix = QDir(bench.workDir).filePath(QStringLiteral("nginx"));
    QDir().mkpath(prefix);
    if (auto started = nginx.start(bench.tools.nginx, bench.exportDir, prefix); !started) {
        s.skipped = started.error();
        return s;
    }
    BenchCluster cluster(bench.options.cli, QDir(bench.workDir).filePath(QStringLiteral("run-1")));
    if (auto up = startCluster(bench, cluster, 4, {}, config, source); !up) {
        s.skipped = up.error();
        return s;
    }
    const QString get = QStringLiteral("starling get --strategy equal");
    const QString curl = QStringLiteral("curl + nginx");
    const QString aria = QStringLiteral("aria2c -x4 -s4 + nginx");
    const QString relay = QStringLiteral("curl via the master's relay");
    std::vector<Contender> contenders{
        {get,
         [&](const QString &out) {
             return starlingGetCommand(bench.options.cli, cluster.runDir(), source,
                                       QStringLiteral("equal"), out);
         },
         {},
         {}},
        {curl,
         [&](const QString &out) {
             return curlCommand(bench.tools.curl, fileUrl(nginx.url(), source), out);
         },
         {},
         {}},
        {aria,
         [&](const QString &out) {
             return aria2Command(bench.tools.aria2c,
                                 {QStringLiteral("-x4"), QStringLiteral("-s4"),
                                  fileUrl(nginx.url(), source).toString()},
                                 out, QStringLiteral("download.bin"));
         },
         {},
         {}},
        {relay,
         [&](const QString &out) {
             return curlCommand(bench.tools.curl, relayUrl(cluster.masterUrl(), source), out);
         },
         {},
         {}},
    };
    runAlternating(bench, s, contenders, source);

    const auto base = s.row(curl)->medianDurable();
    for (ContenderRow &row : s.rows) {
        const auto t = row.medianDurable();
        row.ratio = base && t ? *base / *t : -1; // > 1 = faster than curl+nginx
    }
    const auto tGet = s.row(get)->medianDurable(), tRelay = s.row(relay)->medianDurable();
    const bool tmpfs = inMemory(bench.downloadDir);
    s.goals.push_back({tmpfs ? QStringLiteral("starling get vs curl+nginx, copies on tmpfs")
                             : QStringLiteral("starling get vs curl+nginx (speed ratio)"),
                       base && tGet ? std::optional(*base / *tGet) : std::nullopt,
                       tmpfs ? 0.9 : 1.0});
    s.goals.push_back({QStringLiteral("relay vs starling get (speed ratio)"),
                       tGet && tRelay ? std::optional(*tGet / *tRelay) : std::nullopt, 0.5});
    return s;
}

Scenario pacedSpeedup(Bench &bench, const SourceFile &source, const QString &config)
{
    const double link = 25;
    Scenario s{2,
               QStringLiteral("Paced links: 4 slaves at %1 MB/s vs 1 slave, %2 MiB")
                   .arg(link)
                   .arg(source.size >> 20),
               source.size,
               QStringLiteral("speedup vs 1 slave"),
               {},
               {},
               {},
               {}};
    const QString four = profileFile(bench, QStringLiteral("paced-4x25"), {link, link, link, link});
    const QString one = profileFile(bench, QStringLiteral("paced-1x25"), {link});
    // Two clusters side by side: the one-slave case does not depend on drain semantics, and
    // alternating costs no restart.
    BenchCluster cluster4(bench.options.cli,
                          QDir(bench.workDir).filePath(QStringLiteral("run-2a")));
    BenchCluster cluster1(bench.options.cli,
                          QDir(bench.workDir).filePath(QStringLiteral("run-2b")));
    if (auto up = startCluster(bench, cluster4, 4, four, config, source); !up) {
        s.skipped = up.error();
        return s;
    }
    if (auto up = startCluster(bench, cluster1, 1, one, config, source); !up) {
        s.skipped = up.error();
        return s;
    }
    const QString label4 = QStringLiteral("starling get, 4 slaves (bw)");
    const QString label1 = QStringLiteral("starling get, 1 slave (bw)");
    std::vector<Contender> contenders{
        {label4,
         [&](const QString &out) {
             return starlingGetCommand(bench.options.cli, cluster4.runDir(), source,
                                       QStringLiteral("bw"), out);
         },
         {},
         {}},
        {label1,
         [&](const QString &out) {
             return starlingGetCommand(bench.options.cli, cluster1.runDir(), source,
                                       QStringLiteral("bw"), out);
         },
         {},
         {}},
    };
    runAlternating(bench, s, contenders, source);

    const auto t1 = s.row(label1)->medianDurable(), t4 = s.row(label4)->medianDurable();
    s.row(label1)->ratio = t1 ? 1.0 : -1;
    s.row(label4)->ratio = t1 && t4 ? *t1 / *t4 : -1;
    s.row(label4)->ratioNote = QStringLiteral("%1 of sum(b_i) = %2 MB/s")
                                   .arg(s.row(label4)->mbps(s.bytes) / (4 * link), 0, 'f', 2)
                                   .arg(4 * link);
    s.row(label1)->ratioNote = QStringLiteral("%1 of sum(b_i) = %2 MB/s")
                                   .arg(s.row(label1)->mbps(s.bytes) / link, 0, 'f', 2)
                                   .arg(link);
    s.references.push_back(
        {QStringLiteral("bound F / sum(b_i), 4 slaves"), double(s.bytes) / (4 * link * 1e6)});
    s.goals.push_back({QStringLiteral("speedup 4 slaves vs 1"),
                       t1 && t4 ? std::optional(*t1 / *t4) : std::nullopt, 3.6});
    return s;
}

// Scenarios 3 and 4 share one cluster with links 40/20/10/5 MB/s.
std::vector<Scenario> heterogeneous(Bench &bench, const SourceFile &source, const QString &config,
                                    bool runStrategies, bool runStopped)
{
    const std::vector<double> links{40, 20, 10, 5};
    double sum = 0;
    for (double b : links)
        sum += b;
    const double bound = double(source.size) / (sum * 1e6);
    Scenario s3{
        3,
        QStringLiteral("Heterogeneous links 40/20/10/5 MB/s, %1 MiB").arg(source.size >> 20),
        source.size,
        QStringLiteral("time / bound F/sum(b_i)"),
        {},
        {},
        {},
        {}};
    Scenario s4{
        4,
        QStringLiteral("As 3, bw; the 40 MB/s slave SIGSTOPped once 1/3 is done, SIGCONT after"),
        source.size,
        QStringLiteral("time / undisturbed bw (3)"),
        {},
        {},
        {},
        {}};
    const QString profile = profileFile(bench, QStringLiteral("links-40-20-10-5"), links);
    BenchCluster cluster(bench.options.cli, QDir(bench.workDir).filePath(QStringLiteral("run-3")));
    if (auto up = startCluster(bench, cluster, int(links.size()), profile, config, source); !up) {
        s3.skipped = s4.skipped = up.error();
        return {s3, s4};
    }
    if (runStrategies) {
        std::vector<Contender> contenders;
        for (const char *strategy : {"equal", "bw", "optimal"}) {
            const QString name = QString::fromLatin1(strategy);
            contenders.push_back({QStringLiteral("starling get --strategy %1").arg(name),
                                  [&bench, &cluster, &source, name](const QString &out) {
                                      return starlingGetCommand(bench.options.cli, cluster.runDir(),
                                                                source, name, out);
                                  },
                                  {},
                                  {}});
        }
        contenders.push_back(
            {QStringLiteral("aria2c on the Metalink (-s4)"),
             [&](const QString &out) {
                 // Four connections (-s4), at most one per mirror (-x1), so all four mirrors
                 // are used; splits down to 1 MiB so idle connections can take over the slow
                 // mirrors' remaining pieces.
                 return aria2Command(
                     bench.tools.aria2c,
                     {QStringLiteral("--follow-metalink=mem"), QStringLiteral("-s4"),
                      QStringLiteral("-x1"), QStringLiteral("-k1M"),
                      relayUrl(cluster.masterUrl(), source, QStringLiteral(".meta4")).toString()},
                     out, {});
             },
             {},
             {}});
        runAlternating(bench, s3, contenders, source);
        for (ContenderRow &row : s3.rows) {
            const auto t = row.medianDurable();
            row.ratio = t ? *t / bound : -1;
        }
        s3.references.push_back({QStringLiteral("bound F / sum(b_i)"), bound});
        const auto tEqual =
            s3.row(QStringLiteral("starling get --strategy equal"))->medianDurable();
        const auto tBw = s3.row(QStringLiteral("starling get --strategy bw"))->medianDurable();
        const auto tOptimal =
            s3.row(QStringLiteral("starling get --strategy optimal"))->medianDurable();
        s3.goals.push_back({QStringLiteral("bw time / bound"),
                            tBw ? std::optional(*tBw / bound) : std::nullopt, 1.10, false});
        s3.goals.push_back({QStringLiteral("optimal time / bound"),
                            tOptimal ? std::optional(*tOptimal / bound) : std::nullopt, 1.10,
                            false});
        s3.goals.push_back({QStringLiteral("bw speed vs equal"),
                            tEqual && tBw ? std::optional(*tEqual / *tBw) : std::nullopt, 2.0});
    } else {
        s3.skipped = QStringLiteral("not selected (--scenarios)");
    }

    if (runStopped) {
        if (!cluster.waitAllSlavesActive(30000)) {
            s4.skipped = QStringLiteral("the slaves were not all ACTIVE within 30 s");
            return {s3, s4};
        }
        const qint64 victim = cluster.slavePid(0); // profile entry 0: the 40 MB/s link
        bool stopped = false;
        double stoppedAt = 0;
        int reassignments = -1;
        std::vector<double> fractions; // where each run's stop happened
        const auto resume = [&] {
            if (stopped)
                ::kill(pid_t(victim), SIGCONT);
            stopped = false;
        };
        std::vector<Contender> contenders{
            {QStringLiteral("starling get --strategy bw, slave stopped"),
             [&](const QString &out) {
                 return starlingGetCommand(bench.options.cli, cluster.runDir(), source,
                                           QStringLiteral("bw"), out);
             },
             [&](qint64, const QJsonObject &line) {
                 if (line.value(QLatin1String("type")).toString() == QLatin1String("summary"))
                     reassignments = line.value(QLatin1String("reassignments")).toInt(-1);
                 const double done = line.value(QLatin1String("bytes_done")).toDouble();
                 const double total = line.value(QLatin1String("bytes_total")).toDouble();
                 if (!stopped && victim > 0 && total > 0 && done >= total / 3 && done < total) {
                     stopped = ::kill(pid_t(victim), SIGSTOP) == 0;
                     stoppedAt = done / total;
                     if (stopped)
                         fractions.push_back(stoppedAt);
                 }
             },
             [&](RunResult &run) {
                 const bool wasStopped = stopped;
                 resume();
                 if (!wasStopped) {
                     run.ok = false;
                     run.note = QStringLiteral(
                         "the slave was never stopped (no progress line between 1/3 and the end)");
                 } else if (run.note.isEmpty()) {
                     run.note = QStringLiteral("slave-2 stopped at %1% of the file, %2 blocks "
                                               "reassigned")
                                    .arg(stoppedAt * 100, 0, 'f', 0)
                                    .arg(reassignments);
                 }
                 reassignments = -1;
                 // The next run starts from a whole cluster again.
                 if (!cluster.waitAllSlavesActive(30000))
                     run.note += QStringLiteral("; slave-2 not ACTIVE again within 30 s");
             }}};
        runAlternating(bench, s4, contenders, source);
        resume();
        const auto undisturbed =
            s3.skipped.isEmpty()
                ? s3.row(QStringLiteral("starling get --strategy bw"))->medianDurable()
                : std::nullopt;
        const auto t = s4.rows.front().medianDurable();
        s4.rows.front().ratio = undisturbed && t ? *t / *undisturbed : -1;
        // With the slave gone from fraction f on (progress lines come every 500 ms, so f is a
        // little past 1/3), no client beats f*F at sum(b) plus (1-f)*F at the others' sum.
        std::sort(fractions.begin(), fractions.end());
        const double f = fractions.empty() ? 1.0 / 3 : fractions[fractions.size() / 2];
        const double lostBound = f * double(source.size) / (sum * 1e6) +
                                 (1 - f) * double(source.size) / ((sum - links[0]) * 1e6);
        s4.references.push_back(
            {QStringLiteral("bound, slave gone from %1% on").arg(f * 100, 0, 'f', 0), lostBound});
        s4.goals.push_back(
            {QStringLiteral("runs with a correct file (of %1)").arg(s4.rows.front().runs.size()),
             double(s4.rows.front().okRuns()), double(s4.rows.front().runs.size()), true,
             QString()});
    } else {
        s4.skipped = QStringLiteral("not selected (--scenarios)");
    }
    return {s3, s4};
}

} // namespace

int main(int argc, char **argv)
{
    // Qt Charts render offscreen, so the bench needs no display. Qt gets only the program name;
    // every argument is the bench's own.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quietOffscreenNoise);
    int qtArgc = 1;
    QApplication app(qtArgc, argv);
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const auto parsed = BenchOptions::parse(arguments);
    if (!parsed) {
        std::fprintf(stderr,
                     "bench_transfer: %s\nusage: bench_transfer STARLING_CLI OUT_DIR "
                     "[options] (--help)\n",
                     qPrintable(parsed.error()));
        return 2;
    }
    if (!parsed->helpText.isEmpty()) {
        std::fputs(qPrintable(parsed->helpText), stdout);
        return 0;
    }

    Bench bench;
    bench.options = *parsed;
    bench.clock.start();
    const std::set<int> &want = bench.options.scenarios;
    bench.tools = {findTool(QStringLiteral("nginx")), findTool(QStringLiteral("curl")),
                   findTool(QStringLiteral("aria2c"))};
    const auto need = [&](const QString &path, const char *what, const char *package) {
        if (path.isEmpty())
            std::fprintf(stderr,
                         "bench_transfer: %s not found; install the Debian package %s "
                         "(make bench does)\n",
                         what, package);
        return !path.isEmpty();
    };
    if ((want.count(1) &&
         (!need(bench.tools.nginx, "nginx", "nginx") || !need(bench.tools.curl, "curl", "curl"))) ||
        ((want.count(1) || want.count(3)) && !need(bench.tools.aria2c, "aria2c", "aria2")))
        return 2;
    if (!QFileInfo(bench.options.cli).isExecutable()) {
        std::fprintf(stderr, "bench_transfer: %s is not an executable starling CLI\n",
                     qPrintable(bench.options.cli));
        return 2;
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    QDir().mkpath(bench.options.outDir);
    // Under OUT_DIR, so the copies land on the same filesystem as the build, as a user's would.
    QTemporaryDir work(
        QDir(bench.options.outDir).absoluteFilePath(QStringLiteral("transfer-XXXXXX")));
    if (!work.isValid()) {
        std::fprintf(stderr, "bench_transfer: cannot create a directory in %s\n",
                     qPrintable(bench.options.outDir));
        return 1;
    }
    bench.workDir = work.path();
    bench.exportDir = work.filePath(QStringLiteral("export"));
    QDir().mkpath(bench.exportDir);
    QTemporaryDir downloads(
        QDir(bench.options.downloadDir.isEmpty() ? work.path() : bench.options.downloadDir)
            .absoluteFilePath(QStringLiteral("copies-XXXXXX")));
    if (!downloads.isValid()) {
        std::fprintf(stderr, "bench_transfer: cannot create a download directory\n");
        return 1;
    }
    bench.downloadDir = downloads.path();
    const QString config = work.filePath(QStringLiteral("config.json"));
    if (!writeText(config, "{\"bind_host\": \"127.0.0.1\", \"master_port\": 0, \"bridge_port\": 0, "
                           "\"metrics_port\": 0, \"data_port_base\": 0}\n"))
        return 1;

    std::vector<Scenario> scenarios;
    std::optional<SourceFile> big, paced;
    if (want.count(1)) {
        auto source =
            ensureSource(bench, big, QStringLiteral("big.bin"), bench.options.bigBytes, 1);
        if (!source) {
            std::fprintf(stderr, "bench_transfer: %s\n", qPrintable(source.error()));
            return 1;
        }
        scenarios.push_back(unshaped(bench, *source, config));
    }
    if (!stopRequested() && (want.count(2) || want.count(3) || want.count(4))) {
        auto source =
            ensureSource(bench, paced, QStringLiteral("paced.bin"), bench.options.pacedBytes, 2);
        if (!source) {
            std::fprintf(stderr, "bench_transfer: %s\n", qPrintable(source.error()));
            return 1;
        }
        if (want.count(2))
            scenarios.push_back(pacedSpeedup(bench, *source, config));
        if (!stopRequested() && (want.count(3) || want.count(4))) {
            for (Scenario &s :
                 heterogeneous(bench, *source, config, want.count(3), want.count(4))) {
                if (want.count(s.number))
                    scenarios.push_back(std::move(s));
            }
        }
    }

    const QString header =
        QStringLiteral(
            "Starling file-transfer benchmark, %1, one machine (%2 cores): medians of %3 "
            "run(s), contenders alternating; times from process start to the file "
            "complete and fsynced (\"on disk\"); 1 MB = 10^6 bytes. Total %4 s.")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd")))
            .arg(QThread::idealThreadCount())
            .arg(bench.options.runs)
            .arg(double(bench.clock.elapsed()) / 1000, 0, 'f', 0);
    const QString report = formatReport(scenarios, header);
    std::printf("\n%s", qPrintable(report));
    const QDir out(bench.options.outDir);
    bool written = writeText(out.filePath(QStringLiteral("transfer.csv")), summaryCsv(scenarios)) &&
                   writeText(out.filePath(QStringLiteral("transfer-runs.csv")), runsCsv(scenarios));
    if (const QString error =
            writeChartPng(scenarios, out.filePath(QStringLiteral("transfer.png")));
        !error.isEmpty()) {
        std::fprintf(stderr, "bench_transfer: %s\n", qPrintable(error));
        written = false;
    }
    if (written)
        std::printf("Wrote %s, transfer-runs.csv and transfer.png\n",
                    qPrintable(out.filePath(QStringLiteral("transfer.csv"))));
    if (stopRequested()) {
        std::fprintf(stderr, "bench_transfer: interrupted; the table has the runs done so far\n");
        return 130;
    }
    return written ? 0 : 1;
}
