// The runtime benchmark (make bench): starts a 1 master + 1 monitor + 4 slave cluster with the
// default config and measures
//   1. the total CPU of the idle cluster (every rank plus mpiexec and its proxies) over 30 s,
//   2. how old a slave's sample is when a bridge client receives it, and how long a published
//      snapshot takes to reach the client (median and p99),
//   3. bridge throughput with 16 clients doing ping round trips for 10 s, while all of them
//      also receive every snapshot.
// Prints a table and writes build/bench/runtime.csv. Usage: bench_runtime STARLING_CLI OUT_DIR
#include "cluster/clustersnapshot.h"
#include "cluster/statefile.h"
#include "bridge/bridgeclient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unistd.h>
#include <vector>

using namespace starling;

namespace {

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

template<typename Ready> bool waitUntil(Ready ready, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!ready() && clock.elapsed() < timeoutMs)
        runFor(20);
    return ready();
}

// utime + stime in clock ticks of one process, 0 when it is gone.
double cpuTicks(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = file.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields[11].toDouble() + fields[12].toDouble() : 0;
}

// Every process of the cluster: mpiexec, its Hydra proxies, and the ranks below them.
std::vector<qint64> clusterProcesses(qint64 root)
{
    std::vector<qint64> all{root};
    for (size_t i = 0; i < all.size(); ++i) {
        QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(all[i]));
        if (!children.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &pid : children.readAll().split(' ')) {
            if (!pid.trimmed().isEmpty())
                all.push_back(pid.trimmed().toLongLong());
        }
    }
    return all;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

