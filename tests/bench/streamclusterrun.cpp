#include "streamclusterrun.h"

#include "benchcluster.h"

#include "../testutil.h"
#include "client/jobclient.h"
#include "image/imagecodec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QThread>

#include <cmath>
#include <cstdio>
#include <limits>

namespace starling::bench {

namespace {

// Between rounds of status requests. The times measured are the master's own, so this only
// decides how soon a finished job is noticed, and keeps the polls off the master's 2 cores.
constexpr int kPollMs = 250;

int channelsOf(const sim::StreamJobKind &kind)
{
    return kind.sizeFactor > 2 ? 3 : 1; // grey converts RGB: three bytes a pixel in
}

} // namespace

const QByteArray &StreamClusterRun::image(int channels, long long units)
{
    QByteArray &bytes = m_images[{channels, units}];
    if (bytes.isEmpty()) {
        image::ImageBuffer img =
            image::ImageBuffer::allocate(m_setup.width, int(units) * m_setup.rowsPerUnit, channels);
        QRandomGenerator rng{quint32(units * 10 + channels)};
        for (char &c : img.pixels)
            c = char(rng.bounded(256));
        bytes = *image::encodeImage(img, channels == 1 ? image::ImageFormat::Pgm
                                                       : image::ImageFormat::Ppm);
    }
    return bytes;
}

Expected<bool> StreamClusterRun::prepare(int overlap, QString *runDir)
{
    const QString work = QDir(m_setup.workDir).filePath(QStringLiteral("overlap-%1").arg(overlap));
    QDir().mkpath(work);
    *runDir = QDir(work).filePath(QStringLiteral("run"));
    // jobs_kept: every job of the stream stays readable until the end.
    const QByteArray config =
        QStringLiteral("{\"bind_host\": \"127.0.0.1\", \"master_port\": 0, \"bridge_port\": 0, "
                       "\"metrics_port\": 0, \"data_port_base\": 0, \"image_standard_MBps\": %1, "
                       "\"snapshot_hz\": 4, \"startup_timeout_s\": 120, \"job_overlap\": %2, "
                       "\"jobs_kept\": 1000}\n")
            .arg(m_setup.standardMBps, 0, 'g', 12)
            .arg(overlap)
            .toUtf8();
    const double t1 = m_setup.platform.slaves.front().unitComputeS;
    QByteArray profile = "{\"name\": \"paper-2-stream\", \"slaves\": [";
    for (size_t i = 0; i < m_setup.platform.slaves.size(); ++i) {
        const sched::SlaveSpec &s = m_setup.platform.slaves[i];
        profile += (i ? ", " : "") + QByteArray("{\"cpu_factor\": ") +
                   QByteArray::number(s.unitComputeS / t1, 'g', 12) +
                   ", \"link_MBps\": " + QByteArray::number(s.bandwidthMBps, 'g', 12) + "}";
    }
    profile += "]}\n";
    if (!writeFile(QDir(work).filePath(QStringLiteral("config.json")), config) ||
        !writeFile(QDir(work).filePath(QStringLiteral("profile.json")), profile))
        return Error{QStringLiteral("cannot write the config under %1").arg(work)};
    return true;
}

Expected<QString> StreamClusterRun::submit(client::JobClient &client, int kind, long long units)
{
    const sim::StreamJobKind &k = m_setup.kinds[size_t(kind)];
    return client.submit(image(channelsOf(k), units),
                         {{"op", k.name.toLatin1()},
                          {"strategy", "optimal"},
                          {"order", sched::toString(sched::SendOrder::Decreasing).toLatin1()},
                          {"tasks", QByteArray::number(units)}});
}

// One small job of each op, one after the other, so the master has observed every op class
// on every slave before the stream (the simulator plans with the true costs).
Expected<bool> StreamClusterRun::warmUp(client::JobClient &client)
{
    for (size_t kind = 0; kind < m_setup.kinds.size(); ++kind) {
        const auto id = submit(client, int(kind), 16);
        if (!id)
            return Error{id.error()};
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const auto status = client.status(*id);
            if (!status)
                return Error{status.error()};
            if (status->state == u"done")
                break;
            if (status->state == u"failed" || clock.elapsed() > 60000)
                return Error{QStringLiteral("warm-up job %1: %2").arg(*id, status->state)};
            QThread::msleep(kPollMs / 10);
        }
    }
    return true;
}

