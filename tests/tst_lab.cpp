// `starling lab`'s host-side plumbing on the real kernel: a 3-slave lab with a profile, a
// command started through starling-lab-exec really runs in its host's namespace and cgroup,
// the qdiscs and CPU quotas hold the profile's numbers, faults change what they should, and
// `lab down` leaves nothing (also after `lab up` was SIGKILLed, and a second time). The cluster
// on top is a stand-in script (the new `starling up` options are not needed here), whose
// "nodes" are processes named starling-node started through the launcher like Hydra's proxies.
// Needs root and network namespaces; skips with the reason otherwise. Traffic: none.
#include "cluster/heterogeneityprofile.h"
#include "cluster/statefile.h"
#include "labcgroups.h"
#include "labnetwork.h"
#include "labplan.h"
#include "labpreflight.h"
#include "labprocesses.h"
#include "labrecord.h"
#include "linkshaper.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace starling;
using namespace starling::cli::lab;

namespace {

const QByteArray kProfile = R"({"name": "lab-test", "slaves": [
    {"cpu_factor": 1.0, "link_MBps": 40},
    {"cpu_factor": 2.0, "link_MBps": 10},
    {"cpu_factor": 0.5, "link_MBps": 80}]})";

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runProgram(const QString &program, const QStringList &arguments,
               const QProcessEnvironment &environment, int timeoutMs = 60000)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    Run run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.err = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

bool oneLine(const QString &text)
{
    return text.trimmed().count(QLatin1Char('\n')) == 0 && !text.trimmed().isEmpty();
}

char processState(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && close + 2 < text.size() ? text.at(close + 2) : 0;
}

bool processAlive(qint64 pid)
{
    const char state = processState(pid);
    return state != 0 && state != 'Z' && state != 'X';
}

bool linkUp(const QString &name)
{
    QProcess ip;
    ip.start(QStringLiteral("ip"), {QStringLiteral("-j"), QStringLiteral("link"),
                                    QStringLiteral("show"), QStringLiteral("dev"), name});
    ip.waitForFinished(10000);
    const QJsonArray links = QJsonDocument::fromJson(ip.readAllStandardOutput()).array();
    return !links.isEmpty() && links.first()
                                   .toObject()
                                   .value(QLatin1String("flags"))
                                   .toArray()
                                   .contains(QStringLiteral("UP"));
}

QString commandOutput(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setStandardErrorFile(QProcess::nullDevice());
    process.start(program, arguments);
    process.waitForFinished(10000);
    return QString::fromLocal8Bit(process.readAllStandardOutput());
}

} // namespace

class TestLab : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void upArgumentErrorsExitTwo_data();
    void upArgumentErrorsExitTwo();

    void labHostsAreRealHosts();
    void failedClusterRemovesTheLab();
    void downAfterUpWasKilled_data();
    void downAfterUpWasKilled();
    void withoutRootNothingIsMade();

private:
    void requireRoot();
    Run lab(const QStringList &arguments, const QString &runDir, const QByteArray &mode = "ok");
    QStringList upArguments() const;
    QString runDir(const QString &name) const { return m_dir.filePath(name); }
    void rememberLab(const QString &runDir);
    void verifyHostsRunInTheirNamespaces(const LabPlan &plan, const QString &recordPath);
    void verifyShapingAndQuotas(const LabPlan &plan);
    void verifyFaults(const LabPlan &plan, const QString &runDir);
    void verifyNothingLeft(const QString &id, const std::vector<qint64> &pids);
    void killUpHalfWay(const QString &runDir, const QByteArray &mode);
    QList<qint64> labNodes(const QString &runDir) const;

    QTemporaryDir m_dir;
    QString m_subnet;
    QString m_skipReason;
    QStringList m_runDirs;
    QStringList m_ids;
};