void progress(const char *what, double fraction)
{
    if (!::isatty(STDERR_FILENO))
        return;
    const int width = 30;
    const int filled = int(fraction * width);
    std::fprintf(stderr, "\r%-28s [%s%s] %3.0f%%", what, std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(width - filled), '.').c_str(), fraction * 100);
    if (fraction >= 1)
        std::fprintf(stderr, "\n");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_runtime STARLING_CLI OUT_DIR\n");
        return 2;
    }
    const QString cli = QString::fromLocal8Bit(argv[1]);
    const QString outDir = QString::fromLocal8Bit(argv[2]);
    QDir().mkpath(outDir);
    QTemporaryDir dir;
    const QString runDir = dir.filePath(QStringLiteral("run"));
    QDir().mkpath(dir.filePath(QStringLiteral("export")));
    const QString profile =
        QStringLiteral(STARLING_RESOURCES_DIR) + QStringLiteral("/profiles/four-slaves.json");

    QProcess up;
    up.start(cli,
             {QStringLiteral("up"), QStringLiteral("--detach"), QStringLiteral("--slaves"),
              QStringLiteral("4"), QStringLiteral("--run-dir"), runDir, QStringLiteral("--export"),
              dir.filePath(QStringLiteral("export")), QStringLiteral("--profile"), profile});
    if (!up.waitForFinished(180000) || up.exitCode() != 0) {
        std::fprintf(stderr, "bench_runtime: starling up failed: %s\n",
                     up.readAllStandardError().constData());
        return 1;
    }
    const auto state = cluster::readStateFile(cluster::stateFilePath(runDir));
    if (!state) {
        std::fprintf(stderr, "bench_runtime: %s\n", qPrintable(state.error()));
        return 1;
    }
    const auto stop = [&] {
        QProcess down;
        down.start(cli, {QStringLiteral("down"), QStringLiteral("--run-dir"), runDir});
        down.waitForFinished(30000);
    };

    // One client that records every snapshot's timing.
    bridge::BridgeClient watcher;
    std::vector<double> sampleAgeMs, publishToClientMs;
    int slavesHeard = 0;
    QObject::connect(
        &watcher, &bridge::BridgeClient::snapshotReceived, [&](const QJsonObject &json) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            const cluster::ClusterSnapshot s = cluster::ClusterSnapshot::fromJson(json);
            publishToClientMs.push_back(double(now - s.timeMs));
            slavesHeard = 0;
            for (const cluster::NodeView &n : s.nodes) {
                if (n.role != cluster::NodeRole::Slave || n.stats.sampledAtMs == 0)
                    continue;
                ++slavesHeard;
                sampleAgeMs.push_back(double(now - n.stats.sampledAtMs));
            }
        });
    watcher.connectToBridge(state->bridgeHost, state->bridgePort, state->token.toLatin1(),
                            QStringLiteral("bench-watcher"));
    if (!waitUntil([&] { return slavesHeard == 4; }, 30000)) {
        std::fprintf(stderr, "bench_runtime: the cluster never reported all slaves\n");
        stop();
        return 1;
    }

    // 1. Idle CPU over 30 s (the watcher's snapshots at 2 Hz are part of normal idle life).
    const std::vector<qint64> pids = clusterProcesses(state->mpiexecPid);
    double ticksBefore = 0;
    for (qint64 pid : pids)
        ticksBefore += cpuTicks(pid);
    sampleAgeMs.clear();
    publishToClientMs.clear();
    QElapsedTimer idleClock;
    idleClock.start();
    const int idleMs = 30000;
    while (idleClock.elapsed() < idleMs) {
        runFor(500);
        progress("idle cluster CPU (30 s)", std::min(1.0, double(idleClock.elapsed()) / idleMs));
    }
    double ticksAfter = 0;
    for (qint64 pid : pids)
        ticksAfter += cpuTicks(pid);
    const double idleCpuPercent = 100.0 * (ticksAfter - ticksBefore) /
                                  double(::sysconf(_SC_CLK_TCK)) /
                                  (double(idleClock.elapsed()) / 1000.0);
    const std::vector<double> ages = sampleAgeMs, publish = publishToClientMs;

    // 3. Throughput: 16 clients, each with one ping in flight at a time, for 10 s.
    const int clients = 16;
    std::vector<std::unique_ptr<bridge::BridgeClient>> pingers;
    std::vector<int> pongs(clients, 0), snapshots(clients, 0);
    int welcomed = 0;
    for (int i = 0; i < clients; ++i) {
        auto client = std::make_unique<bridge::BridgeClient>();
        bridge::BridgeClient *raw = client.get();
        QObject::connect(raw, &bridge::BridgeClient::welcomed,
                         [&welcomed](quint64) { ++welcomed; });
        QObject::connect(raw, &bridge::BridgeClient::snapshotReceived,
                         [&snapshots, i](const QJsonObject &) { ++snapshots[size_t(i)]; });
        QObject::connect(raw, &bridge::BridgeClient::ponged,
                         [&pongs, raw, i](const QString &, qint64) {
                             ++pongs[size_t(i)];
                             raw->ping();
                         });
        client->connectToBridge(state->bridgeHost, state->bridgePort, state->token.toLatin1(),
                                QStringLiteral("bench-%1").arg(i));
        pingers.push_back(std::move(client));
    }
    if (!waitUntil([&] { return welcomed == clients; }, 20000)) {
        std::fprintf(stderr, "bench_runtime: only %d of %d clients were welcomed\n", welcomed,
                     clients);
        stop();
        return 1;
    }
    std::fill(snapshots.begin(), snapshots.end(), 0);
    QElapsedTimer pingClock;
    pingClock.start();
    for (auto &client : pingers)
        client->ping();
    const int pingMs = 10000;
    while (pingClock.elapsed() < pingMs) {
        runFor(250);
        progress("16-client bridge load (10 s)",
                 std::min(1.0, double(pingClock.elapsed()) / pingMs));
    }
    const double pingSeconds = double(pingClock.elapsed()) / 1000.0;
    int totalPongs = 0;
    for (int n : pongs)
        totalPongs += n;
    const auto [minSnap, maxSnap] = std::minmax_element(snapshots.begin(), snapshots.end());
    pingers.clear();
    stop();

    const double pingRate = totalPongs / pingSeconds;
    std::printf("\nStarling runtime benchmark: 1 master + 1 monitor + 4 slaves, default config "
                "(heartbeat 500 ms, snapshots 2 Hz), one machine\n\n");
    std::printf("%-52s %12s\n", "measure", "value");
    std::printf("%-52s %11.2f%%\n", "idle cluster CPU, all processes, % of one core (30 s)",
                idleCpuPercent);
    std::printf("%-52s %9.0f ms\n", "slave sample -> bridge client, median", percentile(ages, 0.5));
    std::printf("%-52s %9.0f ms\n", "slave sample -> bridge client, p99", percentile(ages, 0.99));
    std::printf("%-52s %9.1f ms\n", "snapshot publish -> bridge client, median",
                percentile(publish, 0.5));
    std::printf("%-52s %9.1f ms\n", "snapshot publish -> bridge client, p99",
                percentile(publish, 0.99));
    std::printf("%-52s %10.0f/s\n", "bridge ping round trips, 16 clients together", pingRate);
    std::printf("%-52s %12s\n", "snapshots per client during the load (min..max)",
                qPrintable(QStringLiteral("%1..%2").arg(*minSnap).arg(*maxSnap)));
    std::printf("(%zu sample ages, %zu snapshots; processes measured: %zu)\n", ages.size(),
                publish.size(), pids.size());

    QFile csv(QDir(outDir).filePath(QStringLiteral("runtime.csv")));
    if (csv.open(QIODevice::WriteOnly)) {
        csv.write("measure,value,unit\n");
        csv.write(QStringLiteral("idle_cpu,%1,percent_of_one_core\n").arg(idleCpuPercent).toUtf8());
        csv.write(QStringLiteral("sample_age_median,%1,ms\n").arg(percentile(ages, 0.5)).toUtf8());
        csv.write(QStringLiteral("sample_age_p99,%1,ms\n").arg(percentile(ages, 0.99)).toUtf8());
        csv.write(QStringLiteral("publish_latency_median,%1,ms\n")
                      .arg(percentile(publish, 0.5))
                      .toUtf8());
        csv.write(
            QStringLiteral("publish_latency_p99,%1,ms\n").arg(percentile(publish, 0.99)).toUtf8());
        csv.write(QStringLiteral("ping_round_trips_16_clients,%1,per_s\n").arg(pingRate).toUtf8());
        csv.write(QStringLiteral("snapshots_per_client_min,%1,count\n").arg(*minSnap).toUtf8());
        csv.write(QStringLiteral("snapshots_per_client_max,%1,count\n").arg(*maxSnap).toUtf8());
        std::printf("Wrote %s\n", qPrintable(csv.fileName()));
    }
    return 0;
}
