// ProcSampler: node and process resource use from /proc. A fake proc tree with two samples and
// hand-computed rates, every input file malformed in turn, and the real /proc of this test.
#include "cluster/procsampler.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <ctime>
#include <memory>
#include <unistd.h>

using namespace starling::cluster;

namespace {

constexpr qint64 kPid = 4242;
const long kTicks = ::sysconf(_SC_CLK_TCK); // USER_HZ: the unit of /proc CPU times

struct Cpu
{
    qint64 user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0,
           guest = 0, guestNice = 0;
};

QByteArray statFile(const Cpu &c)
{
    QByteArray line = "cpu ";
    for (qint64 v : {c.user, c.nice, c.system, c.idle, c.iowait, c.irq, c.softirq, c.steal, c.guest,
                     c.guestNice})
        line += ' ' + QByteArray::number(v);
    // Per-core lines must not be mistaken for the aggregate one.
    return line + "\ncpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 9 9 9 9 9 9 9 9 0 0\nintr 12345 0 0\n"
                  "ctxt 999\nbtime 1700000000\nprocesses 77\n";
}

// /proc/<pid>/stat; comm goes in verbatim (with its parentheses) to test the last-')' rule.
QByteArray pidStatFile(const QByteArray &comm, qint64 utime, qint64 stime)
{
    return QByteArray::number(kPid) + " (" + comm + ") S 1 4242 4242 0 -1 4194560 1529 0 0 0 " +
           QByteArray::number(utime) + ' ' + QByteArray::number(stime) +
           " 0 0 20 0 3 0 123456 250000000 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 "
           "0 17 1 0 0 0 0 0\n";
}

QByteArray memInfoFile(qint64 totalKb, qint64 availableKb)
{
    return "MemTotal:       " + QByteArray::number(totalKb) +
           " kB\nMemFree:          100000 kB\nMemAvailable:   " + QByteArray::number(availableKb) +
           " kB\nBuffers:           20000 kB\nCached:           300000 kB\n"
           "HugePages_Total:       0\nHugepagesize:       2048 kB\n";
}

QByteArray statusFile(qint64 rssKb)
{
    return "Name:\ttst_procsampler\nState:\tS (sleeping)\nPid:\t4242\nVmPeak:\t  900000 kB\n"
           "VmSize:\t  800000 kB\nVmHWM:\t  70000 kB\nVmRSS:\t   " +
           QByteArray::number(rssKb) + " kB\nRssAnon:\t   10000 kB\nThreads:\t3\n";
}

struct Interface
{
    QByteArray name;
    qint64 rx = 0;
    qint64 tx = 0;
};

QByteArray netDevFile(const QList<Interface> &interfaces)
{
    QByteArray text =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
        "errs drop fifo colls carrier compressed\n";
    for (const Interface &i : interfaces) {
        text += "  " + i.name + ": " + QByteArray::number(i.rx) + " 10 0 0 0 0 0 0 " +
                QByteArray::number(i.tx) + " 12 0 0 0 0 0 0\n";
    }
    return text;
}

QByteArray tcpLine(int slot, const char *state, qint64 inode)
{
    return "   " + QByteArray::number(slot) + ": 0100007F:1F90 0100007F:C350 " + state +
           " 00000000:00000000 00:00000000 00000000  1000        0 " + QByteArray::number(inode) +
           " 1 0000000000000000 20 4 30 10 -1\n";
}

const QByteArray kTcpHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                              "retrnsmt   uid  timeout inode\n";

// Everything one sample reads.
struct ProcFiles
{
    QByteArray stat, pidStat, netDev, memInfo, status, tcp, tcp6;
    QList<QByteArray> fdTargets; // symlink targets of <pid>/fd/0, 1, ...
};

// The values one sample should produce (the fields ProcSampler owns).
struct Expectation
{
    double nodeCpu = 0, processCpu = 0, txBytesPerS = 0, rxBytesPerS = 0;
    qint64 memUsed = 0, memTotal = 0, rss = 0;
    int connections = 0;
};

} // namespace

Q_DECLARE_METATYPE(ProcFiles)
Q_DECLARE_METATYPE(Expectation)

