// A real cluster on `starling lab`, four hosts on one machine (root only; skipped with the
// reason otherwise): every slave in a network namespace of its own with a lab address, a
// download from outside byte-identical, and crash, hang, cut and heal each giving the right
// state while downloads stay correct. `lab down` must leave nothing behind.
#include "clusterclient.h"
#include "clusterharness.h"
#include "labcgroups.h"
#include "labpreflight.h"
#include "labrecord.h"
#include "labsubnet.h"

#include <QDir>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

#include <set>
#include <unistd.h>

using namespace starling;
using namespace starling::cli::lab;
using starling::testing::CliResult;
using starling::testing::exchange;
using starling::testing::fileSha;

namespace {
constexpr qint64 kBig = 48 * 1024 * 1024;
} // namespace

class TestLabCluster final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_skip;
    QString m_subnet;
    QString m_labId;
    QByteArray m_bigSha;

    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString runDir() const { return path(QStringLiteral("run")); }
    CliResult starling(QStringList arguments, int timeoutMs = 120000) const
    {
        arguments << QStringLiteral("--run-dir") << runDir();
        return testing::runCli(arguments, timeoutMs);
    }
    cluster::ClusterStateFile state() const
    {
        const auto read = cluster::readStateFile(cluster::stateFilePath(runDir()));
        return read ? *read : cluster::ClusterStateFile{};
    }
    QUrl master() const { return testing::withToken(QUrl(state().masterUrl), state().token); }
    QJsonObject node(int rank) const
    {
        for (const QJsonValue &n :
             exchange(master(), "GET", "/api/v1/cluster").json().value(u"nodes").toArray()) {
            if (n.toObject().value(u"rank").toInt() == rank)
                return n.toObject();
        }
        return {};
    }
    QString stateOf(int rank) const { return node(rank).value(u"state").toString(); }
    void requireLab()
    {
        if (!m_skip.isEmpty())
            QSKIP(qPrintable(m_skip));
    }
    void getAndCompare(const QString &name)
    {
        const QString out = path(name);
        const CliResult get =
            starling({QStringLiteral("get"), QStringLiteral("big.bin"), QStringLiteral("-o"), out});
        QVERIFY2(get.exitCode == 0, qPrintable(get.err));
        QCOMPARE(fileSha(out), m_bigSha);
        QFile::remove(out);
    }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void everySlaveIsAHostOfItsOwn();
    void getFromOutsideIsIdentical();
    void crashMidGet();
    void hangAndUnhang();
    void cutAndHeal();
    void faultsAreInTheAuditTrail();
};

void TestLabCluster::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (::geteuid() != 0) {
        m_skip = QStringLiteral("needs root (network namespaces, links, cgroups)");
        return;
    }
    for (int attempt = 0; attempt < 20 && m_subnet.isEmpty(); ++attempt) {
        const QString candidate =
            QStringLiteral("10.77.%1.0/24").arg(QRandomGenerator::global()->bounded(100, 200));
        if (LabPreflight::checkSubnetFree(*LabSubnet::parse(candidate)))
            m_subnet = candidate;
    }
    if (m_subnet.isEmpty()) {
        m_skip = QStringLiteral("no free subnet in 10.77.100-199.0/24");
        return;
    }
    QVERIFY(QDir().mkpath(path(QStringLiteral("export"))));
    QByteArray big(kBig, Qt::Uninitialized);
    QRandomGenerator rng(11);
    rng.fillRange(reinterpret_cast<quint32 *>(big.data()), big.size() / 4);
    m_bigSha = transfer::Sha256::hexOf(big);
    QFile file(path(QStringLiteral("export/big.bin")));
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(big) == big.size());
    file.close();
    QFile profile(path(QStringLiteral("profile.json")));
    QVERIFY(profile.open(QIODevice::WriteOnly));
    profile.write(R"({"slaves": [{"link_MBps": 20, "cpu_factor": 1}, {"link_MBps": 20},
                                 {"link_MBps": 10, "cpu_factor": 2}, {"link_MBps": 10}]})");
    profile.close();
    QFile config(path(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"heartbeat_ms": 200, "suspect_after_ms": 800, "down_after_ms": 1600,
                    "snapshot_hz": 5, "startup_timeout_s": 120})");
    config.close();
    const CliResult up =
        starling({QStringLiteral("lab"), QStringLiteral("up"), QStringLiteral("--slaves"),
                  QStringLiteral("4"), QStringLiteral("--profile"),
                  path(QStringLiteral("profile.json")), QStringLiteral("--config"),
                  path(QStringLiteral("config.json")), QStringLiteral("--export"),
                  path(QStringLiteral("export")), QStringLiteral("--subnet"), m_subnet});
    const auto record = LabRecord::load(LabRecord::pathIn(runDir()));
    if (record && *record)
        m_labId = (*record)->plan().id();
    QVERIFY2(up.exitCode == 0, qPrintable(up.out + up.err));
    QTRY_VERIFY_WITH_TIMEOUT(exchange(master(), "GET", "/api/v1/plan?path=big.bin").status == 200,
                             30000);
}

