// Ctrl-C, kill and a closed terminal stop what a program started, as a window close does:
// `starling-console --demo` (offscreen) and `starling up` in the foreground each get SIGINT,
// SIGTERM and SIGHUP once the cluster is up, and must exit normally with mpiexec and every rank
// gone.
#include "clusterharness.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace starling;
using testing::processAlive;

namespace {

constexpr int kUpTimeoutMs = 50000;   // the cluster up, on a busy 2-core machine
constexpr int kExitTimeoutMs = 40000; // a graceful stop takes about 5 s at most
constexpr int kGoneTimeoutMs = 10000;

// Whatever a failing row leaves running, by pid: the program first, then the cluster.
struct Leftovers
{
    QProcess *program = nullptr;
    std::vector<qint64> pids;

    ~Leftovers()
    {
        if (program && program->state() != QProcess::NotRunning) {
            program->kill();
            program->waitForFinished(5000);
        }
        for (qint64 pid : pids) {
            if (processAlive(pid))
                ::kill(pid_t(pid), SIGKILL);
        }
    }
};

std::vector<qint64> clusterPids(const QString &runDir)
{
    const auto state = cluster::readStateFile(cluster::stateFilePath(runDir));
    if (!state || state->mpiexecPid <= 0 || state->nodePids.empty())
        return {};
    std::vector<qint64> pids = state->nodePids;
    pids.push_back(state->mpiexecPid);
    return pids;
}

} // namespace

class TestStopSignals : public QObject
{
    Q_OBJECT

private slots:
    void stopsWhatItStarted_data()
    {
        QTest::addColumn<bool>("console");
        QTest::addColumn<int>("signalNumber");
        QTest::newRow("console SIGINT") << true << SIGINT;
        QTest::newRow("console SIGTERM") << true << SIGTERM;
        QTest::newRow("console SIGHUP") << true << SIGHUP;
        QTest::newRow("up SIGINT") << false << SIGINT;
        QTest::newRow("up SIGTERM") << false << SIGTERM;
        QTest::newRow("up SIGHUP") << false << SIGHUP;
    }

    void stopsWhatItStarted()
    {
        QFETCH(bool, console);
        QFETCH(int, signalNumber);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString runDir = dir.filePath(QStringLiteral("run"));
        const QString exportDir = dir.filePath(QStringLiteral("export"));
        QVERIFY(QDir().mkpath(exportDir));

        QProcess program;
        Leftovers leftovers;
        leftovers.program = &program;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        program.setProcessEnvironment(environment);
        if (console) {
            program.start(QStringLiteral(STARLING_CONSOLE),
                          {QStringLiteral("--demo"), QStringLiteral("--slaves"),
                           QStringLiteral("2"), QStringLiteral("--run-dir"), runDir});
        } else {
            program.start(QStringLiteral(STARLING_CLI),
                          {QStringLiteral("up"), QStringLiteral("--slaves"), QStringLiteral("2"),
                           QStringLiteral("--run-dir"), runDir, QStringLiteral("--export"),
                           exportDir});
        }
        QVERIFY(program.waitForStarted(10000));

        // Up: the state file names mpiexec and every rank.
        QTRY_VERIFY_WITH_TIMEOUT(!(leftovers.pids = clusterPids(runDir)).empty() ||
                                     program.state() == QProcess::NotRunning,
                                 kUpTimeoutMs);
        QVERIFY2(!leftovers.pids.empty(),
                 qPrintable(QStringLiteral("never came up: ") +
                            QString::fromLocal8Bit(program.readAllStandardError())));
        QVERIFY(std::all_of(leftovers.pids.begin(), leftovers.pids.end(), processAlive));

        QCOMPARE(::kill(pid_t(program.processId()), signalNumber), 0);
        QVERIFY2(program.waitForFinished(kExitTimeoutMs), "still running after the signal");
        const QString err = QString::fromLocal8Bit(program.readAllStandardError());
        QVERIFY2(program.exitStatus() == QProcess::NormalExit,
                 qPrintable(QStringLiteral("killed by the signal, not stopped: ") + err));
        QCOMPARE(program.exitCode(), 0);
        QTRY_VERIFY2_WITH_TIMEOUT(
            std::none_of(leftovers.pids.begin(), leftovers.pids.end(), processAlive),
            "a cluster process outlived the program", kGoneTimeoutMs);
        QVERIFY(!QFile::exists(cluster::stateFilePath(runDir)));
    }
};

QTEST_GUILESS_MAIN(TestStopSignals)
#include "tst_stopsignals.moc"
