// The console under load (issue 6): a fake monitor feeds `starling-console` 64 slaves at 4
// snapshots a second after a backlog of one hour of history, on a real X server (Xvfb) when
// there is one. Measured on the console process: CPU (per minute, % of one core), resident
// memory over the whole run (bounded?), and how long after the monitor published a snapshot
// the node table was painted with it (the console's --latency-log). With --prefill there is no
// backlog: the fake monitor holds an hour of history (one sample a second per slave, what the
// monitor keeps by default) and answers the console's `history_page` requests, and the bench
// also measures the time from launching the console to its charts holding the whole hour.
//   bench_console STARLING_CONSOLE OUT_DIR [--minutes M] [--slaves N] [--hz H] [--prefill]
#include "../fakeclustersource.h"
#include "../fakemonitor.h"
#include "charts/pngexport.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLineSeries>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace starling;

namespace {

struct ProcSample
{
    double cpuS = 0; // user + system seconds so far
    double rssMiB = 0;
};

ProcSample sampleProcess(qint64 pid)
{
    ProcSample s;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 13)
            s.cpuS = double(f[11].toLongLong() + f[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &l : status.readAll().split('\n')) {
            if (l.startsWith("VmRSS:"))
                s.rssMiB = l.mid(6).trimmed().split(' ').first().toDouble() / 1024;
        }
    }
    return s;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

QString chartPng(const QString &path, const std::vector<std::array<double, 3>> &samples)
{
    auto *chart = new QChart;
    chart->setTitle(QStringLiteral("starling-console under a 64-slave feed at 4 Hz"));
    auto *cpu = new QLineSeries;
    cpu->setName(QStringLiteral("CPU, % of one core (per 10 s)"));
    auto *rss = new QLineSeries;
    rss->setName(QStringLiteral("resident memory, MiB"));
    double maxCpu = 30, maxRss = 100;
    for (const auto &s : samples) {
        cpu->append(s[0] / 60, s[1]);
        rss->append(s[0] / 60, s[2]);
        maxCpu = std::max(maxCpu, s[1] * 1.2);
        maxRss = std::max(maxRss, s[2] * 1.2);
    }
    chart->addSeries(cpu);
    chart->addSeries(rss);
    auto *x = new QValueAxis;
    x->setTitleText(QStringLiteral("minutes of the live feed"));
    const double minutes = samples.empty() ? 1 : std::ceil(samples.back()[0] / 60);
    x->setRange(0, minutes);
    x->setTickCount(int(std::min(11.0, minutes + 1)));
    x->setLabelFormat(QStringLiteral("%g"));
    auto *yCpu = new QValueAxis;
    yCpu->setRange(0, maxCpu);
    yCpu->setTitleText(QStringLiteral("CPU %"));
    auto *yRss = new QValueAxis;
    yRss->setRange(0, maxRss);
    yRss->setTitleText(QStringLiteral("MiB"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(yCpu, Qt::AlignLeft);
    chart->addAxis(yRss, Qt::AlignRight);
    cpu->attachAxis(x);
    cpu->attachAxis(yCpu);
    rss->attachAxis(x);
    rss->attachAxis(yRss);
    QChartView view(chart);
    view.setRenderHint(QPainter::Antialiasing);
    return ui::saveWidgetPng(&view, {1000, 500}, path);
}

} // namespace

int main(int argc, char **argv)
{
    // The bench itself draws its chart offscreen; the console gets the X server, if any.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: bench_console STARLING_CONSOLE OUT_DIR [--minutes M] "
                             "[--slaves N] [--hz H] [--prefill]\n");
        return 2;
    }
    const auto option = [&](const char *name, double fallback, double lo, double hi) {
        const qsizetype at = args.indexOf(QLatin1String(name));
        return at > 0 && at + 1 < args.size() ? std::clamp(args[at + 1].toDouble(), lo, hi)
                                              : fallback;
    };
    const QString consoleBin = args[1], outDir = args[2];
    const double minutes = option("--minutes", 10, 0.5, 120);
    const int slaves = int(option("--slaves", 64, 1, 512));
    const double hz = option("--hz", 4, 0.5, 20);
    const qint64 periodMs = qint64(1000 / hz);
    const bool prefill = args.contains(QLatin1String("--prefill"));
    QDir().mkpath(outDir);
    QTemporaryDir tmp;
    const QByteArray token = QByteArray(64, 'e');
    const QString tokenFile = tmp.filePath(QStringLiteral("token"));
    const QString latencyLog = tmp.filePath(QStringLiteral("latency.log"));
    {
        QFile f(tokenFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(token) != token.size()) {
            std::fprintf(stderr, "bench_console: cannot write %s\n", qPrintable(tokenFile));
            return 1;
        }
    }
    testing::FakeMonitor monitor(token);
    if (!monitor.listen()) {
        std::fprintf(stderr, "bench_console: cannot listen on 127.0.0.1\n");
        return 1;
    }

