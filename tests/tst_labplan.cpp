// The pure parts of `starling lab` (no root needed): subnet parsing and overlap, the plan's
// names, addresses, link rates and CPU quotas from a profile, the lab record's round trip and
// its refusal of names outside the lab, how Hydra's ssh-style launcher call is read, and the
// cgroup v2 file logic against a plain directory.
#include "cluster/heterogeneityprofile.h"
#include "labcgroups.h"
#include "labplan.h"
#include "labrecord.h"
#include "labsubnet.h"
#include "sshinvocation.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace starling;
using namespace starling::cli::lab;

namespace {

const QByteArray kProfile = R"({"name": "lab-test", "slaves": [
    {"cpu_factor": 1.0, "link_MBps": 40},
    {"cpu_factor": 2.0, "link_MBps": 10},
    {"cpu_factor": 0.5, "link_MBps": 80}]})";

} // namespace

class TestLabPlan : public QObject
{
    Q_OBJECT

private slots:
    void subnetParsing_data();
    void subnetParsing();
    void subnetOverlap();
    void planNamesAddressesAndQuotas();
    void recordRoundTrip();
    void sshInvocation_data();
    void sshInvocation();
    void cgroupV2Files();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
};
void TestLabPlan::subnetParsing_data()
{
    QTest::addColumn<QString>("cidr");
    QTest::addColumn<bool>("valid");
    QTest::newRow("default") << QStringLiteral("10.77.0.0/24") << true;
    QTest::newRow("172.16/12 range") << QStringLiteral("172.20.5.0/24") << true;
    QTest::newRow("192.168 /16") << QStringLiteral("192.168.0.0/16") << true;
    QTest::newRow("public") << QStringLiteral("8.8.8.0/24") << false;
    QTest::newRow("host bits") << QStringLiteral("10.77.0.5/24") << false;
    QTest::newRow("too small") << QStringLiteral("10.77.0.0/25") << false;
    QTest::newRow("too big") << QStringLiteral("10.0.0.0/8") << false;
    QTest::newRow("no prefix") << QStringLiteral("10.77.0.0") << false;
    QTest::newRow("garbage") << QStringLiteral("ten.77.0.0/24") << false;
    QTest::newRow("octet > 255") << QStringLiteral("10.277.0.0/24") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestLabPlan::subnetParsing()
{
    QFETCH(QString, cidr);
    QFETCH(bool, valid);
    const auto subnet = LabSubnet::parse(cidr);
    QCOMPARE(bool(subnet), valid);
    if (valid)
        QCOMPARE(subnet->toString(), cidr);
    else
        QVERIFY(subnet.error().startsWith(QStringLiteral("--subnet")));
}

void TestLabPlan::subnetOverlap()
{
    const LabSubnet subnet = *LabSubnet::parse(QStringLiteral("10.77.3.0/24"));
    QVERIFY(subnet.overlaps(QStringLiteral("10.77.3.200")));
    QVERIFY(subnet.overlaps(QStringLiteral("10.77.3.128/25")));
    QVERIFY(subnet.overlaps(QStringLiteral("10.0.0.0/8"))); // a route that contains the lab
    QVERIFY(!subnet.overlaps(QStringLiteral("10.77.4.0/24")));
    QVERIFY(!subnet.overlaps(QStringLiteral("192.0.2.2/24")));
    QCOMPARE(subnet.address(11), QStringLiteral("10.77.3.11"));
}

void TestLabPlan::planNamesAddressesAndQuotas()
{
    const auto profile =
        cluster::HeterogeneityProfile::fromJson(kProfile, QStringLiteral("profile"));
    QVERIFY2(profile, qPrintable(profile.error()));
    const auto plan = LabPlan::make(QStringLiteral("ab12"),
                                    *LabSubnet::parse(QStringLiteral("10.77.0.0/24")), 4, *profile);
    QVERIFY2(plan, qPrintable(plan.error()));
    QCOMPARE(plan->bridge(), QStringLiteral("stl-brab12"));
    QCOMPARE(plan->hosts().size(), size_t(6));
    QCOMPARE(plan->hosts()[0].node, QStringLiteral("master"));
    QCOMPARE(plan->hosts()[0].address, QStringLiteral("10.77.0.1"));
    QVERIFY(plan->hosts()[0].inRootNamespace());
    QCOMPARE(plan->hosts()[1].address, QStringLiteral("10.77.0.2"));
    const LabHost &first = plan->hosts()[2];
    QCOMPARE(first.node, QStringLiteral("slave-2"));
    QCOMPARE(first.address, QStringLiteral("10.77.0.11"));
    QCOMPARE(first.netns, QStringLiteral("stl-ab12-h1"));
    QCOMPARE(first.cpuQuotaUs, LabPlan::kCpuPeriodUs); // factor 1 = one full core
    QCOMPARE(plan->hosts()[3].cpuQuotaUs, LabPlan::kCpuPeriodUs / 2);
    QCOMPARE(plan->hosts()[4].cpuQuotaUs, LabPlan::kCpuPeriodUs * 2);
    QCOMPARE(plan->hosts()[4].linkMBps, 80.0);
    const LabHost &beyond = plan->hosts()[5]; // no profile entry: not limited
    QCOMPARE(beyond.address, QStringLiteral("10.77.0.14"));
    QCOMPARE(beyond.cpuQuotaUs, qint64(-1));
    QVERIFY(beyond.cgroup.isEmpty());
    QCOMPARE(beyond.linkMBps, 0.0);
    for (const LabHost &host : plan->hosts()) {
        QVERIFY(host.bridgePort.size() <= 15);
        QCOMPARE(plan->hostByAddress(host.address), &host);
    }
    QCOMPARE(LabPlan::quotaFor(1000), LabPlan::kMinCpuQuotaUs);
    QVERIFY(!LabPlan::make(QStringLiteral("ab12"),
                           *LabSubnet::parse(QStringLiteral("10.77.0.0/24")), 33, *profile));
    QVERIFY(!LabPlan::make(QStringLiteral("AB-1"),
                           *LabSubnet::parse(QStringLiteral("10.77.0.0/24")), 1, *profile));
}

void TestLabPlan::recordRoundTrip()
{
    const auto plan = LabPlan::make(QStringLiteral("zz9"),
                                    *LabSubnet::parse(QStringLiteral("10.77.0.0/24")), 2, {});
    QVERIFY(plan);
    const QString file = path(QStringLiteral("record-test/lab.json"));
    LabRecord record(file, *plan);
    QVERIFY(record.addResource({LabResource::Kind::Netns, QStringLiteral("stl-zz9-h1"), {}}));
    QVERIFY(record.addResource(
        {LabResource::Kind::Qdisc, QStringLiteral("eth0"), QStringLiteral("stl-zz9-h1")}));
    QVERIFY(record.addProcess({42, QStringLiteral("starling-node"), QStringLiteral("slave-2")}));
    QVERIFY(record.addFault({7, QStringLiteral("slave-2"), QStringLiteral("cut"), {}}));
    struct stat info = {};
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, 0600u);
    const auto loaded = LabRecord::load(file);
    QVERIFY2(loaded && *loaded, qPrintable(loaded.error()));
    QCOMPARE((*loaded)->resources(), record.resources());
    QCOMPARE((*loaded)->processes(), record.processes());
    QCOMPARE((*loaded)->faults().size(), size_t(1));
    QCOMPARE((*loaded)->plan().hosts(), plan->hosts());
    QVERIFY(record.remove());
    const auto gone = LabRecord::load(file);
    QVERIFY(gone && !*gone);
    // A record naming something outside the lab is refused, not acted on.
    QFile damaged(file);
    QVERIFY(damaged.open(QIODevice::WriteOnly));
    damaged.write(R"({"plan": {"id": "zz9", "bridge": "stl-brzz9", "hosts": [{}, {},
        {"node": "slave-2", "netns": "eth0"}]}})");
    damaged.close();
    QVERIFY(!LabRecord::load(file));
}

