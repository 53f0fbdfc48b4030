// The run directory as `starling up` and every reader of the state file treat it (issue 15):
// created 0700, node.log, operator-state.json and the lock 0600 whatever the umask; a run
// directory or state file another user could write is refused with one line (exit 2); two `up`
// in one run directory: the second is refused at once naming the first, which starts normally;
// `down` then `up` works, and a cluster killed with SIGKILL leaves no lock behind.
#include "cluster/statefile.h"
#include "clusterharness.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace starling;
using starling::testing::CliResult;
using starling::testing::ClusterHarness;

namespace {

int modeOf(const QString &path)
{
    struct stat info;
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

bool oneLine(const QString &text)
{
    return text.endsWith(u'\n') && text.count(u'\n') == 1;
}

cluster::ClusterStateFile someState(const QString &runDir)
{
    cluster::ClusterStateFile state;
    state.masterUrl = QStringLiteral("http://127.0.0.1:1");
    state.bridgeHost = QStringLiteral("127.0.0.1");
    state.bridgePort = 1;
    state.metricsUrl = QStringLiteral("http://127.0.0.1:1/metrics");
    state.token = cluster::generateToken();
    state.mpiexecPid = 1;
    state.runDir = runDir;
    state.slaves = 1;
    state.exportRoot = runDir;
    return state;
}

} // namespace

class TestRunDir : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;