void TestLab::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(runDir(QStringLiteral("export"))));
    QFile profile(runDir(QStringLiteral("profile.json")));
    QVERIFY(profile.open(QIODevice::WriteOnly) && profile.write(kProfile) == kProfile.size());
    profile.close();
    QVERIFY(QFileInfo(QStringLiteral(STARLING_LAB_FAKE_CLUSTER)).isExecutable());
    // The stand-in node: sleep under a name our cmdline checks accept.
    QVERIFY(QFile::link(QStringLiteral("/bin/sleep"), runDir(QStringLiteral("starling-node"))));
    if (::geteuid() != 0) {
        m_skipReason = QStringLiteral("needs root (namespaces, links, cgroups)");
        return;
    }
    const QString probe = QStringLiteral("stl-probe%1").arg(::getpid());
    if (QProcess::execute(QStringLiteral("ip"),
                          {QStringLiteral("netns"), QStringLiteral("add"), probe}) != 0) {
        m_skipReason = QStringLiteral("ip netns add fails here: no network namespaces");
        return;
    }
    QProcess::execute(QStringLiteral("ip"),
                      {QStringLiteral("netns"), QStringLiteral("del"), probe});
    for (int attempt = 0; attempt < 20 && m_subnet.isEmpty(); ++attempt) {
        const QString candidate =
            QStringLiteral("10.77.%1.0/24").arg(QRandomGenerator::global()->bounded(100, 200));
        if (LabPreflight::checkSubnetFree(*LabSubnet::parse(candidate)))
            m_subnet = candidate;
    }
    if (m_subnet.isEmpty())
        m_skipReason = QStringLiteral("no free subnet 10.77.100-199.0/24");
}

void TestLab::requireRoot()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
}

// Whatever a test made goes, also when it failed half-way: `lab down` first, then by name.
void TestLab::cleanup()
{
    for (const QString &dir : std::as_const(m_runDirs)) {
        rememberLab(dir);
        lab({QStringLiteral("down")}, dir);
    }
    for (const QString &id : std::as_const(m_ids)) {
        if (LabNetwork::linkExists(QStringLiteral("stl-br") + id))
            commandOutput(QStringLiteral("ip"), {QStringLiteral("link"), QStringLiteral("del"),
                                                 QStringLiteral("stl-br") + id});
        for (int k = 1; k <= LabPlan::kMaxSlaves; ++k) {
            const QString name = QStringLiteral("stl-%1-h%2").arg(id).arg(k);
            if (QFileInfo::exists(QStringLiteral("/run/netns/") + name))
                commandOutput(QStringLiteral("ip"),
                              {QStringLiteral("netns"), QStringLiteral("del"), name});
            if (const auto cgroups = LabCgroups::detect())
                QDir().rmdir(cgroups->directory(name));
        }
    }
    m_runDirs.clear();
    m_ids.clear();
}

void TestLab::rememberLab(const QString &dir)
{
    const auto record = LabRecord::load(LabRecord::pathIn(dir));
    if (record && *record && !m_ids.contains((*record)->plan().id()))
        m_ids << (*record)->plan().id();
}

Run TestLab::lab(const QStringList &arguments, const QString &dir, const QByteArray &mode)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("STARLING_LAB_CLUSTER_PROGRAM"),
                       QStringLiteral(STARLING_LAB_FAKE_CLUSTER));
    environment.insert(QStringLiteral("FAKE_NODE"), runDir(QStringLiteral("starling-node")));
    environment.insert(QStringLiteral("FAKE_MODE"), QString::fromLatin1(mode));
    if (!m_runDirs.contains(dir))
        m_runDirs << dir;
    return runProgram(QStringLiteral(STARLING_CLI),
                      QStringList{QStringLiteral("lab")} + arguments +
                          QStringList{QStringLiteral("--run-dir"), dir},
                      environment);
}

QStringList TestLab::upArguments() const
{
    return {QStringLiteral("up"),
            QStringLiteral("--slaves"),
            QStringLiteral("3"),
            QStringLiteral("--profile"),
            runDir(QStringLiteral("profile.json")),
            QStringLiteral("--export"),
            runDir(QStringLiteral("export")),
            QStringLiteral("--subnet"),
            m_subnet};
}

void TestLab::upArgumentErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString exportDir = runDir(QStringLiteral("export"));
    const QStringList base{QStringLiteral("up"), QStringLiteral("--export"), exportDir};
    QTest::newRow("no slaves") << base;
    QTest::newRow("0 slaves") << base +
                                     QStringList{QStringLiteral("--slaves"), QStringLiteral("0")};
    QTest::newRow("33 slaves") << base +
                                      QStringList{QStringLiteral("--slaves"), QStringLiteral("33")};
    QTest::newRow("public subnet")
        << base + QStringList{QStringLiteral("--slaves"), QStringLiteral("2"),
                              QStringLiteral("--subnet"), QStringLiteral("8.8.8.0/24")};
    QTest::newRow("missing profile")
        << base + QStringList{QStringLiteral("--slaves"), QStringLiteral("2"),
                              QStringLiteral("--profile"), QStringLiteral("/nonexistent.json")};
    QTest::newRow("no export") << QStringList{QStringLiteral("up"), QStringLiteral("--slaves"),
                                              QStringLiteral("2")};
    QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("explode")};
    QTest::newRow("unknown option") << QStringList{QStringLiteral("down"), QStringLiteral("--x")};
}