void TestLabCluster::cleanupTestCase()
{
    if (!m_skip.isEmpty())
        return;
    const std::vector<qint64> pids = state().nodePids;
    const CliResult down = starling({QStringLiteral("lab"), QStringLiteral("down")});
    QCOMPARE(down.exitCode, 0);
    // Nothing of the lab is left: namespaces, links (and their qdiscs), cgroups, processes.
    QVERIFY(!m_labId.isEmpty());
    QProcess ip;
    ip.start(QStringLiteral("ip"), {QStringLiteral("-o"), QStringLiteral("link")});
    QVERIFY(ip.waitForFinished(10000));
    QVERIFY(!QString::fromLocal8Bit(ip.readAllStandardOutput()).contains(m_labId));
    ip.start(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")});
    QVERIFY(ip.waitForFinished(10000));
    QVERIFY(!QString::fromLocal8Bit(ip.readAllStandardOutput()).contains(m_labId));
    if (const auto cgroups = LabCgroups::detect()) {
        for (int k = 1; k <= 4; ++k)
            QVERIFY(!QFileInfo::exists(
                cgroups->directory(QStringLiteral("stl-%1-h%2").arg(m_labId).arg(k))));
    }
    for (qint64 pid : pids)
        QVERIFY(!testing::processAlive(pid));
    QCOMPARE(starling({QStringLiteral("lab"), QStringLiteral("down")}).exitCode, 0);
}

void TestLabCluster::everySlaveIsAHostOfItsOwn()
{
    requireLab();
    const cluster::ClusterStateFile s = state();
    QCOMPARE(int(s.nodePids.size()), 6);
    std::set<QString> namespaces;
    const QString ours = QFile::symLinkTarget(QStringLiteral("/proc/self/ns/net"));
    for (size_t rank = 2; rank < s.nodePids.size(); ++rank) {
        const QString ns =
            QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/net").arg(s.nodePids[rank]));
        QVERIFY(!ns.isEmpty());
        QVERIFY(ns != ours);
        namespaces.insert(ns);
    }
    QCOMPARE(namespaces.size(), size_t(4));
    // Their data URLs carry their own lab addresses, all different.
    const QJsonObject plan = exchange(master(), "GET", "/api/v1/plan?path=big.bin").json();
    std::set<QString> hosts;
    const QString prefix = m_subnet.section(u'.', 0, 2) + u'.';
    for (const QJsonValue &source : plan.value(u"sources").toArray()) {
        const QUrl url(source.toObject().value(u"url").toString());
        QVERIFY2(url.host().startsWith(prefix), qPrintable(url.toString()));
        hosts.insert(url.host());
    }
    QCOMPARE(hosts.size(), size_t(4));
    // Each slave reports its own host's link, not a shared one (once its first heartbeat is
    // in: the plan above needs only its hello).
    for (int rank = 2; rank < 6; ++rank) {
        QTRY_COMPARE_WITH_TIMEOUT(
            node(rank).value(u"stats").toObject().value(u"link_interface").toString(),
            QStringLiteral("eth0"), 10000);
        QCOMPARE(node(rank).value(u"stats").toObject().value(u"link_shared").toBool(true), false);
    }
}

void TestLabCluster::getFromOutsideIsIdentical()
{
    requireLab();
    getAndCompare(QStringLiteral("outside.bin"));
}

void TestLabCluster::crashMidGet()
{
    requireLab();
    const QString out = path(QStringLiteral("crash.bin"));
    QProcess getter;
    QVERIFY(testing::startGet(getter,
                              {QStringLiteral("big.bin"), QStringLiteral("-o"), out,
                               QStringLiteral("--strategy"), QStringLiteral("equal")},
                              runDir()));
    QCOMPARE(starling({QStringLiteral("lab"), QStringLiteral("crash"), QStringLiteral("slave-2")})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(node(2).value(u"state_reason").toString(), QStringLiteral("exited"),
                              5000);
    QVERIFY(getter.waitForFinished(120000));
    QVERIFY2(getter.exitCode() == 0, getter.readAllStandardError().constData());
    QCOMPARE(fileSha(out), m_bigSha);
}

void TestLabCluster::hangAndUnhang()
{
    requireLab();
    QCOMPARE(starling({QStringLiteral("lab"), QStringLiteral("hang"), QStringLiteral("slave-3")})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(3), QStringLiteral("DOWN"), 15000);
    QVERIFY(node(3).value(u"state_reason").toString().startsWith(QLatin1String("no heartbeat")));
    getAndCompare(QStringLiteral("hung.bin")); // from the two left
    QCOMPARE(starling({QStringLiteral("lab"), QStringLiteral("unhang"), QStringLiteral("slave-3")})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(3), QStringLiteral("ACTIVE"), 15000);
}

void TestLabCluster::cutAndHeal()
{
    requireLab();
    QCOMPARE(starling({QStringLiteral("lab"), QStringLiteral("cut"), QStringLiteral("slave-4")})
                 .exitCode,
             0);
    // A cut link is silence, not a dead process: the detector's verdict.
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(4), QStringLiteral("DOWN"), 15000);
    QVERIFY(node(4).value(u"state_reason").toString().startsWith(QLatin1String("no heartbeat")));
    getAndCompare(QStringLiteral("cut.bin"));
    QCOMPARE(starling({QStringLiteral("lab"), QStringLiteral("heal"), QStringLiteral("slave-4")})
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(4), QStringLiteral("ACTIVE"), 15000);
    getAndCompare(QStringLiteral("healed.bin"));
}

void TestLabCluster::faultsAreInTheAuditTrail()
{
    requireLab();
    QFile saved(QDir(runDir()).filePath(QStringLiteral("operator-state.json")));
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QJsonArray history =
        QJsonDocument::fromJson(saved.readAll()).object().value(u"history").toArray();
    QStringList faults;
    for (const QJsonValue &entry : history) {
        const QJsonObject e = entry.toObject();
        if (e.value(u"op").toString() == QLatin1String("fault"))
            faults << e.value(u"action").toString() + u' ' + e.value(u"node").toString();
    }
    QCOMPARE(faults, (QStringList{QStringLiteral("crash slave-2"), QStringLiteral("hang slave-3"),
                                  QStringLiteral("unhang slave-3"), QStringLiteral("cut slave-4"),
                                  QStringLiteral("heal slave-4")}));
}

QTEST_GUILESS_MAIN(TestLabCluster)
#include "tst_labcluster.moc"