void TestLabPlan::sshInvocation_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("command");
    QTest::newRow("hydra") << QStringList{QStringLiteral("-x"), QStringLiteral("10.77.0.11"),
                                          QStringLiteral("\"/usr/bin/hydra_pmi_proxy\""),
                                          QStringLiteral("--control-port"),
                                          QStringLiteral("10.77.0.1:4000")}
                           << QStringLiteral("10.77.0.11")
                           << QStringLiteral("\"/usr/bin/hydra_pmi_proxy\" --control-port "
                                             "10.77.0.1:4000");
    QTest::newRow("options with values")
        << QStringList{QStringLiteral("-o"),     QStringLiteral("StrictHostKeyChecking=no"),
                       QStringLiteral("-p22"),   QStringLiteral("-xT"),
                       QStringLiteral("-l"),     QStringLiteral("root"),
                       QStringLiteral("root@h"), QStringLiteral("true")}
        << QStringLiteral("h") << QStringLiteral("true");
    QTest::newRow("no command") << QStringList{QStringLiteral("-x"), QStringLiteral("h")}
                                << QString() << QString();
    QTest::newRow("no host") << QStringList{QStringLiteral("-x")} << QString() << QString();
}

void TestLabPlan::sshInvocation()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, host);
    QFETCH(QString, command);
    const auto invocation = SshInvocation::parse(arguments);
    QCOMPARE(bool(invocation), !host.isEmpty());
    if (invocation) {
        QCOMPARE(invocation->host, host);
        QCOMPARE(invocation->command, command);
    }
}

// The v2 file logic against a plain directory that looks like a cgroup2 root.
void TestLabPlan::cgroupV2Files()
{
    const QString root = path(QStringLiteral("fake-cgroup2"));
    QVERIFY(QDir().mkpath(root));
    QFile controllers(QDir(root).filePath(QStringLiteral("cgroup.controllers")));
    QVERIFY(controllers.open(QIODevice::WriteOnly));
    controllers.write("cpuset cpu io memory pids\n");
    controllers.close();
    const auto cgroups = LabCgroups::detect(root);
    QVERIFY2(cgroups, qPrintable(cgroups.error()));
    QCOMPARE(cgroups->version(), LabCgroups::Version::V2);
    const QString group = cgroups->directory(QStringLiteral("stl-t-h1"));
    QVERIFY(cgroups->create(group, 25000, 100000));
    QFile subtree(QDir(root).filePath(QStringLiteral("cgroup.subtree_control")));
    QVERIFY(subtree.open(QIODevice::ReadOnly));
    QCOMPARE(subtree.readAll(), QByteArray("+cpu"));
    QCOMPARE(cgroups->quota(group),
             std::make_optional(std::make_pair(qint64(25000), qint64(100000))));
    QVERIFY(!LabCgroups::detect(path(QStringLiteral("record-test")))); // no controller at all
}

QTEST_GUILESS_MAIN(TestLabPlan)
#include "tst_labplan.moc"
