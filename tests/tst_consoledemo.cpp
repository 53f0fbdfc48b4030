// The two demos end as they promise: `starling-console --demo` (offscreen here) starts a local
// cluster and the load, shows it, and when its window closes the cluster is stopped and every
// process it started is gone; `starling demo` (the headless one) does the same from the
// terminal, prints a summary of the steps it ran, and exits 0 when every step succeeded.
#include "clusterharness.h"

#include <QElapsedTimer>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;

namespace {

// Runs `program` to the end while watching `runDir`'s state file for the pids it names.
struct Watched
{
    int exitCode = -1;
    QString out, err;
    std::vector<qint64> pids;
};

Watched runWatching(const QString &program, const QStringList &arguments, const QString &runDir,
                    int timeoutMs)
{
    QProcess p;
    p.start(program, arguments);
    Watched w;
    QElapsedTimer clock;
    clock.start();
    while (p.state() != QProcess::NotRunning && clock.elapsed() < timeoutMs) {
        p.waitForFinished(200);
        if (w.pids.empty()) {
            const auto state = cluster::readStateFile(cluster::stateFilePath(runDir));
            if (state && state->mpiexecPid > 0 && !state->nodePids.empty()) {
                w.pids = state->nodePids;
                w.pids.push_back(state->mpiexecPid);
            }
        }
    }
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(5000);
        w.err = QStringLiteral("timed out");
        return w;
    }
    w.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    w.out = QString::fromLocal8Bit(p.readAllStandardOutput());
    w.err += QString::fromLocal8Bit(p.readAllStandardError());
    return w;
}

bool allGone(const std::vector<qint64> &pids, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            return std::none_of(pids.begin(), pids.end(),
                                [](qint64 pid) { return testing::processAlive(pid); });
        },
        timeoutMs);
}

void killLeftovers(const std::vector<qint64> &pids)
{
    for (qint64 pid : pids) {
        if (testing::processAlive(pid))
            ::kill(pid_t(pid), SIGKILL);
    }
}

} // namespace

class TestConsoleDemo : public QObject
{
    Q_OBJECT

private slots:
    void consoleDemoStopsWhatItStarted()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString runDir = dir.filePath(QStringLiteral("run"));
        const QString png = dir.filePath(QStringLiteral("demo.png"));
        // The screenshot closes the window once the demo's load has shown up in the views.
        const Watched w = runWatching(QStringLiteral(STARLING_CONSOLE),
                                      {QStringLiteral("--demo"), QStringLiteral("--run-dir"),
                                       runDir, QStringLiteral("--screenshot"), png,
                                       QStringLiteral("--screenshot-after-s"), QStringLiteral("3"),
                                       QStringLiteral("--timeout-s"), QStringLiteral("120")},
                                      runDir, 180000);
        const bool gone = allGone(w.pids, 20000);
        killLeftovers(w.pids);
        QVERIFY2(w.exitCode == 0, qPrintable(w.err));
        QVERIFY2(!w.pids.empty(), "the demo never wrote a state file with its processes");
        QVERIFY2(gone, "processes of the demo cluster outlived the console");
        QVERIFY(!QFile::exists(cluster::stateFilePath(runDir)));
        QVERIFY(!QImage(png).isNull());
        // The load generator wrote its inputs where the demo keeps its files.
        QVERIFY(QFile::exists(QDir(runDir).filePath(QStringLiteral("export/demo-data.bin"))));
    }

    void headlessDemoRunsTheLoadAndStops()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString runDir = dir.filePath(QStringLiteral("run"));
        const Watched w = runWatching(QStringLiteral(STARLING_CLI),
                                      {QStringLiteral("demo"), QStringLiteral("--run-dir"), runDir,
                                       QStringLiteral("--seconds"), QStringLiteral("12")},
                                      runDir, 180000);
        const bool gone = allGone(w.pids, 20000);
        killLeftovers(w.pids);
        QVERIFY2(w.exitCode == 0, qPrintable(w.out + w.err));
        QVERIFY(!w.pids.empty());
        QVERIFY(gone);
        QVERIFY(!QFile::exists(cluster::stateFilePath(runDir)));
        // Not a terminal: one line per step, then the summary with its table.
        QVERIFY2(w.out.contains(QLatin1String("get bw: done")), qPrintable(w.out));
        QVERIFY2(w.out.contains(QLatin1String("job pdds: done, makespan")), qPrintable(w.out));
        QVERIFY(w.out.contains(QLatin1String("summary of")));
        QVERIFY(w.out.contains(QLatin1String("cluster stopped")));
    }
};

QTEST_GUILESS_MAIN(TestConsoleDemo)
#include "tst_consoledemo.moc"
