#include "failoverbench.h"

#include "cluster/statefile.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <cstdio>
#include <utility>

namespace starling::bench::failover {

namespace {

class LabCluster
{
public:
    LabCluster(const Bench &bench, QString runDir) : m_cli(bench.cli), m_runDir(std::move(runDir))
    {}
    ~LabCluster() { down(); }
    bool up(int slaves, const QString &profile, const QString &exportDir, const QString &config)
    {
        QProcess up;
        up.start(m_cli, {QStringLiteral("lab"), QStringLiteral("up"), QStringLiteral("--slaves"),
                         QString::number(slaves), QStringLiteral("--profile"), profile,
                         QStringLiteral("--config"), config, QStringLiteral("--export"), exportDir,
                         QStringLiteral("--run-dir"), m_runDir});
        m_up = true;
        if (!up.waitForFinished(180000) || up.exitCode() != 0) {
            std::fprintf(stderr, "bench_failover: lab up: %s\n",
                         up.readAllStandardError().trimmed().constData());
            return false;
        }
        const auto state = cluster::readStateFile(cluster::stateFilePath(m_runDir));
        if (!state)
            return false;
        m_master = QUrl(state->masterUrl);
        m_token = state->token.toLatin1();
        return true;
    }
    void down()
    {
        if (!std::exchange(m_up, false))
            return;
        QProcess down;
        down.start(m_cli, {QStringLiteral("lab"), QStringLiteral("down"),
                           QStringLiteral("--run-dir"), m_runDir});
        down.waitForFinished(120000);
    }
    bool fault(const QString &action, const QString &node) const
    {
        return QProcess::execute(m_cli, {QStringLiteral("lab"), action, node,
                                         QStringLiteral("--run-dir"), m_runDir}) == 0;
    }
    const QString &runDir() const { return m_runDir; }
    const QUrl &master() const { return m_master; }
    const QByteArray &token() const { return m_token; }

private:
    QString m_cli;
    QString m_runDir;
    QUrl m_master;
    QByteArray m_token;
    bool m_up = false;
};

QString writeProfile(const Bench &bench, const QString &name, const std::vector<double> &links)
{
    QJsonArray slaves;
    for (double link : links)
        slaves.append(QJsonObject{{QStringLiteral("link_MBps"), link}});
    const QString path = QDir(bench.work).filePath(name);
    writeText(path, QJsonDocument(QJsonObject{{QStringLiteral("slaves"), slaves}}).toJson());
    return path;
}

// Medians of `rounds` verified downloads with one strategy; nullopt if none succeeded.
std::optional<double> medianGet(const Bench &bench, const QString &runDir,
                                const bench::SourceFile &source, const QString &strategy)
{
    Row times("", "", "", "");
    const QString out = QDir(bench.work).filePath(QStringLiteral("lab-copy.bin"));
    for (int round = 0; round < bench.rounds; ++round) {
        if (const auto t = timedGet(
                bench, runDir, source, out, [](double) {}, strategy))
            times.values.push_back(*t);
    }
    return times.median();
}

} // namespace

void labLinks(Bench &bench, const QString &exportDir, const bench::SourceFile &source)
{
    Row speedup("L1", "lab: 4 hosts at 25 MB/s against 1 (get bw)", "x", ">= 3.6");
    Row bw("L2", "lab 40/20/10/5 MB/s: bw time / F/sum(b)", "x", "<= 1.10");
    Row equal("L2", "lab 40/20/10/5 MB/s: equal time / bw time", "x", "measured");
    const double F = double(source.size);
    {
        LabCluster one(bench, QDir(bench.work).filePath(QStringLiteral("lab-one")));
        LabCluster four(bench, QDir(bench.work).filePath(QStringLiteral("lab-four")));
        if (one.up(1, writeProfile(bench, QStringLiteral("lab1.json"), {25}), exportDir,
                   configPath(bench))) {
            const auto t1 = medianGet(bench, one.runDir(), source, QStringLiteral("bw"));
            one.down();
            if (four.up(4, writeProfile(bench, QStringLiteral("lab4.json"), {25, 25, 25, 25}),
                        exportDir, configPath(bench))) {
                const auto t4 = medianGet(bench, four.runDir(), source, QStringLiteral("bw"));
                if (t1 && t4)
                    speedup.values.push_back(*t1 / *t4);
            }
        }
    }
    LabCluster mixed(bench, QDir(bench.work).filePath(QStringLiteral("lab-mixed")));
    if (mixed.up(4, writeProfile(bench, QStringLiteral("labmix.json"), {40, 20, 10, 5}), exportDir,
                 configPath(bench))) {
        const auto tBw = medianGet(bench, mixed.runDir(), source, QStringLiteral("bw"));
        const auto tEqual = medianGet(bench, mixed.runDir(), source, QStringLiteral("equal"));
        if (tBw)
            bw.values.push_back(*tBw / (F / 75e6));
        if (tBw && tEqual)
            equal.values.push_back(*tEqual / *tBw);
    }
    bench.rows.push_back(speedup);
    bench.rows.push_back(bw);
    bench.rows.push_back(equal);
}

void labDetection(Bench &bench, const QString &exportDir)
{
    Row crash("L3", "lab: crash -> DOWN exited", "s", "< 1 s");
    Row hang("L3", "lab: hang -> DOWN no heartbeat", "s", "<= 2 s + 1 heartbeat");
    Row cut("L3", "lab: cut link -> DOWN no heartbeat", "s", "<= 2 s + 1 heartbeat");
    for (int round = 0; round < bench.rounds; ++round) {
        std::fprintf(stderr, "lab detection round %d/%d\n", round + 1, bench.rounds);
        LabCluster lab(bench, QDir(bench.work).filePath(QStringLiteral("lab-faults")));
        if (!lab.up(3, writeProfile(bench, QStringLiteral("lab3.json"), {25, 25, 25}), exportDir,
                    configPath(bench)))
            break;
        const auto detect = [&](Row &row, const QString &action, int rank, const QString &state,
                                const QString &reason) {
            QElapsedTimer clock;
            clock.start();
            if (!lab.fault(action, QStringLiteral("slave-%1").arg(rank)))
                return;
            if (const auto t = timeUntil(
                    lab.master(), lab.token(), rank,
                    [&](const QJsonObject &n) {
                        return n.value(u"state").toString() == state &&
                               n.value(u"state_reason").toString().startsWith(reason);
                    },
                    clock, 20))
                row.values.push_back(*t);
        };
        detect(crash, QStringLiteral("crash"), 2, QStringLiteral("DOWN"), QStringLiteral("exited"));
        detect(hang, QStringLiteral("hang"), 3, QStringLiteral("DOWN"),
               QStringLiteral("no heartbeat"));
        detect(cut, QStringLiteral("cut"), 4, QStringLiteral("DOWN"),
               QStringLiteral("no heartbeat"));
        lab.fault(QStringLiteral("unhang"), QStringLiteral("slave-3"));
    }
    bench.rows.push_back(crash);
    bench.rows.push_back(hang);
    bench.rows.push_back(cut);
}

} // namespace starling::bench::failover