void TestLab::upArgumentErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    const QString dir = runDir(QStringLiteral("run-args"));
    const Run run = lab(arguments, dir);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(oneLine(run.err), qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(LabRecord::pathIn(dir)));
}

void TestLab::labHostsAreRealHosts()
{
    requireRoot();
    const QString dir = runDir(QStringLiteral("run-main"));
    const Run up = lab(upArguments(), dir);
    rememberLab(dir);
    QVERIFY2(up.exitCode == 0, qPrintable(up.out + up.err));
    QVERIFY2(up.out.contains(QStringLiteral("Starling cluster up (fake): 3 slaves")),
             qPrintable(up.out));
    QVERIFY2(up.out.contains(QStringLiteral("slave-4")), qPrintable(up.out));
    const auto record = LabRecord::load(LabRecord::pathIn(dir));
    QVERIFY2(record && *record, qPrintable(record.error()));
    const LabPlan plan = (*record)->plan();
    QCOMPARE(plan.slaveCount(), 3);

    // `starling up` got every host, in rank order, one entry each.
    QFile hosts(QDir(dir).filePath(QStringLiteral("fake-hosts")));
    QVERIFY(hosts.open(QIODevice::ReadOnly));
    QStringList addresses;
    for (const LabHost &host : plan.hosts())
        addresses << host.address;
    QCOMPARE(QString::fromLatin1(hosts.readAll().trimmed()), addresses.join(QLatin1Char(',')));

    verifyHostsRunInTheirNamespaces(plan, (*record)->path());
    if (QTest::currentTestFailed())
        return;
    verifyShapingAndQuotas(plan);
    if (QTest::currentTestFailed())
        return;
    verifyFaults(plan, dir);
    if (QTest::currentTestFailed())
        return;

    // A second lab on the same subnet is refused before it makes anything.
    const QString other = runDir(QStringLiteral("run-second"));
    const Run refused = lab(upArguments(), other);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(oneLine(refused.err) && refused.err.contains(QStringLiteral("in use")),
             qPrintable(refused.err));
    QVERIFY(!QFileInfo::exists(LabRecord::pathIn(other)));

    std::vector<qint64> pids;
    for (const LabProcess &process : (*record)->processes())
        pids.push_back(process.pid);
    QCOMPARE(pids.size(), size_t(1 + 5)); // the stand-in mpiexec pid (0) and five nodes
    const Run down = lab({QStringLiteral("down")}, dir);
    QVERIFY2(down.exitCode == 0, qPrintable(down.out + down.err));
    verifyNothingLeft(plan.id(), pids);
    const Run again = lab({QStringLiteral("down")}, dir);
    QCOMPARE(again.exitCode, 0);
    QVERIFY2(again.out.contains(QStringLiteral("nothing to remove")), qPrintable(again.out));
}

void TestLab::verifyHostsRunInTheirNamespaces(const LabPlan &plan, const QString &recordPath)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(LabRecord::kEnvironmentVariable), recordPath);
    char own[64] = {};
    QVERIFY(::readlink("/proc/self/ns/net", own, sizeof own - 1) > 0);
    const QString probe = QStringLiteral("readlink /proc/self/ns/net; cat /proc/self/cgroup");
    for (const LabHost &host : plan.hosts()) {
        const Run run = runProgram(QStringLiteral(STARLING_LAB_EXEC),
                                   {QStringLiteral("-x"), host.address, probe}, environment);
        QVERIFY2(run.exitCode == 0, qPrintable(host.node + QLatin1Char(' ') + run.err));
        const QString netns = run.out.section(QLatin1Char('\n'), 0, 0);
        if (host.inRootNamespace()) {
            QCOMPARE(netns, QString::fromLatin1(own)); // the same namespace as ours
            continue;
        }
        struct stat info = {};
        QCOMPARE(::stat(qPrintable(QStringLiteral("/run/netns/") + host.netns), &info), 0);
        QCOMPARE(netns, QStringLiteral("net:[%1]").arg(info.st_ino));
        QVERIFY2(run.out.contains(
                     QRegularExpression(QStringLiteral(":(cpu|cpu,cpuacct|cpuacct,cpu|):/") +
                                        host.cgroup + QLatin1Char('\n'))),
                 qPrintable(run.out));
    }
    const Run stranger = runProgram(
        QStringLiteral(STARLING_LAB_EXEC),
        {QStringLiteral("-x"), QStringLiteral("10.1.2.3"), QStringLiteral("true")}, environment);
    QCOMPARE(stranger.exitCode, 255);
}