namespace {

// Writes (or rewrites) the fake tree; a null QByteArray removes that file.
bool writeTree(const QString &root, const ProcFiles &files)
{
    const QString pidDir = root + u'/' + QString::number(kPid);
    if (!QDir().mkpath(root + QLatin1String("/net")) || !QDir().mkpath(pidDir))
        return false;
    const QList<QPair<QString, QByteArray>> all{
        {root + QLatin1String("/stat"), files.stat},
        {root + QLatin1String("/meminfo"), files.memInfo},
        {root + QLatin1String("/net/dev"), files.netDev},
        {root + QLatin1String("/net/tcp"), files.tcp},
        {root + QLatin1String("/net/tcp6"), files.tcp6},
        {pidDir + QLatin1String("/stat"), files.pidStat},
        {pidDir + QLatin1String("/status"), files.status},
    };
    for (const auto &[path, content] : all) {
        QFile::remove(path);
        if (!content.isNull() && !writeFile(path, content))
            return false;
    }
    const QString fdDir = pidDir + QLatin1String("/fd");
    if (!QDir(fdDir).removeRecursively() || !QDir().mkpath(fdDir))
        return false;
    for (qsizetype i = 0; i < files.fdTargets.size(); ++i) {
        // QFile::link writes the target verbatim, like the kernel's "socket:[N]" magic links.
        if (!QFile::link(QString::fromLatin1(files.fdTargets[i]),
                         fdDir + u'/' + QString::number(i)))
            return false;
    }
    return true;
}

// A plausible machine: four sockets (two ESTABLISHED), a pipe whose inode is also in the TCP
// table as ESTABLISHED (must not count: it is not a socket link), and someone else's socket.
ProcFiles baseFiles()
{
    ProcFiles f;
    f.stat = statFile({1000, 20, 500, 8000, 500, 10, 10, 0, 0, 0});
    f.pidStat = pidStatFile("starling-node", 100, 50);
    f.netDev = netDevFile({{"lo", 10000, 10000}, {"eth0", 5000, 2000}});
    f.memInfo = memInfoFile(16000000, 4000000);
    f.status = statusFile(51200);
    f.tcp = kTcpHeader + tcpLine(0, "01", 100) + tcpLine(1, "0A", 101) + tcpLine(2, "01", 555) +
            tcpLine(3, "01", 999);
    f.tcp6 = kTcpHeader + tcpLine(0, "01", 102) + tcpLine(1, "06", 103);
    f.fdTargets = {"/dev/null",    "socket:[100]", "socket:[101]",         "pipe:[555]",
                   "socket:[102]", "socket:[103]", "anon_inode:[eventfd]", "/tmp/log (deleted)"};
    return f;
}

// What baseFiles() followed by secondFiles() 1500 ms later gives.
ProcFiles secondFiles()
{
    ProcFiles f = baseFiles();
    // busy +300 user +100 system +100 irq +50 softirq +50 steal = 600; idle +350 +50 iowait =
    // 400; guest +200 and guest_nice +50 are already inside user/nice and must not add.
    f.stat = statFile({1300, 20, 600, 8350, 550, 110, 60, 50, 200, 50});
    // +0.75 s of CPU (0.5 user, 0.25 system) in 1.5 s = 0.5 of a core.
    f.pidStat = pidStatFile("starling-node", 100 + kTicks / 2, 50 + kTicks / 4);
    // rx +3000 (lo) +3000 (eth0) = 6000 -> 4000/s; tx +3000 +600 = 3600 -> 2400/s.
    f.netDev = netDevFile({{"lo", 13000, 13000}, {"eth0", 8000, 2600}});
    return f;
}

Expectation baseExpectation()
{
    Expectation e;
    e.nodeCpu = 0.6;
    e.processCpu = 0.5;
    e.txBytesPerS = 2400;
    e.rxBytesPerS = 4000;
    e.memUsed = 12000000LL * 1024;
    e.memTotal = 16000000LL * 1024;
    e.rss = 51200LL * 1024;
    e.connections = 2; // inodes 100 (tcp) and 102 (tcp6)
    return e;
}

void compareStats(const NodeStats &s, const Expectation &e)
{
    QCOMPARE(s.nodeCpu, e.nodeCpu);
    QCOMPARE(s.processCpu, e.processCpu);
    QCOMPARE(s.txBytesPerS, e.txBytesPerS);
    QCOMPARE(s.rxBytesPerS, e.rxBytesPerS);
    QCOMPARE(s.nodeMemUsedBytes, e.memUsed);
    QCOMPARE(s.nodeMemTotalBytes, e.memTotal);
    QCOMPARE(s.processRssBytes, e.rss);
    QCOMPARE(s.connections, e.connections);
}

Expectation withoutRates(Expectation e)
{
    e.nodeCpu = e.processCpu = e.txBytesPerS = e.rxBytesPerS = 0;
    return e;
}

// A literal with embedded NUL bytes, all of it.
template<qsizetype N> QByteArray bytes(const char (&text)[N])
{
    return QByteArray(text, N - 1);
}

qint64 processCpuNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace

class TestProcSampler : public QObject
{
    Q_OBJECT

private slots:
    void fakeTree_data();
    void fakeTree();
    void malformed_data();
    void malformed();
    void rateForgetsCountersAcrossBadSample();
    void missingRoot();
    void realProcess();
    void realConnectionsFollowSockets();
};

void TestProcSampler::fakeTree_data()
{
    QTest::addColumn<ProcFiles>("first");
    QTest::addColumn<ProcFiles>("second");
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<Expectation>("expected");

    QTest::newRow("busy node") << baseFiles() << secondFiles() << qint64(1500) << baseExpectation();

    {
        // comm may hold spaces and ')' — only the last ')' ends it.
        ProcFiles a = baseFiles(), b = secondFiles();
        a.pidStat = pidStatFile("evil) S 1 2 (x y", 100, 50);
        b.pidStat = pidStatFile("evil) S 1 2 (x y", 100 + kTicks / 2, 50 + kTicks / 4);
        QTest::newRow("comm with spaces and parens") << a << b << qint64(1500) << baseExpectation();
    }
    {
        ProcFiles b = baseFiles();
        Expectation e = baseExpectation();
        e.nodeCpu = e.processCpu = e.txBytesPerS = e.rxBytesPerS = 0;
        QTest::newRow("nothing moved") << baseFiles() << b << qint64(1000) << e;
    }
    {
        // Only user and system ticks advance: the node is fully busy. Two cores' worth of
        // process time in 1 s: a multi-threaded process exceeds one core.
        ProcFiles b = baseFiles();
        b.stat = statFile({1100, 20, 600, 8000, 500, 10, 10, 0, 0, 0});
        b.pidStat = pidStatFile("starling-node", 100 + kTicks, 50 + kTicks);
        b.netDev = netDevFile({{"lo", 10000 + 1000000, 10000 + 2000000}, {"eth0", 5000, 2000}});
        Expectation e = baseExpectation();
        e.nodeCpu = 1.0;
        e.processCpu = 2.0;
        e.rxBytesPerS = 1000000;
        e.txBytesPerS = 2000000;
        QTest::newRow("fully busy, loopback traffic counts")
            << baseFiles() << b << qint64(1000) << e;
    }
    {
        // Counters that go down (reboot-less reset, interface removed) give 0, never negative.
        ProcFiles b = baseFiles();
        b.stat = statFile({900, 20, 400, 7000, 500, 10, 10, 0, 0, 0});
        b.pidStat = pidStatFile("starling-node", 10, 5);
        b.netDev = netDevFile({{"lo", 10000, 10000}});
        Expectation e = baseExpectation();
        e.nodeCpu = e.processCpu = e.txBytesPerS = e.rxBytesPerS = 0;
        QTest::newRow("counters went backwards") << baseFiles() << b << qint64(1000) << e;
    }
    {
        // Pre-2.6.11 cpu line (four columns) and the old net/dev layout with no space after ':'.
        ProcFiles a = baseFiles(), b = baseFiles();
        a.stat = "cpu 100 0 100 800\n";
        b.stat = "cpu 400 0 200 1400\n";
        a.netDev = "Inter-| Receive | Transmit\n face |bytes ...|bytes ...\n"
                   "  eth0:123456789 1 0 0 0 0 0 0 987654321 1 0 0 0 0 0 0\n";
        b.netDev = "Inter-| Receive | Transmit\n face |bytes ...|bytes ...\n"
                   "  eth0:123458789 1 0 0 0 0 0 0 987655321 1 0 0 0 0 0 0\n";
        Expectation e = baseExpectation();
        e.nodeCpu = 0.4;      // busy 300 + 100 = 400 of 1000
        e.processCpu = 0;     // pid stat unchanged
        e.rxBytesPerS = 1000; // +2000 in 2 s
        e.txBytesPerS = 500;  // +1000 in 2 s
        QTest::newRow("old kernel layouts") << a << b << qint64(2000) << e;
    }
    {
        // A clock step backwards yields zero rates rather than negative ones.
        Expectation e = baseExpectation();
        e.nodeCpu = e.processCpu = e.txBytesPerS = e.rxBytesPerS = 0;
        QTest::newRow("clock went backwards") << baseFiles() << secondFiles() << qint64(-500) << e;
    }
}

void TestProcSampler::fakeTree()
{
    QFETCH(ProcFiles, first);
    QFETCH(ProcFiles, second);
    QFETCH(qint64, elapsedMs);
    QFETCH(Expectation, expected);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcSampler sampler(dir.path(), kPid);
    QCOMPARE(sampler.pid(), kPid);

    QVERIFY(writeTree(dir.path(), first));
    NodeStats stats;
    stats.queueLength = 7; // not the sampler's: must survive
    const qint64 t0 = 1700000000000;
    sampler.sample(stats, t0);
    QCOMPARE(stats.pid, kPid);
    QCOMPARE(stats.sampledAtMs, t0);
    QCOMPARE(stats.queueLength, 7);
    // The first sample has no previous one: no rates, but the levels are there.
    compareStats(stats, withoutRates(expected));
    if (QTest::currentTestFailed())
        return;

    QVERIFY(writeTree(dir.path(), second));
    sampler.sample(stats, t0 + elapsedMs);
    QCOMPARE(stats.sampledAtMs, t0 + elapsedMs);
    compareStats(stats, expected);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(stats.queueLength, 7);
}

void TestProcSampler::malformed_data()
{
    QTest::addColumn<QString>("file");       // relative to the root; <pid> is replaced
    QTest::addColumn<QByteArray>("content"); // null = the file is missing
    QTest::addColumn<Expectation>("expected");

    const Expectation good = baseExpectation();
    auto without = [&](auto clear) {
        Expectation e = good;
        clear(e);
        return e;
    };
    const Expectation noNodeCpu = without([](Expectation &e) { e.nodeCpu = 0; });
    const Expectation noProcessCpu = without([](Expectation &e) { e.processCpu = 0; });
    const Expectation noMem = without([](Expectation &e) { e.memUsed = e.memTotal = 0; });
    const Expectation noMemUsed = without([](Expectation &e) { e.memUsed = 0; });
    const Expectation noRss = without([](Expectation &e) { e.rss = 0; });
    const Expectation noNet = without([](Expectation &e) { e.txBytesPerS = e.rxBytesPerS = 0; });
    const Expectation noConnections = without([](Expectation &e) { e.connections = 0; });

    const QString stat = QStringLiteral("stat");
    QTest::newRow("stat missing") << stat << QByteArray() << noNodeCpu;
    QTest::newRow("stat empty") << stat << QByteArray("") << noNodeCpu;
    QTest::newRow("stat garbage") << stat << bytes("hello\x00\xff world\n") << noNodeCpu;
    QTest::newRow("stat truncated") << stat << QByteArray("cpu  1300 20") << noNodeCpu;
    QTest::newRow("stat negative") << stat << QByteArray("cpu -1 0 0 0 0 0 0 0\n") << noNodeCpu;
    QTest::newRow("stat non-numeric")
        << stat << QByteArray("cpu 1300 20 600 8350x 550 0 0 0\n") << noNodeCpu;
    QTest::newRow("stat overflow")
        << stat << QByteArray("cpu 99999999999999999999 0 0 0 0 0 0 0\n") << noNodeCpu;
    QTest::newRow("stat sum overflow")
        << stat << QByteArray("cpu 9223372036854775807 9223372036854775807 0 1 0 0 0 0\n")
        << noNodeCpu;
    // Oversized: the aggregate line sits beyond the read bound.
    QTest::newRow("stat oversized")
        << stat << QByteArray(2 << 20, 'x') + "\n" + statFile({}) << noNodeCpu;

    const QString pidStat = QStringLiteral("<pid>/stat");
    QTest::newRow("pid stat missing") << pidStat << QByteArray() << noProcessCpu;
    QTest::newRow("pid stat empty") << pidStat << QByteArray("") << noProcessCpu;
    QTest::newRow("pid stat no paren")
        << pidStat << QByteArray("4242 starling S 1 2 3 4 5 6 7 8 9 10 11 12 13\n") << noProcessCpu;
    QTest::newRow("pid stat truncated after comm")
        << pidStat << QByteArray("4242 (starling) S 1 4242 4242 0 -1 4194560 1529 0")
        << noProcessCpu;
    QTest::newRow("pid stat non-numeric times")
        << pidStat << QByteArray("4242 (a) S 1 2 3 4 5 6 7 8 9 10 utime stime 0 0\n")
        << noProcessCpu;

    const QString memInfo = QStringLiteral("meminfo");
    QTest::newRow("meminfo missing") << memInfo << QByteArray() << noMem;
    QTest::newRow("meminfo empty") << memInfo << QByteArray("") << noMem;
    QTest::newRow("meminfo no MemAvailable")
        << memInfo << QByteArray("MemTotal: 16000000 kB\nMemFree: 100 kB\n") << noMemUsed;
    QTest::newRow("meminfo bad total")
        << memInfo << QByteArray("MemTotal: lots kB\nMemAvailable: 4000000 kB\n") << noMem;
    QTest::newRow("meminfo wrong unit")
        << memInfo << QByteArray("MemTotal: 16000 MB\nMemAvailable: 4000 MB\n") << noMem;
    QTest::newRow("meminfo available above total")
        << memInfo << QByteArray("MemTotal: 16000000 kB\nMemAvailable: 17000000 kB\n") << noMemUsed;
    QTest::newRow("meminfo overflow")
        << memInfo << QByteArray("MemTotal: 9223372036854775807 kB\nMemAvailable: 1 kB\n") << noMem;

    const QString status = QStringLiteral("<pid>/status");
    QTest::newRow("status missing") << status << QByteArray() << noRss;
    QTest::newRow("status no VmRSS")
        << status << QByteArray("Name:\tx\nVmSize:\t100 kB\n") << noRss;
    QTest::newRow("status VmRSS no unit") << status << QByteArray("VmRSS:\t12\n") << noRss;
    QTest::newRow("status VmRSS truncated") << status << QByteArray("VmRSS:") << noRss;

    const QString netDev = QStringLiteral("net/dev");
    QTest::newRow("net/dev missing") << netDev << QByteArray() << noNet;
    QTest::newRow("net/dev headers only") << netDev << netDevFile({}) << noNet;
    QTest::newRow("net/dev truncated line")
        << netDev << netDevFile({{"lo", 1, 1}}) + "  eth0: 8000 10 0" << noNet;
    QTest::newRow("net/dev garbage")
        << netDev << QByteArray("eth0: a b c d e f g h i j k l m n o p") << noNet;

    // Connections: one table broken or gone still counts the other; both gone count none.
    const Expectation onlyTcp6 = without([](Expectation &e) { e.connections = 1; });
    QTest::newRow("tcp missing") << QStringLiteral("net/tcp") << QByteArray() << onlyTcp6;
    QTest::newRow("tcp garbage") << QStringLiteral("net/tcp")
                                 << bytes("01 01 01 01 01 01 01 01 01 x\n\x00\x01") << onlyTcp6;
    QTest::newRow("tcp truncated line")
        << QStringLiteral("net/tcp") << kTcpHeader + tcpLine(0, "01", 100).left(40) << onlyTcp6;
    const Expectation onlyTcp = without([](Expectation &e) { e.connections = 1; });
    QTest::newRow("tcp6 empty") << QStringLiteral("net/tcp6") << QByteArray("") << onlyTcp;
    QTest::newRow("fd dir missing") << QStringLiteral("<pid>/fd") << QByteArray() << noConnections;
}

void TestProcSampler::malformed()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(Expectation, expected);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path =
        dir.path() + u'/' + QString(file).replace(QLatin1String("<pid>"), QString::number(kPid));
    // The bad file is bad in both samples; everything else is the "busy node" row.
    auto spoil = [&] {
        if (file.endsWith(QLatin1String("/fd")))
            return QDir(path).removeRecursively();
        QFile::remove(path);
        return content.isNull() || writeFile(path, content);
    };
    ProcSampler sampler(dir.path(), kPid);
    NodeStats stats;
    QVERIFY(writeTree(dir.path(), baseFiles()));
    QVERIFY(spoil());
    sampler.sample(stats, 1000);
    compareStats(stats, withoutRates(expected));
    if (QTest::currentTestFailed())
        return;
    QVERIFY(writeTree(dir.path(), secondFiles()));
    QVERIFY(spoil());
    sampler.sample(stats, 2500);
    compareStats(stats, expected);
}

