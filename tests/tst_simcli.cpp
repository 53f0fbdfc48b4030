// `starling sim` as a user runs it: the paper table, one run as JSON, CSV and PNG output, and a
// one-line error with exit code 2 for every bad argument or platform file.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Outcome
{
    int exitCode = -1;
    QByteArray out;
    QString err;
};

Outcome runCli(const QStringList &arguments, const QString &program = QStringLiteral(STARLING_CLI))
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished(5'000);
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(),
            QString::fromLocal8Bit(process.readAllStandardError())};
}

const QByteArray kThreeSlaves = R"({"unit_MB": 10, "slaves": [
    {"name": "a", "unit_compute_s": 1.0, "bandwidth_MBps": 30},
    {"name": "b", "unit_compute_s": 2.0, "bandwidth_MBps": 10},
    {"name": "c", "unit_compute_s": 0.5, "bandwidth_MBps": 20}]})";

} // namespace

class TestSimCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writePlatform(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
            return {};
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void paperTableAndVerdict()
    {
        const Outcome o = runCli({QStringLiteral("sim"), QStringLiteral("--paper")});
        QCOMPARE(o.exitCode, 0);
        const QString text = QString::fromUtf8(o.out);
        QVERIFY(text.contains(QStringLiteral("Compute-dominated platform")));
        QVERIFY(text.contains(QStringLiteral("Communication-dominated platform")));
        for (const char *label : {"equal/dec", "cpu/dec", "pdds/dec", "pdds/inc", "pdds/rand",
                                  "optimal/dec", "dynamic/dec", "lower bound"})
            QVERIFY2(text.count(QLatin1String(label)) >= 2, label);
        QVERIFY(text.contains(QStringLiteral("[HOLDS] beats Eq_ds in 6 of 6 cases")));
        QVERIFY(text.contains(QStringLiteral("beats inc order")));
        QVERIFY(text.contains(QStringLiteral("PDDS / optimal, compute-dominated")));
    }

    void oneRunAsJson()
    {
        const QString platform = writePlatform(QStringLiteral("three.json"), kThreeSlaves);
        const Outcome o =
            runCli({QStringLiteral("sim"), QStringLiteral("--platform"), platform,
                    QStringLiteral("--tasks"), QStringLiteral("30"), QStringLiteral("--strategy"),
                    QStringLiteral("optimal"), QStringLiteral("--order"), QStringLiteral("dec"),
                    QStringLiteral("--json")});
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QJsonParseError error;
        const QJsonObject json = QJsonDocument::fromJson(o.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(json.value(QStringLiteral("strategy")).toString(), QStringLiteral("optimal"));
        QCOMPARE(json.value(QStringLiteral("order")).toString(), QStringLiteral("dec"));
        const QJsonArray shares = json.value(QStringLiteral("shares")).toArray();
        QCOMPARE(shares.size(), 3);
        double sum = 0;
        for (const QJsonValue &share : shares) {
            QCOMPARE(share.toDouble(), std::floor(share.toDouble())); // whole tasks
            sum += share.toDouble();
        }
        QCOMPARE(sum, 30.0);
        // Decreasing bandwidth: a (30), c (20), b (10).
        QCOMPARE(json.value(QStringLiteral("send_order")).toArray(),
                 QJsonArray({QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b")}));
        const double makespan = json.value(QStringLiteral("makespan_s")).toDouble();
        const double bound = json.value(QStringLiteral("lower_bound_s")).toDouble();
        QVERIFY(bound > 0);
        QVERIFY(makespan >= bound);
    }

    void divisibleSharesAreReal()
    {
        const QString platform = writePlatform(QStringLiteral("three.json"), kThreeSlaves);
        const Outcome o = runCli({QStringLiteral("sim"), QStringLiteral("--platform"), platform,
                                  QStringLiteral("--tasks"), QStringLiteral("10"),
                                  QStringLiteral("--strategy"), QStringLiteral("optimal"),
                                  QStringLiteral("--divisible"), QStringLiteral("--json")});
        QCOMPARE(o.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(o.out).object();
        bool anyFraction = false;
        for (const QJsonValue &share : json.value(QStringLiteral("shares")).toArray())
            anyFraction = anyFraction || share.toDouble() != std::floor(share.toDouble());
        QVERIFY(anyFraction);
        // All slaves of the divisible optimum finish together.
        const QJsonArray slaves = json.value(QStringLiteral("slaves")).toArray();
        for (const QJsonValue &slave : slaves)
            QVERIFY(qAbs(slave.toObject().value(QStringLiteral("finish_s")).toDouble() -
                         json.value(QStringLiteral("makespan_s")).toDouble()) < 1e-9);
    }

    void csvAndPlotFiles()
    {
        const QString csv = m_dir.filePath(QStringLiteral("paper.csv"));
        const QString png = m_dir.filePath(QStringLiteral("paper.png"));
        const Outcome o = runCli({QStringLiteral("sim"), QStringLiteral("--paper"),
                                  QStringLiteral("--csv"), csv, QStringLiteral("--plot"), png});
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QVERIFY(
            lines.first().startsWith("platform,unit_MB,tasks,divisible,strategy,order,makespan_s"));
        QCOMPARE(lines.size(), 1 + 2 * 3 * 8); // header + platforms x task counts x cases
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), 1200);
        QVERIFY(o.err.isEmpty()); // no offscreen-platform noise for the user
    }

    void plotForOnePlatform()
    {
        // --platform must reach the command, not Qt's own -platform option.
        const QString platform = writePlatform(QStringLiteral("three.json"), kThreeSlaves);
        const QString png = m_dir.filePath(QStringLiteral("one.png"));
        const Outcome o = runCli({QStringLiteral("sim"), QStringLiteral("--platform"), platform,
                                  QStringLiteral("--tasks"), QStringLiteral("12"),
                                  QStringLiteral("--plot"), png});
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QVERIFY(QString::fromUtf8(o.out).contains(QStringLiteral("strategy pdds, order dec")));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 480));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("platform"); // empty: use the valid one
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");

        const QStringList run = {QStringLiteral("--platform"), QStringLiteral("@")};
        QTest::newRow("garbage file")
            << QByteArray("\x01\x02garbage{{") << run << QStringLiteral("not valid JSON");
        QTest::newRow("truncated file")
            << kThreeSlaves.left(40) << run << QStringLiteral("not valid JSON");
        QTest::newRow("oversized file")
            << QByteArray(2 << 20, ' ') << run << QStringLiteral("larger than");
        QTest::newRow("bad bandwidth")
            << QByteArray(
                   R"({"unit_MB": 1, "slaves": [{"unit_compute_s": 1, "bandwidth_MBps": -3}]})")
            << run << QStringLiteral("slaves[0].bandwidth_MBps");
        QTest::newRow("tasks zero")
            << QByteArray() << (run + QStringList{QStringLiteral("--tasks"), QStringLiteral("0")})
            << QStringLiteral("--tasks");
        QTest::newRow("tasks text")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--tasks"), QStringLiteral("many")})
            << QStringLiteral("--tasks");
        QTest::newRow("tasks fraction")
            << QByteArray() << (run + QStringList{QStringLiteral("--tasks"), QStringLiteral("2.5")})
            << QStringLiteral("whole number");
        QTest::newRow("tasks huge")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--tasks"), QStringLiteral("1e300")})
            << QStringLiteral("--tasks");
        QTest::newRow("strategy") << QByteArray()
                                  << (run + QStringList{QStringLiteral("--strategy"),
                                                        QStringLiteral("fastest")})
                                  << QStringLiteral("unknown strategy 'fastest'");
        QTest::newRow("order") << QByteArray()
                               << (run +
                                   QStringList{QStringLiteral("--order"), QStringLiteral("up")})
                               << QStringLiteral("unknown order 'up'");
        QTest::newRow("w1 negative")
            << QByteArray() << (run + QStringList{QStringLiteral("--w1"), QStringLiteral("-1")})
            << QStringLiteral("--w1");
        QTest::newRow("w1 w2 zero")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--w1"), QStringLiteral("0"),
                                  QStringLiteral("--w2"), QStringLiteral("0")})
            << QStringLiteral("cannot both be 0");
        QTest::newRow("slowdown unknown slave")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--slowdown"), QStringLiteral("zz:1:2")})
            << QStringLiteral("--slowdown");
        QTest::newRow("slowdown malformed")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--slowdown"), QStringLiteral("a:x")})
            << QStringLiteral("--slowdown");
        QTest::newRow("estimate error")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--estimate-error"), QStringLiteral("2")})
            << QStringLiteral("--estimate-error");
        QTest::newRow("optimal too many whole tasks")
            << QByteArray()
            << (run + QStringList{QStringLiteral("--strategy"), QStringLiteral("optimal"),
                                  QStringLiteral("--tasks"), QStringLiteral("5000")})
            << QStringLiteral("--divisible");
        QTest::newRow("paper and platform")
            << QByteArray() << (run + QStringList{QStringLiteral("--paper")})
            << QStringLiteral("exactly one of");
        QTest::newRow("neither") << QByteArray() << QStringList()
                                 << QStringLiteral("exactly one of");
        QTest::newRow("unknown option")
            << QByteArray() << QStringList{QStringLiteral("--frobnicate")}
            << QStringLiteral("frobnicate");
        QTest::newRow("missing file")
            << QByteArray()
            << QStringList{QStringLiteral("--platform"), QStringLiteral("/nonexistent/p.json")}
            << QStringLiteral("/nonexistent/p.json");
    }

    void badInput()
    {
        QFETCH(QByteArray, platform);
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const QString path = writePlatform(QStringLiteral("input.json"),
                                           platform.isEmpty() ? kThreeSlaves : platform);
        arguments.replaceInStrings(QStringLiteral("@"), path);
        const Outcome o = runCli(QStringList{QStringLiteral("sim")} + arguments);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(message), qPrintable(o.err));
        QCOMPARE(o.err.count(QLatin1Char('\n')), 1); // one line
        QVERIFY(o.err.startsWith(QStringLiteral("starling sim: ")));
        QVERIFY(o.out.isEmpty());
    }

    void unknownCommand()
    {
        const Outcome o = runCli({QStringLiteral("teleport")});
        QCOMPARE(o.exitCode, 2);
        QVERIFY(o.err.contains(QStringLiteral("unknown command 'teleport'")));
    }

    // `starling` execs starling-sim from its own directory (it links no charts itself); the
    // help names the command as the user typed it, and starling-sim also runs by its own name.
    void simIsItsOwnExecutable()
    {
        const Outcome help = runCli({QStringLiteral("sim"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains("Usage: starling sim [options]"), help.out.constData());
        const QString sibling =
            QFileInfo(QStringLiteral(STARLING_CLI)).dir().filePath(QStringLiteral("starling-sim"));
        const Outcome direct = runCli({QStringLiteral("--paper")}, sibling);
        QCOMPARE(direct.exitCode,
                 runCli({QStringLiteral("sim"), QStringLiteral("--paper")}).exitCode);
        QVERIFY(direct.out.contains("PDDS"));
    }

    void aMissingSimExecutableIsOneLine()
    {
        // A copy of `starling` alone in a directory: what a broken install looks like.
        const QString lonely = m_dir.filePath(QStringLiteral("lonely"));
        QVERIFY(QDir().mkpath(lonely));
        const QString copy = QDir(lonely).filePath(QStringLiteral("starling"));
        QVERIFY(QFile::copy(QStringLiteral(STARLING_CLI), copy));
        QVERIFY(QFile::setPermissions(copy, QFile::ReadOwner | QFile::ExeOwner));
        const Outcome o = runCli({QStringLiteral("sim"), QStringLiteral("--paper")}, copy);
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, QStringLiteral("starling: cannot run %1: No such file or directory\n")
                            .arg(QDir(lonely).filePath(QStringLiteral("starling-sim"))));
        QVERIFY(o.out.isEmpty());
        const Outcome job = runCli({QStringLiteral("job"), QStringLiteral("--help")}, copy);
        QCOMPARE(job.exitCode, 2);
        QVERIFY2(job.err.contains(QStringLiteral("starling-job: No such file")),
                 qPrintable(job.err));
    }
};

QTEST_GUILESS_MAIN(TestSimCli)
#include "tst_simcli.moc"