void TestLab::verifyShapingAndQuotas(const LabPlan &plan)
{
    const auto cgroups = LabCgroups::detect();
    QVERIFY2(cgroups, qPrintable(cgroups.error()));
    for (const LabHost &host : plan.hosts()) {
        if (host.inRootNamespace())
            continue;
        const double wanted = host.linkMBps * 1e6;
        const auto down = LinkShaper::rateBytesPerSecond(host.bridgePort, {});
        const auto up = LinkShaper::rateBytesPerSecond(QStringLiteral("eth0"), host.netns);
        QVERIFY2(down && up, qPrintable(host.node));
        QVERIFY2(qAbs(*down - wanted) <= wanted * 0.01, qPrintable(QString::number(*down)));
        QVERIFY2(qAbs(*up - wanted) <= wanted * 0.01, qPrintable(QString::number(*up)));
        const auto quota = cgroups->quota(cgroups->directory(host.cgroup));
        QVERIFY(quota);
        QCOMPARE(quota->first, LabPlan::quotaFor(host.cpuFactor));
        QCOMPARE(quota->second, LabPlan::kCpuPeriodUs);
    }
    QCOMPARE(cgroups->quota(cgroups->directory(plan.hostByNode(QStringLiteral("slave-3"))->cgroup))
                 ->first,
             LabPlan::kCpuPeriodUs / 2); // cpu_factor 2: half a core
}

void TestLab::verifyFaults(const LabPlan &plan, const QString &dir)
{
    const LabHost &slave = *plan.hostByNode(QStringLiteral("slave-3"));
    QVERIFY(linkUp(slave.bridgePort));
    QCOMPARE(lab({QStringLiteral("cut"), QStringLiteral("slave-3")}, dir).exitCode, 0);
    QVERIFY(!linkUp(slave.bridgePort));
    QCOMPARE(lab({QStringLiteral("heal"), QStringLiteral("slave-3")}, dir).exitCode, 0);
    QVERIFY(linkUp(slave.bridgePort));

    QCOMPARE(lab({QStringLiteral("link"), QStringLiteral("slave-3"), QStringLiteral("2.5")}, dir)
                 .exitCode,
             0);
    QCOMPARE(LinkShaper::rateBytesPerSecond(slave.bridgePort, {}), std::optional<double>(2.5e6));
    QCOMPARE(LinkShaper::rateBytesPerSecond(QStringLiteral("eth0"), slave.netns),
             std::optional<double>(2.5e6));
    for (const QStringList &bad :
         {QStringList{QStringLiteral("link"), QStringLiteral("slave-3"), QStringLiteral("0")},
          QStringList{QStringLiteral("link"), QStringLiteral("slave-3"), QStringLiteral("fast")},
          QStringList{QStringLiteral("link"), QStringLiteral("slave-3")},
          QStringList{QStringLiteral("cut"), QStringLiteral("slave-9")},
          QStringList{QStringLiteral("crash"), QStringLiteral("master")}}) {
        const Run run = lab(bad, dir);
        QVERIFY2(run.exitCode == 2 && oneLine(run.err), qPrintable(bad.join(QLatin1Char(' '))));
    }

    const auto state = cluster::readStateFile(cluster::stateFilePath(dir));
    QVERIFY2(state, qPrintable(state.error()));
    const qint64 hung = state->nodePids.at(2);
    QCOMPARE(lab({QStringLiteral("hang"), QStringLiteral("slave-2")}, dir).exitCode, 0);
    QTRY_COMPARE(processState(hung), 'T');
    QCOMPARE(lab({QStringLiteral("unhang"), QStringLiteral("slave-2")}, dir).exitCode, 0);
    QTRY_VERIFY(processState(hung) != 'T');
    const qint64 crashed = state->nodePids.at(4);
    QCOMPARE(lab({QStringLiteral("crash"), QStringLiteral("slave-4")}, dir).exitCode, 0);
    QTRY_VERIFY(!processAlive(crashed));
    QVERIFY(processAlive(hung));
    QCOMPARE(lab({QStringLiteral("crash"), QStringLiteral("slave-4")}, dir).exitCode, 1);

    const auto record = LabRecord::load(LabRecord::pathIn(dir));
    QVERIFY(record && *record);
    QStringList actions;
    for (const LabFault &fault : (*record)->faults())
        actions << fault.action + QLatin1Char(' ') + fault.node;
    QCOMPARE(actions,
             (QStringList{QStringLiteral("cut slave-3"), QStringLiteral("heal slave-3"),
                          QStringLiteral("link slave-3"), QStringLiteral("hang slave-2"),
                          QStringLiteral("unhang slave-2"), QStringLiteral("crash slave-4")}));
}

