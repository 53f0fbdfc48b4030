#include "failoverbench.h"

#include "client/masterrequest.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>

namespace starling::bench::failover {

double seconds(const QElapsedTimer &clock)
{
    return clock.nsecsElapsed() / 1e9;
}

QJsonObject nodeOf(const QUrl &master, const QByteArray &token, int rank)
{
    const auto reply =
        client::callMaster(master, {"/api/v1/cluster", nullptr, 2000, 4 << 20, "bench", token});
    if (!reply || reply->status != 200)
        return {};
    for (const QJsonValue &n :
         QJsonDocument::fromJson(reply->body).object().value(u"nodes").toArray()) {
        if (n.toObject().value(u"rank").toInt() == rank)
            return n.toObject();
    }
    return {};
}

// Polls the master's snapshot every 5 ms until `done` holds for the node; seconds, or nullopt.
std::optional<double> timeUntil(const QUrl &master, const QByteArray &token, int rank,
                                const std::function<bool(const QJsonObject &)> &done,
                                const QElapsedTimer &since, double limitS)
{
    while (seconds(since) < limitS) {
        if (done(nodeOf(master, token, rank)))
            return seconds(since);
        QThread::msleep(5);
    }
    return std::nullopt;
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

QString configPath(const Bench &bench)
{
    // Heartbeats every 200 ms, DOWN after 2 s of silence: the detector's times are the goal for
    // a hang; a crash must be found long before it.
    const QString path = QDir(bench.work).filePath(QStringLiteral("config.json"));
    writeText(path, R"({"heartbeat_ms": 200, "suspect_after_ms": 1000, "down_after_ms": 2000,
                      "snapshot_hz": 5, "startup_timeout_s": 120, "image_standard_MBps": 4})");
    return path;
}

QString profilePath(const Bench &bench)
{
    const QString path = QDir(bench.work).filePath(QStringLiteral("profile.json"));
    writeText(path, R"({"slaves": [{"link_MBps": 25}, {"link_MBps": 25}, {"link_MBps": 25},
                                   {"link_MBps": 25}]})");
    return path;
}

std::optional<double> timedGet(const Bench &bench, const QString &runDir,
                               const bench::SourceFile &source, const QString &out,
                               const std::function<void(double done)> &onProgress,
                               const QString &strategy)
{
    QProcess get;
    QElapsedTimer clock;
    clock.start();
    get.start(bench.cli, {QStringLiteral("get"), source.relativePath, QStringLiteral("-o"), out,
                          QStringLiteral("--strategy"), strategy, QStringLiteral("--json"),
                          QStringLiteral("--run-dir"), runDir});
    while (get.state() != QProcess::NotRunning && seconds(clock) < 300) {
        get.waitForReadyRead(50);
        while (get.canReadLine()) {
            const QJsonObject line = QJsonDocument::fromJson(get.readLine()).object();
            const double total = line.value(u"bytes_total").toDouble();
            if (total > 0)
                onProgress(line.value(u"bytes_done").toDouble() / total);
        }
    }
    get.waitForFinished(1000);
    const double t = seconds(clock);
    const bool ok = get.exitCode() == 0 && source.verify(out).hasValue();
    QFile::remove(out);
    return ok ? std::optional(t) : std::nullopt;
}

} // namespace starling::bench::failover