void TestProcSampler::rateForgetsCountersAcrossBadSample()
{
    // good, unreadable, good: the third sample must not diff against the first (that would
    // spread two periods' ticks over one); the fourth has a fresh previous sample again.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcSampler sampler(dir.path(), kPid);
    NodeStats stats;
    QVERIFY(writeTree(dir.path(), baseFiles()));
    sampler.sample(stats, 1000);
    ProcFiles broken = secondFiles();
    broken.stat = "cpu garbage\n";
    broken.netDev = QByteArray();
    QVERIFY(writeTree(dir.path(), broken));
    sampler.sample(stats, 2500);
    QCOMPARE(stats.nodeCpu, 0.0);
    QCOMPARE(stats.rxBytesPerS, 0.0);
    QCOMPARE(stats.processCpu, 0.5); // its own file was fine

    QVERIFY(writeTree(dir.path(), secondFiles()));
    sampler.sample(stats, 4000);
    QCOMPARE(stats.nodeCpu, 0.0);
    QCOMPARE(stats.rxBytesPerS, 0.0);

    ProcFiles third = secondFiles();
    third.stat = statFile({1400, 20, 600, 8650, 550, 110, 60, 50, 200, 50}); // +100 busy, +300 idle
    third.netDev = netDevFile({{"lo", 14000, 13000}, {"eth0", 8000, 2600}}); // +1000 rx
    QVERIFY(writeTree(dir.path(), third));
    sampler.sample(stats, 5000);
    QCOMPARE(stats.nodeCpu, 0.25);
    QCOMPARE(stats.rxBytesPerS, 1000.0);
    QCOMPARE(stats.txBytesPerS, 0.0);
}