    // A real X server where there is one to start; offscreen otherwise (and said so).
    QProcess xvfb;
    QString display;
    const QString xvfbBin = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
    if (!xvfbBin.isEmpty()) {
        xvfb.start(xvfbBin,
                   {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"),
                    QStringLiteral("0"), QStringLiteral("1600x1000x24"),
                    QStringLiteral("-nolisten"), QStringLiteral("tcp")});
        if (xvfb.waitForReadyRead(10000))
            display = QStringLiteral(":") + QString::fromLatin1(xvfb.readLine().trimmed());
    }
    constexpr qint64 kHourMs = 3'600'000;
    if (prefill)
        monitor.setHistory(
            testing::syntheticHistory(slaves, QDateTime::currentMSecsSinceEpoch(), kHourMs, 1000));
    QProcess console;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!display.isEmpty()) {
        env.insert(QStringLiteral("DISPLAY"), display);
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    } else {
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    }
    // Its own settings: an operator's saved layout would change what is measured, and the
    // benchmark's must not replace it.
    QTemporaryDir config;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    console.setProcessEnvironment(env);
    console.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const qint64 launchMs = QDateTime::currentMSecsSinceEpoch();
    console.start(consoleBin,
                  {QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(monitor.port()),
                   QStringLiteral("--token-file"), tokenFile, QStringLiteral("--latency-log"),
                   latencyLog});
    const auto cleanup = [&] {
        console.terminate();
        if (!console.waitForFinished(5000)) {
            console.kill();
            console.waitForFinished(5000);
        }
        if (xvfb.state() != QProcess::NotRunning) {
            xvfb.terminate();
            xvfb.waitForFinished(5000);
        }
    };
    QElapsedTimer wait;
    wait.start();
    while (monitor.welcomedCount() < 1 && wait.elapsed() < 30000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (monitor.welcomedCount() < 1) {
        std::fprintf(stderr, "bench_console: the console did not connect within 30 s\n");
        cleanup();
        return 1;
    }
    const qint64 pid = console.processId();

    // One hour of history, as fast as the console takes it (or fetched by it, with --prefill).
    const qint64 backlog = prefill ? 0 : qint64(3600 * hz);
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - backlog * periodMs;
    QElapsedTimer clock;
    clock.start();
    const bool tty = isatty(STDERR_FILENO) == 1;
    for (qint64 seq = 1; seq <= backlog; ++seq) {
        monitor.sendSnapshot(testing::fakeSnapshot(slaves, seq, start + seq * periodMs).toJson());
        while (monitor.pendingBytes() > (4 << 20))
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        if (tty && seq % 200 == 0)
            std::fprintf(stderr, "\rbench_console: backlog %3lld%%", seq * 100 / backlog);
    }
    while (monitor.pendingBytes() > 0 && clock.elapsed() < 600000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    const double backlogS = double(clock.elapsed()) / 1000;
    if (!prefill)
        std::fprintf(stderr,
                     "%sbench_console: 1 h backlog (%lld snapshots of %d slaves) sent in "
                     "%.1f s\n",
                     tty ? "\r" : "", backlog, slaves, backlogS);

    // The live feed.
    std::vector<std::array<double, 3>> samples; // t_s, cpu % (last 10 s), rss MiB
    std::vector<double> minuteCpu;
    ProcSample last = sampleProcess(pid), minuteStart = last;
    qint64 seq = backlog;
    clock.restart();
    qint64 nextSend = 0, nextSample = 10000, nextMinute = 60000;
    const qint64 total = qint64(minutes * 60000);
    const double liveStartRss = last.rssMiB;
    while (clock.elapsed() < total && console.state() == QProcess::Running) {
        const qint64 now = clock.elapsed();
        if (now >= nextSend) {
            ++seq;
            monitor.sendSnapshot(
                testing::fakeSnapshot(slaves, seq, QDateTime::currentMSecsSinceEpoch()).toJson());
            nextSend += periodMs;
        }
        if (now >= nextSample) {
            const ProcSample s = sampleProcess(pid);
            samples.push_back({double(now) / 1000, (s.cpuS - last.cpuS) / 10 * 100, s.rssMiB});
            last = s;
            nextSample += 10000;
            if (tty)
                std::fprintf(stderr, "\rbench_console: live %3lld%%, CPU %5.1f%%, RSS %6.1f MiB ",
                             now * 100 / total, samples.back()[1], s.rssMiB);
        }
        if (now >= nextMinute) {
            const ProcSample s = sampleProcess(pid);
            minuteCpu.push_back((s.cpuS - minuteStart.cpuS) / 60 * 100);
            minuteStart = s;
            nextMinute += 60000;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(2); // the feed's own pacing; nothing waits on a condition here
    }
    const bool alive = console.state() == QProcess::Running;
    cleanup();
    if (tty)
        std::fprintf(stderr, "\n");

    // What the console painted, live snapshots only.
    std::vector<double> latency;
    QFile log(latencyLog);
    qint64 hourShownMs = -1; // launch to the first "history" line spanning the hour
    if (log.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : log.readAll().split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.size() == 4 && f[0] == "history" && hourShownMs < 0 &&
                f[2].toLongLong() - f[1].toLongLong() >= kHourMs - 1000)
                hourShownMs = f[3].toLongLong() - launchMs;
            if (f.size() == 3 && f[0].toLongLong() > backlog)
                latency.push_back(double(f[2].toLongLong() - f[1].toLongLong()));
        }
    }
    const qint64 sent = seq - backlog;
    const double within = latency.empty()
                              ? 0
                              : double(std::count_if(latency.begin(), latency.end(),
                                                     [](double ms) { return ms <= 250; })) /
                                    double(latency.size());
    // Runs shorter than a minute have one window: the whole live feed.
    if (minuteCpu.empty() && clock.elapsed() > 0)
        minuteCpu.push_back((last.cpuS - minuteStart.cpuS) / (double(clock.elapsed()) / 1000) *
                            100);
    const double medianCpu = percentile(minuteCpu, 0.5);
    const double maxCpu =
        minuteCpu.empty() ? 0 : *std::max_element(minuteCpu.begin(), minuteCpu.end());
    double rssAt2 = liveStartRss, rssMax = 0, rssEnd = samples.empty() ? 0 : samples.back()[2];
    for (const auto &s : samples) {
        if (s[0] <= 120)
            rssAt2 = s[2];
        rssMax = std::max(rssMax, s[2]);
    }

    std::printf("\nStarling console benchmark, %s: %d fake slaves at %.0f snapshots/s %s, "
                "%.0f min live, %s; medians over 1-min windows\n\n",
                qPrintable(QDate::currentDate().toString(Qt::ISODate)), slaves, hz,
                prefill ? "with 1 h of history fetched on connect (prefill)"
                        : "after 1 h of history as a snapshot backlog",
                minutes, display.isEmpty() ? "offscreen (no Xvfb found)" : "on Xvfb");
    std::printf("   measure                                              value\n");
    if (prefill)
        std::printf("   launch to a full hour on the charts                  %.2f s\n",
                    double(hourShownMs) / 1000);
    else
        std::printf("   1 h backlog taken in                                 %.1f s\n", backlogS);
    std::printf("   console CPU, %% of one core, median (max) per minute %.1f%% (%.1f%%)\n",
                medianCpu, maxCpu);
    std::printf("   live snapshots sent / painted                        %lld / %zu\n", sent,
                latency.size());
    std::printf("   publish-to-paint latency, median / p99 / max         %.0f / %.0f / %.0f ms\n",
                percentile(latency, 0.5), percentile(latency, 0.99),
                latency.empty() ? 0.0 : *std::max_element(latency.begin(), latency.end()));
    std::printf(
        "   resident memory: live start / 2 min / max / end      %.0f / %.0f / %.0f / %.0f MiB\n",
        liveStartRss, rssAt2, rssMax, rssEnd);
    const bool cpuOk = medianCpu < 25;
    const bool latencyOk = within >= 0.95;
    const bool memoryOk = rssAt2 > 0 && rssEnd <= rssAt2 * 1.10;
    std::printf("   goal: console CPU < 25%% of one core (median)      %.1f%%  [%s]\n", medianCpu,
                cpuOk ? "MET" : "MISSED");
    std::printf("   goal: snapshots on screen within 250 ms           %.1f%% of them  [%s]\n",
                within * 100, latencyOk ? "MET" : "MISSED");
    std::printf("   goal: memory bounded (end <= 1.10 x at 2 min)      %.2fx  [%s]\n",
                rssAt2 > 0 ? rssEnd / rssAt2 : 0.0, memoryOk ? "MET" : "MISSED");
    if (prefill)
        std::printf("   goal: a full hour on screen < 2 s after launch    %s  [%s]\n",
                    hourShownMs < 0 ? "never"
                                    : qPrintable(QStringLiteral("%1 s").arg(
                                          double(hourShownMs) / 1000, 0, 'f', 2)),
                    hourShownMs >= 0 && hourShownMs < 2000 ? "MET" : "MISSED");
    if (!alive)
        std::printf("   the console exited during the run!\n");

    QFile csv(QDir(outDir).filePath(QStringLiteral("console.csv")));
    if (csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        QTextStream out(&csv);
        out << "t_s,cpu_percent_10s,rss_mib\n";
        for (const auto &s : samples)
            out << s[0] << ',' << s[1] << ',' << s[2] << '\n';
    }
    const QString error = chartPng(QDir(outDir).filePath(QStringLiteral("console.png")), samples);
    if (!error.isEmpty())
        std::fprintf(stderr, "bench_console: %s\n", qPrintable(error));
    std::printf("\nWrote %s/console.csv and console.png\n", qPrintable(outDir));
    return alive ? 0 : 1;
}
