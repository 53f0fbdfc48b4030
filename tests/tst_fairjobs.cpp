// Fair share on a real master (issue 16, "Fairness"): submitter alice floods the job queue
// until her quota answers 429 submitter_quota with Retry-After, then bob submits one job; bob
// is never refused, his job starts before every job alice still had waiting, and it completes.
// Malformed submitters get 400; `starling job --submitter` sends the name, which the job's
// status and the job list show. Slow emulated slaves keep alice's jobs waiting; every wait is on
// a condition with a deadline.
#include "clusterclient.h"
#include "clusterharness.h"
#include "image/imagecodec.h"
#include "testimages.h"

#include <QJsonArray>
#include <QTest>

using namespace starling;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using Reply = starling::testing::HttpReply;

class TestFairJobs final : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;
    QByteArray m_image; // 100 x 100 grey PGM: a sobel of it takes about 0.25 s here

    QUrl master() const
    {
        const cluster::ClusterStateFile s = m_cluster.state();
        return testing::withToken(QUrl(s.masterUrl), s.token);
    }

    Reply post(const QByteArray &query)
    {
        return exchange(master(), "POST", "/api/v1/jobs?op=sobel&tasks=10&" + query, m_image);
    }

    QJsonObject status(const QString &id)
    {
        return exchange(master(), "GET", "/api/v1/jobs/" + id.toLatin1()).json();
    }

    bool finished(const QString &id)
    {
        const QString state = status(id).value(u"state").toString();
        return state == u"done" || state == u"failed";
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        m_cluster.writeConfig(R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
                                 "down_after_ms": 2000, "snapshot_hz": 10,
                                 "startup_timeout_s": 120, "image_standard_MBps": 0.02,
                                 "job_queue_per_submitter": 3})");
        QFile profile(m_cluster.path(QStringLiteral("profile.json")));
        QVERIFY(profile.open(QIODevice::WriteOnly));
        profile.write(R"({"slaves": [{"cpu_factor": 1, "link_MBps": 40},
                                     {"cpu_factor": 1, "link_MBps": 40}]})");
        profile.close();
        const auto encoded =
            image::encodeImage(testing::noiseImage(100, 100, 1, 7), image::ImageFormat::Pgm);
        QVERIFY(encoded);
        m_image = *encoded;
        QVERIFY(m_cluster.up(2, m_cluster.path(QStringLiteral("profile.json"))));
        QTRY_VERIFY_WITH_TIMEOUT(
            exchange(master(), "GET", "/api/v1/cluster").json().value(u"nodes").toArray().size() ==
                4,
            20000);
    }

    void cleanupTestCase()
    {
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    void floodDoesNotStarveAnother()
    {
        QStringList alice;
        Reply refused;
        for (int i = 0; i < 20 && refused.status == 0; ++i) { // the quota is 3 waiting
            const Reply reply = post("submitter=alice");
            if (reply.status == 202)
                alice << reply.json().value(u"id").toString();
            else
                refused = reply;
        }
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.json().value(u"code").toString(), QStringLiteral("submitter_quota"));
        QVERIFY2(refused.head.toLower().contains("\r\nretry-after: "), refused.head.constData());
        QVERIFY(alice.size() >= 3);

        const Reply bobs = post("submitter=bob");
        QCOMPARE(bobs.status, 202);
        const QString bob = bobs.json().value(u"id").toString();
        QStringList waiting; // alice's jobs still queued once bob's was accepted
        for (const QString &id : alice) {
            if (status(id).value(u"state").toString() == u"queued")
                waiting << id;
        }
        QVERIFY2(!waiting.isEmpty(), "alice's jobs ran too fast for the test to mean anything");

        for (const QString &id : alice + QStringList{bob})
            QTRY_VERIFY_WITH_TIMEOUT(finished(id), 60000);
        const QJsonObject done = status(bob);
        QCOMPARE(done.value(u"state").toString(), QStringLiteral("done"));
        QCOMPARE(done.value(u"submitter").toString(), QStringLiteral("bob"));
        const qint64 bobStarted = qint64(done.value(u"started_at_ms").toDouble());
        for (const QString &id : waiting) {
            const QJsonObject hers = status(id);
            QCOMPARE(hers.value(u"submitter").toString(), QStringLiteral("alice"));
            QVERIFY2(qint64(hers.value(u"started_at_ms").toDouble()) >= bobStarted,
                     qPrintable(id + QStringLiteral(" started before bob's job")));
        }
    }

    void badSubmitters_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::newRow("empty") << QByteArray("submitter=");
        QTest::newRow("space") << QByteArray("submitter=a%20b");
        QTest::newRow("slash") << QByteArray("submitter=..%2Fetc");
        QTest::newRow("65 chars") << "submitter=" + QByteArray(65, 'x');
        QTest::newRow("4 KiB") << "submitter=" + QByteArray(4096, 'x');
        QTest::newRow("twice") << QByteArray("submitter=a&submitter=b");
    }

    void badSubmitters()
    {
        QFETCH(QByteArray, query);
        const Reply reply = post(query);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"code").toString(), QStringLiteral("bad_request"));
        QVERIFY(!reply.json().value(u"error").toString().contains(u'\n'));
    }

    void cliSendsTheSubmitter()
    {
        const QString input = m_cluster.path(QStringLiteral("in.pgm"));
        QFile file(input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(m_image);
        file.close();
        const QString output = m_cluster.path(QStringLiteral("out.pgm"));
        const testing::CliResult bad = m_cluster.run(
            {QStringLiteral("job"), QStringLiteral("grey"), input, QStringLiteral("-o"), output,
             QStringLiteral("--submitter"), QStringLiteral("not ok")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains(QStringLiteral("--submitter")));
        const testing::CliResult ran = m_cluster.run(
            {QStringLiteral("job"), QStringLiteral("grey"), input, QStringLiteral("-o"), output,
             QStringLiteral("--submitter"), QStringLiteral("carol"), QStringLiteral("--json")});
        QVERIFY2(ran.exitCode == 0, qPrintable(ran.err));
        const QJsonObject final = QJsonDocument::fromJson(ran.out.toUtf8()).object();
        QCOMPARE(final.value(u"submitter").toString(), QStringLiteral("carol"));
        const QJsonArray list =
            exchange(master(), "GET", "/api/v1/jobs").json().value(u"jobs").toArray();
        QCOMPARE(list.first().toObject().value(u"submitter").toString(), QStringLiteral("carol"));
    }
};

QTEST_GUILESS_MAIN(TestFairJobs)
#include "tst_fairjobs.moc"