Expected<StreamClusterRun::Outcome> StreamClusterRun::run(const std::vector<sim::StreamJob> &jobs,
                                                          const std::vector<int> &kindOf,
                                                          int overlap)
{
    QString runDir;
    if (auto ok = prepare(overlap, &runDir); !ok)
        return Error{ok.error()};
    const QString work = QFileInfo(runDir).path();
    BenchCluster cluster(m_setup.cli, runDir);
    if (auto up = cluster.up(int(m_setup.platform.slaves.size()),
                             QDir(work).filePath(QStringLiteral("profile.json")), work,
                             QDir(work).filePath(QStringLiteral("config.json")));
        !up)
        return Error{up.error()};
    if (!cluster.waitAllSlavesActive(60000))
        return Error{QStringLiteral("the slaves did not come up in 60 s")};
    client::JobClient client(cluster.masterUrl(), cluster.token(), 60000);
    if (auto ok = warmUp(client); !ok)
        return Error{ok.error()};
    return replay(client, jobs, kindOf);
}

Expected<bool> StreamClusterRun::poll(client::JobClient &client, std::vector<Pending> *pending,
                                      std::vector<std::pair<qint64, qint64>> *times,
                                      Outcome *outcome)
{
    for (auto it = pending->begin(); it != pending->end();) {
        const auto status = client.status(it->id);
        if (!status)
            return Error{status.error()};
        if (!status->finished()) {
            ++it;
            continue;
        }
        if (status->state == u"done") {
            (*times)[it->index] = {status->submittedAtMs, status->finishedAtMs};
            if (++outcome->finished % 8 == 0)
                std::fprintf(stderr, "bench_stream:   %d of %zu jobs done\n", outcome->finished,
                             times->size());
        } else {
            std::fprintf(stderr, "bench_stream: job %zu failed: %s\n", it->index,
                         qPrintable(status->error));
            ++outcome->failed;
        }
        it = pending->erase(it);
    }
    return true;
}

Expected<StreamClusterRun::Outcome>
StreamClusterRun::replay(client::JobClient &client, const std::vector<sim::StreamJob> &jobs,
                         const std::vector<int> &kindOf)
{
    Outcome outcome;
    std::vector<std::pair<qint64, qint64>> times(jobs.size(), {0, 0}); // master's ms, 0 = none
    std::vector<Pending> pending;
    size_t next = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 nextPollMs = 0;
    while (next < jobs.size() || !pending.empty()) {
        if (clock.elapsed() > qint64(m_setup.deadlineS * 1000)) {
            outcome.timedOut = true;
            break;
        }
        const qint64 dueMs =
            next < jobs.size() ? std::llround((jobs[next].arrivalS - jobs.front().arrivalS) * 1000)
                               : std::numeric_limits<qint64>::max();
        if (clock.elapsed() >= dueMs) {
            const auto id = submit(client, kindOf[next], std::llround(jobs[next].spec.load));
            if (!id)
                return Error{QStringLiteral("job %1: %2").arg(next).arg(id.error())};
            outcome.maxSubmitLagS =
                std::max(outcome.maxSubmitLagS, double(clock.elapsed() - dueMs) / 1000);
            pending.push_back({next++, *id});
            continue;
        }
        if (clock.elapsed() >= nextPollMs) {
            if (auto ok = poll(client, &pending, &times, &outcome); !ok)
                return Error{ok.error()};
            nextPollMs = clock.elapsed() + kPollMs;
        }
        // Until the next arrival is due or the next poll, whichever comes first.
        const qint64 sleepMs = std::min(dueMs, nextPollMs) - clock.elapsed();
        if (sleepMs > 0)
            QThread::msleep(ulong(std::min<qint64>(sleepMs, kPollMs)));
    }
    qint64 origin = 0;
    for (const auto &[submitted, finished] : times) {
        if (finished > 0 && (origin == 0 || submitted < origin))
            origin = submitted;
    }
    for (const auto &[submitted, finished] : times) {
        if (finished <= 0)
            continue;
        sim::StreamJobResult r;
        r.arrivalS = double(submitted - origin) / 1000;
        r.doneS = double(finished - origin) / 1000;
        outcome.result.jobs.push_back(r);
    }
    return outcome;
}

} // namespace starling::bench