    // Without --run-dir, which ClusterHarness::run adds.
    QStringList upArguments() const
    {
        return {QStringLiteral("up"),       QStringLiteral("--detach"),
                QStringLiteral("--slaves"), QStringLiteral("2"),
                QStringLiteral("--export"), m_cluster.exportDir(),
                QStringLiteral("--config"), m_cluster.path(QStringLiteral("config.json"))};
    }
    QString runFile(const QString &name) const { return QDir(m_cluster.runDir()).filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        QVERIFY(QDir().mkpath(m_cluster.exportDir()));
        m_cluster.writeConfig(R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
                                  "down_after_ms": 2000, "startup_timeout_s": 120})");
    }
    void cleanupTestCase()
    {
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    // Today the state file is read whatever its owner and mode.
    void statusRefusesAStateFileOthersCouldWrite_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("nobodys");
        QTest::addColumn<QString>("message");
        QTest::newRow("0664") << 0664 << false
                              << QStringLiteral("is writable by group or others (mode 0664)");
        QTest::newRow("nobody's") << 0600 << true << QStringLiteral("belongs to uid 65534");
    }
    void statusRefusesAStateFileOthersCouldWrite()
    {
        QFETCH(int, mode);
        QFETCH(bool, nobodys);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = cluster::stateFilePath(dir.path());
        QVERIFY(cluster::writeStateFile(path, someState(dir.path())).hasValue());
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode_t(mode)), 0);
        if (nobodys) {
            if (::geteuid() != 0)
                QSKIP("giving a file to another user needs root");
            QCOMPARE(::chown(QFile::encodeName(path).constData(), 65534, 65534), 0);
        }
        for (const char *command : {"status", "down"}) {
            const CliResult r =
                testing::runCli({QLatin1String(command), QStringLiteral("--run-dir"), dir.path()});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains(path + QStringLiteral(": ") + message), qPrintable(r.err));
            QVERIFY2(oneLine(r.err), qPrintable(r.err));
        }
    }

    // Today `up` uses a world-writable run directory as it finds it.
    void upRefusesARunDirectoryOthersCouldWrite()
    {
        const QString shared = m_cluster.path(QStringLiteral("shared-run"));
        QVERIFY(QDir().mkpath(shared));
        QCOMPARE(::chmod(QFile::encodeName(shared).constData(), 0777), 0);
        const CliResult r = testing::runCli({QStringLiteral("up"), QStringLiteral("--detach"),
                                             QStringLiteral("--slaves"), QStringLiteral("1"),
                                             QStringLiteral("--export"), m_cluster.exportDir(),
                                             QStringLiteral("--run-dir"), shared});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("the run directory is writable by group or "
                                              "others (mode 0777)")),
                 qPrintable(r.err));
        QVERIFY2(oneLine(r.err), qPrintable(r.err));
        QVERIFY(!QFile::exists(QDir(shared).filePath(QStringLiteral("node.log"))));
    }

    // Today the second `up`, started while the first waits for its ranks, finds no state file,
    // removes the first one's node.log and starts a second cluster in the same directory.
    void secondUpIsRefusedWhileTheFirstStarts()
    {
        QProcess first;
        first.setChildProcessModifier([] { ::umask(0); }); // for the modes checked next
        first.start(QStringLiteral(STARLING_CLI),
                    upArguments() << QStringLiteral("--run-dir") << m_cluster.runDir());
        QVERIFY(first.waitForStarted());
        const qint64 firstPid = first.processId();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(runFile(QStringLiteral("node.log"))) ||
                                     first.state() == QProcess::NotRunning,
                                 60000);
        const CliResult second = m_cluster.run(upArguments());
        QVERIFY(first.waitForFinished(180000));
        QCOMPARE(first.exitCode(), 0);
        m_cluster.adoptPids();
        QCOMPARE(second.exitCode, 2);
        QVERIFY2(oneLine(second.err), qPrintable(second.err));
        // Named by its pid: `up` itself until it has started mpiexec, then mpiexec.
        const QString byUp = QStringLiteral("locked by starling up (pid %1, since ").arg(firstPid);
        const QString byMpiexec =
            QStringLiteral("locked by mpiexec (pid %1, since ").arg(m_cluster.state().mpiexecPid);
        QVERIFY2(second.err.contains(byUp) || second.err.contains(byMpiexec),
                 qPrintable(second.err));
        QVERIFY2(second.err.contains(m_cluster.runDir()), qPrintable(second.err));
        const CliResult status = m_cluster.run({QStringLiteral("status")});
        QVERIFY2(status.exitCode == 0, qPrintable(status.err));
        // A second `up` after the first has started is refused the same way.
        const CliResult third = m_cluster.run(upArguments());
        QCOMPARE(third.exitCode, 2);
        QVERIFY2(third.err.contains(byMpiexec), qPrintable(third.err));
    }

    // The cluster above ran under umask 000: nothing in the run directory is open to others.
    void runFilesArePrivateWhateverTheUmask()
    {
        QCOMPARE(modeOf(m_cluster.runDir()), 0700);
        QCOMPARE(modeOf(runFile(QStringLiteral("node.log"))), 0600);
        QCOMPARE(modeOf(runFile(QStringLiteral("lock"))), 0600);
        QCOMPARE(modeOf(cluster::stateFilePath(m_cluster.runDir())), 0600);
        // The master writes its operator state when it starts.
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(runFile(QStringLiteral("operator-state.json"))),
                                 30000);
        QCOMPARE(modeOf(runFile(QStringLiteral("operator-state.json"))), 0600);
    }

    void downReleasesTheLock()
    {
        QVERIFY(m_cluster.down());
        const CliResult up = m_cluster.run(upArguments(), 180000);
        QVERIFY2(up.exitCode == 0, qPrintable(up.err));
        m_cluster.adoptPids();
    }

    // The kernel drops a flock with the last process holding it: a cluster killed outright
    // leaves nothing that blocks the next `up`.
    void killedClusterLeavesNoStaleLock()
    {
        const cluster::ClusterStateFile killed = m_cluster.state();
        QVERIFY(killed.mpiexecPid > 0);
        ::kill(pid_t(killed.mpiexecPid), SIGKILL);
        for (const qint64 pid : killed.nodePids)
            ::kill(pid_t(pid), SIGKILL);
        QVERIFY(m_cluster.allGone(15000));
        const CliResult up = m_cluster.run(upArguments(), 180000);
        QVERIFY2(up.exitCode == 0, qPrintable(up.err));
        m_cluster.adoptPids();
        QVERIFY(m_cluster.state().mpiexecPid != killed.mpiexecPid);
    }
};

QTEST_GUILESS_MAIN(TestRunDir)
#include "tst_rundir.moc"
