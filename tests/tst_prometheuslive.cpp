// Issue 17: a real Prometheus (its own instance, PrometheusInstance) scrapes a live cluster's
// /metrics with resources/prometheus/starling-rules.yml loaded, as the README's scrape config
// says; a slave stopped with SIGSTOP fires StarlingSlaveDown for that slave, SIGCONT resolves
// it. The rules are the shipped ones, unchanged: StarlingSlaveDown has no `for`, so what is
// waited for is the failure detector (down_after_ms, short here) plus a scrape and an
// evaluation (1 s each).
#include "clusterharness.h"
#include "prometheusinstance.h"

#include <QTest>
#include <QUrl>

#include <csignal>

using starling::testing::ClusterHarness;
using starling::testing::PrometheusInstance;

class TestPrometheusLive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        m_cluster.writeConfig(R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
                                 "down_after_ms": 2000, "snapshot_hz": 10,
                                 "startup_timeout_s": 120, "job_queue_limit": 16})");
        QVERIFY(m_cluster.up(2, {}));
        const QUrl metrics(m_cluster.state().metricsUrl);
        QVERIFY2(metrics.isValid() && metrics.port() > 0, qPrintable(metrics.toString()));
        const QString target = QStringLiteral("%1:%2").arg(metrics.host()).arg(metrics.port());
        const QString why = m_prometheus.start(QStringLiteral(STARLING_PROMETHEUS), target,
                                               QStringLiteral(STARLING_RULES_FILE));
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    void cleanupTestCase()
    {
        if (m_stoppedPid > 0)
            ::kill(pid_t(m_stoppedPid), SIGCONT);
        m_prometheus.stop();
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    // Its HTTP API answers for starling_ series: the one-hot state of both slaves, and the
    // scrape itself is up.
    void answersForStarlingSeries()
    {
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.query(QStringLiteral(R"(starling_node_state{role="slave"})")).size(), 10,
            20000);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus
                .query(QStringLiteral(R"(starling_node_state{role="slave",state="ACTIVE"} == 1)"))
                .size(),
            2, 20000);
        const QJsonArray up = m_prometheus.query(QStringLiteral(R"(up{job="starling"})"));
        QCOMPARE(up.size(), 1);
        QCOMPARE(up.at(0).toObject().value(u"value").toArray().at(1).toString(),
                 QStringLiteral("1"));
        // The master's job counters reach /metrics through the monitor's snapshot.
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.query(QStringLiteral("starling_cluster_job_queue_limit == 16")).size(), 1,
            10000);
        QCOMPARE(m_prometheus.query(QStringLiteral("starling_cluster_jobs_failed_total")).size(),
                 1);
        // The rules are loaded: the recording rule has a value (both slaves ACTIVE).
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.query(QStringLiteral("starling:slaves_active:ratio == 1")).size(), 1,
            10000);
    }

    void slaveDownAlertFiresAndResolves()
    {
        const QString victim = QStringLiteral("slave-3");
        QCOMPARE(m_prometheus.alertState(QStringLiteral("StarlingSlaveDown"), victim), QString());
        m_stoppedPid = m_cluster.slavePid(3);
        QVERIFY(m_stoppedPid > 0);
        QCOMPARE(::kill(pid_t(m_stoppedPid), SIGSTOP), 0);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.alertState(QStringLiteral("StarlingSlaveDown"), victim),
            QStringLiteral("firing"), 30000);
        // For that slave only.
        QCOMPARE(
            m_prometheus.alertState(QStringLiteral("StarlingSlaveDown"), QStringLiteral("slave-2")),
            QString());

        QCOMPARE(::kill(pid_t(m_stoppedPid), SIGCONT), 0);
        m_stoppedPid = -1;
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.alertState(QStringLiteral("StarlingSlaveDown"), victim), QString(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus
                .query(QStringLiteral(R"(starling_node_state{node="slave-3",state="ACTIVE"} == 1)"))
                .size(),
            1, 30000);
    }

private:
    ClusterHarness m_cluster;
    PrometheusInstance m_prometheus;
    qint64 m_stoppedPid = -1;
};

QTEST_GUILESS_MAIN(TestPrometheusLive)
#include "tst_prometheuslive.moc"