void TestLab::verifyNothingLeft(const QString &id, const std::vector<qint64> &pids)
{
    const QString prefix = QStringLiteral("stl-%1-").arg(id);
    const QString netns =
        commandOutput(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")});
    QVERIFY2(!netns.contains(prefix), qPrintable(netns));
    const QString links =
        commandOutput(QStringLiteral("ip"), {QStringLiteral("-br"), QStringLiteral("link")});
    QVERIFY2(!links.contains(prefix) && !links.contains(QStringLiteral("stl-br") + id),
             qPrintable(links));
    const QString qdiscs =
        commandOutput(QStringLiteral("tc"), {QStringLiteral("qdisc"), QStringLiteral("show")});
    QVERIFY2(!qdiscs.contains(prefix), qPrintable(qdiscs));
    if (const auto cgroups = LabCgroups::detect()) {
        for (int k = 1; k <= LabPlan::kMaxSlaves; ++k)
            QVERIFY(!QFileInfo::exists(cgroups->directory(prefix + QStringLiteral("h%1").arg(k))));
    }
    for (const qint64 pid : pids)
        QVERIFY2(pid <= 0 || !processAlive(pid), qPrintable(QString::number(pid)));
    const QString addresses =
        commandOutput(QStringLiteral("ip"), {QStringLiteral("-4"), QStringLiteral("addr")});
    QVERIFY2(!addresses.contains(m_subnet.section(QLatin1Char('.'), 0, 2) + QLatin1Char('.')),
             qPrintable(addresses));
}

void TestLab::failedClusterRemovesTheLab()
{
    requireRoot();
    const QString dir = runDir(QStringLiteral("run-fail"));
    const QStringList netnsList{QStringLiteral("netns"), QStringLiteral("list")};
    const QString namespacesBefore = commandOutput(QStringLiteral("ip"), netnsList);
    const Run up = lab(upArguments(), dir, "fail");
    QCOMPARE(up.exitCode, 1);
    QVERIFY2(oneLine(up.err) && up.err.contains(QStringLiteral("did not start")) &&
                 up.err.contains(QStringLiteral("removed")),
             qPrintable(up.err));
    QVERIFY(!QFileInfo::exists(LabRecord::pathIn(dir)));
    const QString links =
        commandOutput(QStringLiteral("ip"), {QStringLiteral("-4"), QStringLiteral("addr")});
    QVERIFY2(!links.contains(m_subnet.section(QLatin1Char('.'), 0, 2) + QLatin1Char('.')),
             qPrintable(links));
    QCOMPARE(commandOutput(QStringLiteral("ip"), netnsList), namespacesBefore);
}

void TestLab::downAfterUpWasKilled_data()
{
    QTest::addColumn<QByteArray>("mode");
    QTest::newRow("while starling up runs") << QByteArray("block");
    QTest::newRow("while mpiexec runs") << QByteArray("mpiexec");
}

// SIGKILLs `lab up` once its stand-in cluster is running (mpiexec: once Hydra has started a
// node on every host through starling-lab-exec; those on slave hosts must be in their hosts'
// namespaces).
void TestLab::killUpHalfWay(const QString &dir, const QByteArray &mode)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("STARLING_LAB_CLUSTER_PROGRAM"),
                       QStringLiteral(STARLING_LAB_FAKE_CLUSTER));
    environment.insert(QStringLiteral("FAKE_MODE"), QString::fromLatin1(mode));
    environment.insert(QStringLiteral("FAKE_NODE"), runDir(QStringLiteral("starling-node")));
    environment.insert(QStringLiteral("MPIEXEC"), QStringLiteral(MPIEXEC_EXECUTABLE));
    m_runDirs << dir;
    QProcess up;
    up.setProcessEnvironment(environment);
    up.start(QStringLiteral(STARLING_CLI), QStringList{QStringLiteral("lab")} + upArguments() +
                                               QStringList{QStringLiteral("--run-dir"), dir});
    QVERIFY(up.waitForStarted());
    // Also when a check below fails: what it made is then cleanup()'s.
    const auto killUp = qScopeGuard([&up] {
        ::kill(pid_t(up.processId()), SIGKILL);
        up.waitForFinished();
    });
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(QDir(dir).filePath(QStringLiteral("fake-blocked"))),
                             60000);
    if (mode == "mpiexec") {
        QTRY_COMPARE_WITH_TIMEOUT(labNodes(dir).size(), qsizetype(2 + 3), 60000);
        char own[64] = {};
        QVERIFY(::readlink("/proc/self/ns/net", own, sizeof own - 1) > 0);
        int inNamespaces = 0;
        for (const qint64 pid : labNodes(dir)) {
            const QString netns = QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/net").arg(pid))
                                      .section(QLatin1Char('/'), -1);
            inNamespaces += netns != QString::fromLatin1(own) ? 1 : 0;
        }
        QCOMPARE(inNamespaces, 3);
    }
}

