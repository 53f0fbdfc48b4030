// How `starling up` runs mpiexec: one proxy per rank, no auto-cleanup, MPI over TCP.
#include "cluster/launchplan.h"

#include <QSet>
#include <QTest>

using starling::cluster::LaunchPlan;

namespace {
QStringList strings(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list << QString::fromUtf8(item);
    return list;
}
} // namespace

class TestLaunchPlan : public QObject
{
    Q_OBJECT

private slots:
    void defaultIsOneLoopbackProxyPerRank();
    void loopbackHostsStayDistinctPastTwoHundredFifty();
    void explicitHostsAndLauncher();
    void hostfile();
    void sharedMemoryLeavesUcxAlone();
    void hostsWithoutLauncherAreHydrasDefault();
    void parseHostfile_data();
    void parseHostfile();
    void parseHosts_data();
    void parseHosts();
};

void TestLaunchPlan::defaultIsOneLoopbackProxyPerRank()
{
    LaunchPlan plan;
    plan.slaves = 3;
    plan.nodeProgram = QStringLiteral("/opt/starling-node");
    plan.nodeArguments = {QStringLiteral("--run-dir"), QStringLiteral("/tmp/r")};
    QCOMPARE(plan.mpiexecArguments(),
             strings({"-disable-auto-cleanup",
                      "-hosts",
                      "127.0.0.1:1,127.0.0.2:1,127.0.0.3:1,127.0.0.4:1,127.0.0.5:1",
                      "-launcher",
                      "fork",
                      "-genv",
                      "UCX_TLS",
                      "tcp",
                      "-genv",
                      "MPIR_CVAR_NOLOCAL",
                      "1",
                      "-genv",
                      "UCX_NET_DEVICES",
                      "lo",
                      "-n",
                      "5",
                      "/opt/starling-node",
                      "--run-dir",
                      "/tmp/r",
                      "--rank-hosts",
                      "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5"}));
}

void TestLaunchPlan::loopbackHostsStayDistinctPastTwoHundredFifty()
{
    const QStringList hosts = LaunchPlan::loopbackHosts(LaunchPlan::kMaxRanks);
    QCOMPARE(hosts.size(), LaunchPlan::kMaxRanks);
    QCOMPARE(QSet<QString>(hosts.begin(), hosts.end()).size(), LaunchPlan::kMaxRanks);
    QCOMPARE(hosts.at(249), QStringLiteral("127.0.0.250"));
    QCOMPARE(hosts.at(250), QStringLiteral("127.0.1.1"));
    for (const QString &host : hosts)
        QVERIFY(host.startsWith(QLatin1String("127.")));
}

void TestLaunchPlan::explicitHostsAndLauncher()
{
    LaunchPlan plan;
    plan.slaves = 1;
    plan.nodeProgram = QStringLiteral("node");
    plan.hosts = {QStringLiteral("10.77.0.1"), QStringLiteral("10.77.0.2"),
                  QStringLiteral("10.77.0.11")};
    plan.launcher = QStringLiteral("ssh");
    plan.launcherExec = QStringLiteral("/usr/bin/lab-exec");
    plan.iface = QStringLiteral("stl-br0");
    const QStringList args = plan.mpiexecArguments();
    QVERIFY(args.contains(QStringLiteral("10.77.0.1:1,10.77.0.2:1,10.77.0.11:1")));
    QCOMPARE(args.at(args.indexOf(QStringLiteral("-launcher")) + 1), QStringLiteral("ssh"));
    QCOMPARE(args.at(args.indexOf(QStringLiteral("-launcher-exec")) + 1),
             QStringLiteral("/usr/bin/lab-exec"));
    QCOMPARE(args.at(args.indexOf(QStringLiteral("-iface")) + 1), QStringLiteral("stl-br0"));
    QCOMPARE(args.first(), QStringLiteral("-disable-auto-cleanup"));
    // Across hosts UCX may use any interface: only one machine is limited to loopback.
    QVERIFY(!args.contains(QStringLiteral("UCX_NET_DEVICES")));
    // Each rank learns its host from us: Hydra does not say when -iface is given.
    QCOMPARE(args.last(), QStringLiteral("10.77.0.1,10.77.0.2,10.77.0.11"));
}

