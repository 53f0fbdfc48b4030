// `starling get` as a user runs it (the real binary, QProcess): every bad argument, bad URL or
// missing cluster is exit 2 with one line on stderr; against a fake master and fake slaves
// (HttpServers on 127.0.0.1 port 0) a URL and a bare path download the file (exit 0, JSON
// progress and summary lines with --json), while a changed file or a refusing master is exit 1
// with one line and no output file.
#include "cluster/statefile.h"
#include "fakemaster.h"
#include "fakeslave.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace starling;
using starling::testing::FakeMaster;
using starling::testing::FakeSlave;

namespace {

const QByteArray kEtag = "\"abc-def\"";
const QString kPath = QStringLiteral("sets/f one.bin");

struct Outcome
{
    int exitCode = -1;
    QByteArray out;
    QString err;
};

// A cluster of fakes: a master whose plan names two slaves serving `data`.
struct FakeCluster
{
    QByteArray data = randomBytes(700 * 1024 + 3, 9);
    FakeMaster master;
    std::vector<std::unique_ptr<FakeSlave>> slaves;
    transfer::TransferPlan plan;

    FakeCluster()
    {
        master.listen();
        std::vector<QUrl> urls;
        for (int i = 0; i < 2; ++i) {
            slaves.push_back(std::make_unique<FakeSlave>(data, kEtag, kPath));
            if (!slaves.back()->listen())
                qFatal("fake slave cannot listen");
            urls.push_back(slaves.back()->url());
        }
        plan = testing::makePlan(data, 64 * 1024, urls, kPath, kEtag);
        master.answer(200, QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact));
    }
    QString fileUrl() const
    {
        return master.url().toString() + QStringLiteral("/files/sets/f%20one.bin");
    }
};

} // namespace

class GetCliTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;    // working directory of the CLI
    QTemporaryDir m_runDir; // STARLING_RUN_DIR: empty unless a test writes a state file
    QTemporaryDir m_export;

    Outcome run(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STARLING_RUN_DIR"), m_runDir.path());
        process.setProcessEnvironment(env);
        process.setWorkingDirectory(m_dir.path());
        process.start(QStringLiteral(STARLING_CLI), QStringList{QStringLiteral("get")} + arguments);
        if (!process.waitForFinished(60'000)) {
            process.kill();
            process.waitForFinished(5'000);
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(),
                QString::fromLocal8Bit(process.readAllStandardError())};
    }

    bool writeState(const QString &masterUrl)
    {
        cluster::ClusterStateFile state;
        state.masterUrl = masterUrl;
        state.bridgeHost = QStringLiteral("127.0.0.1");
        state.bridgePort = 1;
        state.metricsUrl = QStringLiteral("http://127.0.0.1:1/metrics");
        state.token = cluster::generateToken();
        state.mpiexecPid = 1;
        state.runDir = m_runDir.path();
        state.slaves = 2;
        state.exportRoot = m_export.path();
        return writeStateFile(cluster::stateFilePath(m_runDir.path()), state).hasValue();
    }

    static bool oneLine(const QString &text)
    {
        return text.endsWith(u'\n') && text.count(u'\n') == 1;
    }

    QByteArray readOutput(const QString &name) const
    {
        QFile file(m_dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid() && m_runDir.isValid() && m_export.isValid()); }
    void cleanup()
    {
        QFile::remove(cluster::stateFilePath(m_runDir.path()));
        for (const QString &name : QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden))
            QFile::remove(m_dir.filePath(name));
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString url = QStringLiteral("http://127.0.0.1:1/files/x.bin");
        QTest::newRow("nothing") << QStringList() << QStringLiteral("usage: starling get");
        QTest::newRow("two targets") << QStringList{url, url} << QStringLiteral("usage:");
        QTest::newRow("unknown option")
            << QStringList{url, QStringLiteral("--fast")} << QStringLiteral("fast");
        for (const char *k : {"0", "17", "abc", "1.5", "-2", ""})
            QTest::addRow("connections '%s'", k)
                << QStringList{url, QStringLiteral("--connections"), QString::fromLatin1(k)}
                << QStringLiteral("--connections must be a whole number from 1 to 16");
        for (const char *s : {"0", "-1", "0.1", "abc", "nan", "inf", "601", "1e9"})
            QTest::addRow("stall timeout '%s'", s)
                << QStringList{url, QStringLiteral("--stall-timeout"), QString::fromLatin1(s)}
                << QStringLiteral("--stall-timeout must be a number of seconds");
        for (const char *s : {"PDDS", "fastest", ""})
            QTest::addRow("strategy '%s'", s)
                << QStringList{url, QStringLiteral("--strategy"), QString::fromLatin1(s)}
                << QStringLiteral("unknown strategy");
        for (const char *u : {"http://h/x.bin", "ftp://h/files/x", "http://h/files/",
                              "http://h/files/../etc/passwd", "http://:1/files/x"})
            QTest::addRow("url %s", u)
                << QStringList{QString::fromLatin1(u)} << QStringLiteral("bad URL");
        QTest::newRow("output directory missing")
            << QStringList{url, QStringLiteral("-o"), QStringLiteral("/nonexistent/dir/x.bin")}
            << QStringLiteral("the directory /nonexistent/dir does not exist");
        QTest::newRow("empty output") << QStringList{url, QStringLiteral("-o"), QString()}
                                      << QStringLiteral("-o needs a file name");
        QTest::newRow("no cluster")
            << QStringList{QStringLiteral("x.bin")} << QStringLiteral("no cluster");
    }
    void badUsage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Outcome o = run(arguments);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.startsWith(QLatin1String("starling")), qPrintable(o.err));
        QVERIFY2(o.err.contains(message), qPrintable(o.err));
        QVERIFY2(oneLine(o.err), qPrintable(o.err));
        QVERIFY(o.out.isEmpty());
        QVERIFY(QDir(m_dir.path()).isEmpty());
    }

    void pathOutsideExportRoot()
    {
        QVERIFY(writeState(QStringLiteral("http://127.0.0.1:1")));
        const Outcome o = run({QStringLiteral("../elsewhere.bin")});
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(QLatin1String("not a file under the export root")),
                 qPrintable(o.err));
        QVERIFY(oneLine(o.err));
    }

    void masterUnreachable()
    {
        quint16 port = 0;
        {
            FakeMaster gone;
            port = gone.listen();
        }
        QVERIFY(writeState(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        const Outcome o = run({QStringLiteral("x.bin")});
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(QLatin1String("cannot reach the master")), qPrintable(o.err));
        QVERIFY(oneLine(o.err));
    }

    void downloadsUrlWithJson()
    {
        FakeCluster cluster;
        const Outcome o =
            run({cluster.fileUrl(), QStringLiteral("-o"), QStringLiteral("got.bin"),
                 QStringLiteral("--json"), QStringLiteral("--connections"), QStringLiteral("3"),
                 QStringLiteral("--strategy"), QStringLiteral("optimal")});
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.err.isEmpty(), qPrintable(o.err)); // not a terminal: no progress bar
        QCOMPARE(readOutput(QStringLiteral("got.bin")), cluster.data);
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("got.bin")});
        const QList<QByteArray> lines = o.out.trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            QVERIFY2(QJsonDocument::fromJson(line, &error).isObject(), line.constData());
        }
        const QJsonObject summary = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(summary.value(QLatin1String("type")).toString(), QStringLiteral("summary"));
        QCOMPARE(summary.value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(summary.value(QLatin1String("bytes")).toInteger(), cluster.data.size());
        QCOMPARE(summary.value(QLatin1String("sha256")).toString(),
                 QString::fromLatin1(cluster.plan.sha256));
        QCOMPARE(summary.value(QLatin1String("sources")).toArray().size(), 2);
        QVERIFY(summary.contains(QLatin1String("MBps")));
        QVERIFY(summary.contains(QLatin1String("seconds")));
        QVERIFY(summary.contains(QLatin1String("reassignments")));
        for (int i = 0; i < lines.size() - 1; ++i)
            QCOMPARE(QJsonDocument::fromJson(lines[i]).object().value(QLatin1String("type")),
                     QJsonValue(QStringLiteral("progress")));
        // The plan was asked for the decoded path with the chosen strategy.
        const auto query = cluster.master.lastQuery();
        QCOMPARE(query.value(0), qMakePair(QByteArray("path"), kPath.toUtf8()));
        QCOMPARE(query.value(1), qMakePair(QByteArray("strategy"), QByteArray("optimal")));
    }

    void downloadsBarePathIntoCurrentDirectory()
    {
        FakeCluster cluster;
        QVERIFY(writeState(cluster.master.url().toString()));
        const Outcome o = run({m_export.filePath(kPath)}); // absolute, under the export root
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(readOutput(QStringLiteral("f one.bin")), cluster.data);
        const QString text = QString::fromUtf8(o.out);
        QVERIFY2(oneLine(text) && text.contains(QLatin1String("SHA-256 verified")),
                 qPrintable(text));
        QCOMPARE(cluster.master.lastQuery().value(0),
                 qMakePair(QByteArray("path"), kPath.toUtf8()));
    }

    // Two downloads into one output (issue 15): the second is refused at once (exit 2, one
    // line) while the first goes on to a verified file. Today the second truncates the first's
    // part file and both write into it.
    void secondGetToTheSameOutputIsRefused()
    {
        FakeCluster cluster;
        for (auto &slave : cluster.slaves)
            slave->delayMs = 1500; // an emulated slow link: ~5 s for the whole file
        QProcess first;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STARLING_RUN_DIR"), m_runDir.path());
        first.setProcessEnvironment(env);
        first.setWorkingDirectory(m_dir.path());
        first.start(QStringLiteral(STARLING_CLI),
                    {QStringLiteral("get"), cluster.fileUrl(), QStringLiteral("-o"),
                     QStringLiteral("same.bin"), QStringLiteral("--stall-timeout"),
                     QStringLiteral("30")});
        QVERIFY(first.waitForStarted());
        // Under way: the part file exists and the slaves have been asked for blocks.
        QTRY_VERIFY_WITH_TIMEOUT(!cluster.slaves[0]->requestedBlocks().isEmpty() ||
                                     first.state() == QProcess::NotRunning,
                                 30000);
        QVERIFY(first.state() == QProcess::Running);
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("same.bin.starling-part"))));
        const Outcome second =
            run({cluster.fileUrl(), QStringLiteral("-o"), QStringLiteral("same.bin")});
        const bool firstStillRunning = first.state() == QProcess::Running;
        QVERIFY(first.waitForFinished(60000));
        QCOMPARE(second.exitCode, 2);
        QVERIFY2(second.err.contains(QLatin1String("same.bin.starling-part is in use")),
                 qPrintable(second.err));
        QVERIFY2(oneLine(second.err), qPrintable(second.err));
        QVERIFY(firstStillRunning); // refused at once, not after the first had finished
        QCOMPARE(first.exitCode(), 0);
        QVERIFY(QString::fromUtf8(first.readAllStandardOutput())
                    .contains(QLatin1String("SHA-256 verified")));
        QCOMPARE(readOutput(QStringLiteral("same.bin")), cluster.data);
    }

    void fileChangedIsExitOne()
    {
        FakeCluster cluster;
        cluster.slaves[1]->mode = FakeSlave::Mode::Changed;
        const Outcome o = run({cluster.fileUrl(), QStringLiteral("--json")});
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QLatin1String("the file changed on the server during the "
                                              "transfer")),
                 qPrintable(o.err));
        QVERIFY2(oneLine(o.err), qPrintable(o.err));
        QVERIFY(QDir(m_dir.path()).isEmpty()); // no output, no part file, no record
        const QJsonObject summary =
            QJsonDocument::fromJson(o.out.trimmed().split('\n').last()).object();
        QCOMPARE(summary.value(QLatin1String("ok")).toBool(true), false);
        QCOMPARE(summary.value(QLatin1String("code")).toString(), QStringLiteral("file_changed"));
    }

    // With a token (--token here; the state file's for a bare path) the plan request and every
    // block fetch carry it, so a cluster with require_file_token serves `starling get`.
    void tokenGoesToMasterAndSlaves()
    {
        FakeCluster cluster;
        const Outcome o = run({cluster.fileUrl(), QStringLiteral("-o"), QStringLiteral("tok.bin"),
                               QStringLiteral("--token"), QStringLiteral("tok-123")});
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QCOMPARE(readOutput(QStringLiteral("tok.bin")), cluster.data);
        QCOMPARE(cluster.master.lastAuthorization(), QByteArray("Bearer tok-123"));
        for (const auto &slave : cluster.slaves) {
            QVERIFY(!slave->authorizations().isEmpty());
            for (const QByteArray &authorization : slave->authorizations())
                QCOMPARE(authorization, QByteArray("Bearer tok-123"));
        }
        QVERIFY(!o.out.contains("tok-123"));
    }

    // A master that wants another token: exit 2 (no access), one line, no token shown.
    void unauthorizedIsExitTwo()
    {
        FakeCluster cluster;
        cluster.master.answer(401, R"({"error":"wrong token","code":"unauthorized"})");
        const Outcome o =
            run({cluster.fileUrl(), QStringLiteral("--token"), QStringLiteral("guessed-secret")});
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(QLatin1String("HTTP 401")), qPrintable(o.err));
        QVERIFY2(oneLine(o.err), qPrintable(o.err));
        QVERIFY(!o.err.contains(QLatin1String("guessed-secret")));
        QVERIFY(QDir(m_dir.path()).isEmpty());
    }

    void masterRefusalIsExitOne()
    {
        FakeCluster cluster;
        cluster.master.answer(404,
                              R"({"error":"no such file: sets/f one.bin","code":"not_found"})");
        const Outcome o = run({cluster.fileUrl()});
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QLatin1String("the master refused: no such file")),
                 qPrintable(o.err));
        QVERIFY(oneLine(o.err));
        QVERIFY(QDir(m_dir.path()).isEmpty());
    }

    void resumeAfterFailure()
    {
        FakeCluster cluster;
        for (const auto &slave : cluster.slaves)
            slave->failAfter = 3;
        const Outcome first =
            run({cluster.fileUrl(), QStringLiteral("--stall-timeout"), QStringLiteral("5")});
        QCOMPARE(first.exitCode, 1);
        QVERIFY2(first.err.contains(QLatin1String("every source failed")), qPrintable(first.err));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("f one.bin.starling-part.json"))));
        for (const auto &slave : cluster.slaves)
            slave->failAfter = -1;
        const Outcome second = run({cluster.fileUrl(), QStringLiteral("--resume")});
        QCOMPARE(second.exitCode, 0);
        QCOMPARE(readOutput(QStringLiteral("f one.bin")), cluster.data);
        QVERIFY2(QString::fromUtf8(second.out).contains(QLatin1String("resumed")),
                 second.out.constData());
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("f one.bin")});
    }
};

QTEST_GUILESS_MAIN(GetCliTest)
#include "tst_getcli.moc"