void TestProcSampler::missingRoot()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcSampler sampler(dir.path() + QLatin1String("/does-not-exist"), kPid);
    NodeStats stats;
    stats.nodeCpu = 0.9; // stale values from an earlier heartbeat must not survive
    stats.connections = 5;
    stats.processRssBytes = 1;
    sampler.sample(stats, 1000);
    sampler.sample(stats, 2000);
    QCOMPARE(stats.pid, kPid);
    QCOMPARE(stats.sampledAtMs, qint64(2000));
    compareStats(stats, Expectation{});
}

void TestProcSampler::realProcess()
{
    ProcSampler sampler; // /proc, this process
    QCOMPARE(sampler.pid(), QCoreApplication::applicationPid());
    NodeStats stats;
    const qint64 t0 = 1000000;
    sampler.sample(stats, t0);
    QCOMPARE(stats.pid, QCoreApplication::applicationPid());
    QVERIFY(stats.processRssBytes > 0);
    QVERIFY(stats.nodeMemTotalBytes > 0);
    QVERIFY(stats.nodeMemUsedBytes > 0);
    QVERIFY(stats.nodeMemUsedBytes <= stats.nodeMemTotalBytes);

    // Burn 200 ms of CPU and push 1 MB through loopback, then sample "1 s" later (the sampler
    // takes the caller's clock, so the rates follow from the work done, not from timing).
    const qint64 cpuStart = processCpuNs();
    volatile quint64 spin = 0;
    while (processCpuNs() - cpuStart < 200000000)
        spin = spin + 1;

    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_VERIFY(server.hasPendingConnections());
    std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    const QByteArray payload(1 << 20, 'p');
    client.write(payload);
    qint64 received = 0;
    QTRY_VERIFY_WITH_TIMEOUT((received += peer->readAll().size()) >= payload.size(), 20000);

    sampler.sample(stats, t0 + 1000);
    QVERIFY2(stats.processCpu >= 0.1, qPrintable(QString::number(stats.processCpu)));
    QVERIFY(stats.nodeCpu > 0 && stats.nodeCpu <= 1);
    // lo counts each byte once sent and once received.
    QVERIFY2(stats.txBytesPerS >= payload.size(), qPrintable(QString::number(stats.txBytesPerS)));
    QVERIFY2(stats.rxBytesPerS >= payload.size(), qPrintable(QString::number(stats.rxBytesPerS)));
    client.close();
    peer->close();
}

void TestProcSampler::realConnectionsFollowSockets()
{
    ProcSampler sampler;
    qint64 now = 1000;
    auto connections = [&] {
        NodeStats stats;
        sampler.sample(stats, now += 1000);
        return stats.connections;
    };
    const int before = connections();

    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(connections(), before); // a listening socket is not ESTABLISHED
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_VERIFY(server.hasPendingConnections());
    std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    // Both ends of the loopback connection belong to this process.
    QTRY_VERIFY_WITH_TIMEOUT(connections() >= before + 2, 10000);

    client.close();
    peer->close();
    server.close();
    QTRY_VERIFY_WITH_TIMEOUT(connections() <= before, 10000);
}

QTEST_GUILESS_MAIN(TestProcSampler)
#include "tst_procsampler.moc"