void TestLaunchPlan::hostfile()
{
    LaunchPlan plan;
    plan.slaves = 2;
    plan.nodeProgram = QStringLiteral("node");
    plan.hostfile = QStringLiteral("/etc/hosts.mpi");
    const QStringList args = plan.mpiexecArguments();
    QCOMPARE(args.at(args.indexOf(QStringLiteral("-f")) + 1), QStringLiteral("/etc/hosts.mpi"));
    QVERIFY(!args.contains(QStringLiteral("-hosts")));
    // Across machines Hydra's default launcher (ssh) is the one to use.
    QVERIFY(!args.contains(QStringLiteral("-launcher")));
}

void TestLaunchPlan::sharedMemoryLeavesUcxAlone()
{
    LaunchPlan plan;
    plan.nodeProgram = QStringLiteral("node");
    plan.mpiTransport = QStringLiteral("shm");
    QVERIFY(!plan.mpiexecArguments().contains(QStringLiteral("UCX_TLS")));
    QVERIFY(plan.mpiexecArguments().contains(QStringLiteral("-disable-auto-cleanup")));
}

void TestLaunchPlan::hostsWithoutLauncherAreHydrasDefault()
{
    LaunchPlan plan;
    plan.slaves = 1;
    plan.hosts = strings({"a", "b", "c"});
    QVERIFY(!plan.mpiexecArguments().contains(QStringLiteral("-launcher")));
}

void TestLaunchPlan::parseHostfile_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("hosts");
    QTest::addColumn<QString>("error");
    QTest::newRow("lines") << QByteArray("# head\nhead:1\nhead2\n\n  n1:1  # slave\n")
                           << strings({"head", "head2", "n1"}) << "";
    QTest::newRow("too few") << QByteArray("a\nb\n") << QStringList{}
                             << "the host file needs 3 lines (master, monitor and each slave, "
                                "one host each, in rank order), got 2";
    QTest::newRow("slots") << QByteArray("a\nb:4\nc\n") << QStringList{}
                           << "host file line \"b:4\" is not a host name or address (one slot "
                              "per host: \"host\" or \"host:1\")";
    QTest::newRow("garbage") << QByteArray("a\n\x01\x02\nc\n") << QStringList{}
                             << "host file line \"\x01\x02\" is not a host name or address (one "
                                "slot per host: \"host\" or \"host:1\")";
}

void TestLaunchPlan::parseHostfile()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, hosts);
    QFETCH(QString, error);
    const auto parsed = LaunchPlan::parseHostfile(text, 3);
    if (error.isEmpty()) {
        QVERIFY2(parsed, qPrintable(parsed.error()));
        QCOMPARE(*parsed, hosts);
    } else {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error(), error);
    }
}

void TestLaunchPlan::parseHosts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("ranks");
    QTest::addColumn<QStringList>("hosts");
    QTest::addColumn<QString>("error");
    QTest::newRow("plain") << "a,b,c" << 3 << strings({"a", "b", "c"}) << "";
    QTest::newRow("slots of one") << "10.0.0.1:1, 10.0.0.2:1,n3" << 3
                                  << strings({"10.0.0.1", "10.0.0.2", "n3"}) << "";
    QTest::newRow("too few") << "a,b" << 3 << QStringList{}
                             << "--hosts needs 3 entries (master, monitor and each slave, one "
                                "host each), got 2";
    QTest::newRow("two slots")
        << "a,b:2,c" << 3 << QStringList{}
        << "--hosts entry \"b:2\" is not a host name or address (one slot per host: \"host\" or "
           "\"host:1\")";
    QTest::newRow("shell") << "a,b;rm -rf /,c" << 3 << QStringList{}
                           << "--hosts entry \"b;rm -rf /\" is not a host name or address (one "
                              "slot per host: \"host\" or \"host:1\")";
    QTest::newRow("empty entry") << "a,,c" << 3 << QStringList{}
                                 << "--hosts entry \"\" is not a host name or address (one slot "
                                    "per host: \"host\" or \"host:1\")";
    QTest::newRow("option-like") << "-x,b,c" << 3 << QStringList{}
                                 << "--hosts entry \"-x\" is not a host name or address (one "
                                    "slot per host: \"host\" or \"host:1\")";
}

void TestLaunchPlan::parseHosts()
{
    QFETCH(QString, text);
    QFETCH(int, ranks);
    QFETCH(QStringList, hosts);
    QFETCH(QString, error);
    const auto parsed = LaunchPlan::parseHosts(text, ranks);
    if (error.isEmpty()) {
        QVERIFY2(parsed, qPrintable(parsed.error()));
        QCOMPARE(*parsed, hosts);
    } else {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error(), error);
    }
}

QTEST_GUILESS_MAIN(TestLaunchPlan)
#include "tst_launchplan.moc"