// The stand-in nodes of the lab's cluster: processes whose program (argv[0]) is our
// starling-node and whose environment names the lab record, as everything Hydra starts does.
QList<qint64> TestLab::labNodes(const QString &dir) const
{
    QList<qint64> nodes;
    const QByteArray entry =
        QByteArray(LabRecord::kEnvironmentVariable) + '=' + LabRecord::pathIn(dir).toLocal8Bit();
    const QByteArray node = runDir(QStringLiteral("starling-node")).toLocal8Bit() + '\0';
    for (const qint64 pid : LabProcesses::withEnvironment(entry)) {
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().startsWith(node))
            nodes << pid;
    }
    return nodes;
}

void TestLab::downAfterUpWasKilled()
{
    QFETCH(QByteArray, mode);
    requireRoot();
    const QString dir = runDir(QStringLiteral("run-killed-") + QString::fromLatin1(mode));
    killUpHalfWay(dir, mode);
    if (QTest::currentTestFailed())
        return;
    rememberLab(dir);
    const auto record = LabRecord::load(LabRecord::pathIn(dir));
    QVERIFY2(record && *record, "the killed lab up left no record");
    const QString id = (*record)->plan().id();
    std::vector<qint64> pids;
    for (const LabProcess &process : (*record)->processes())
        pids.push_back(process.pid);
    QCOMPARE(pids.size(), size_t(1)); // the stand-in for starling up, still running
    QVERIFY(processAlive(pids.front()));
    for (const qint64 pid : labNodes(dir))
        pids.push_back(pid);
    QVERIFY(LabNetwork::netnsExists((*record)->plan().hosts().back().netns));

    const Run down = lab({QStringLiteral("down")}, dir);
    QVERIFY2(down.exitCode == 0, qPrintable(down.out + down.err));
    verifyNothingLeft(id, pids);
    QVERIFY(labNodes(dir).isEmpty());
    QCOMPARE(lab({QStringLiteral("down")}, dir).exitCode, 0);
}

// Without CAP_NET_ADMIN/CAP_SYS_ADMIN every subcommand says so in one line and makes nothing.
void TestLab::withoutRootNothingIsMade()
{
    requireRoot();
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        QSKIP("setpriv (util-linux) is not installed");
    const QString dir = runDir(QStringLiteral("run-unprivileged"));
    const QStringList drop{QStringLiteral("--reuid=65534"),  QStringLiteral("--regid=65534"),
                           QStringLiteral("--clear-groups"), QStringLiteral("--inh-caps=-all"),
                           QStringLiteral(STARLING_CLI),     QStringLiteral("lab")};
    const QStringList up{QStringLiteral("up"),
                         QStringLiteral("--slaves"),
                         QStringLiteral("2"),
                         QStringLiteral("--export"),
                         QStringLiteral("/tmp"),
                         QStringLiteral("--subnet"),
                         m_subnet,
                         QStringLiteral("--run-dir"),
                         dir};
    for (const QStringList &arguments :
         {up, QStringList{QStringLiteral("down"), QStringLiteral("--run-dir"), dir}}) {
        const Run run =
            runProgram(setpriv, drop + arguments, QProcessEnvironment::systemEnvironment());
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(oneLine(run.err) && run.err.contains(QStringLiteral("root")), qPrintable(run.err));
    }
    QVERIFY(!QFileInfo::exists(dir));
}

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"
