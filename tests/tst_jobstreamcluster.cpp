// A stream of jobs on a real cluster (issue 16, part 2): two jobs submitted back to back overlap
// with the default job_overlap (the second job's first strip is assigned before the first job is
// done: the fast slaves take it while the slow ones finish the first), and with job_overlap 1
// they run one at a time. Either way both results are byte for byte those of one process. The
// order is read from the job events on the bridge, which the master emits in the order things
// happen. Every wait is on a condition with a deadline.
#include "clusterclient.h"
#include "clusterharness.h"
#include "consolemodel/bridgeclustersource.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "image/stripkernel.h"
#include "testimages.h"

#include <QJsonArray>
#include <QTest>

using namespace starling;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using Reply = starling::testing::HttpReply;

namespace {

// Slow enough that a job's last strips take a visible time on the slow slaves.
constexpr char kProfile[] = R"({"slaves": [{"cpu_factor": 1, "link_MBps": 40},
                                          {"cpu_factor": 1, "link_MBps": 40},
                                          {"cpu_factor": 3, "link_MBps": 20}]})";

image::ImageBuffer local(const QString &op, const image::ImageBuffer &input)
{
    const auto made = image::ImageOp::make(op, std::nullopt, std::nullopt);
    if (!made)
        return {};
    const auto out = image::applyToImage(*made, input);
    return out ? *out : image::ImageBuffer{};
}

// Where in the event stream the given kind first appears for the job; -1 if never.
qsizetype firstEvent(const QList<QJsonObject> &events, const QString &job, QStringView kind)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (events[i].value(u"job").toString() == job &&
            events[i].value(u"kind").toString() == kind)
            return i;
    }
    return -1;
}

// One cluster, its bridge events, two jobs; stops the cluster however the test ends.
class StreamRun
{
public:
    ~StreamRun()
    {
        if (m_source)
            m_source->stop();
        m_cluster.down();
        m_cluster.killLeftovers();
    }

    bool up(const QByteArray &config)
    {
        m_cluster.writeConfig(config);
        QFile profile(m_cluster.path(QStringLiteral("profile.json")));
        if (!profile.open(QIODevice::WriteOnly))
            return false;
        profile.write(kProfile);
        profile.close();
        if (!m_cluster.up(3, m_cluster.path(QStringLiteral("profile.json"))))
            return false;
        if (!QTest::qWaitFor([&] { return nodes() == 5; }, 20000))
            return false;
        m_source = std::make_unique<consolemodel::BridgeClusterSource>(
            consolemodel::endpointFromStateFile(cluster::stateFilePath(m_cluster.runDir())),
            QStringLiteral("tst-jobstreamcluster"));
        QObject::connect(m_source.get(), &consolemodel::ClusterSource::eventReceived,
                         m_source.get(), [this](const QJsonObject &e) { m_events.append(e); });
        m_source->start();
        return QTest::qWaitFor(
            [&] { return m_source->linkState() == consolemodel::LinkState::Connected; }, 10000);
    }

    QString submit(const QByteArray &query, const image::ImageBuffer &input)
    {
        const auto encoded = image::encodeImage(
            input, input.channels == 1 ? image::ImageFormat::Pgm : image::ImageFormat::Ppm);
        if (!encoded)
            return {};
        const Reply reply = exchange(master(), "POST", "/api/v1/jobs?" + query, *encoded);
        return reply.status == 202 ? reply.json().value(u"id").toString() : QString();
    }

    QString state(const QString &id)
    {
        return exchange(master(), "GET", "/api/v1/jobs/" + id.toLatin1())
            .json()
            .value(u"state")
            .toString();
    }

    bool finished(const QString &id)
    {
        const QString s = state(id);
        return s == u"done" || s == u"failed";
    }

    image::ImageBuffer result(const QString &id, int channels)
    {
        const Reply bytes = exchange(master(), "GET",
                                     "/api/v1/jobs/" + id.toLatin1() + "/result?format=" +
                                         (channels == 1 ? QByteArray("pgm") : QByteArray("ppm")));
        auto decoded = image::decodeImage(bytes.body, {});
        return bytes.status == 200 && decoded ? std::move(decoded).value() : image::ImageBuffer{};
    }

    const QList<QJsonObject> &events() const { return m_events; }

private:
    QUrl master() const { return testing::masterOf(m_cluster.state()); }
    int nodes() const { return testing::listedNodes(master()); }

    ClusterHarness m_cluster;
    std::unique_ptr<consolemodel::BridgeClusterSource> m_source;
    QList<QJsonObject> m_events;
};

} // namespace

class TestJobStreamCluster final : public QObject
{
    Q_OBJECT

private slots:
    void overlapOrNot_data()
    {
        QTest::addColumn<QByteArray>("overlapKey"); // empty: the default
        QTest::addColumn<bool>("overlaps");
        QTest::newRow("default") << QByteArray() << true;
        QTest::newRow("job_overlap 1") << QByteArray(R"(, "job_overlap": 1)") << false;
    }

    void overlapOrNot()
    {
        QFETCH(QByteArray, overlapKey);
        QFETCH(bool, overlaps);
        StreamRun run;
        QVERIFY(run.up(R"({"heartbeat_ms": 100, "suspect_after_ms": 2000,
                           "down_after_ms": 4000, "snapshot_hz": 10,
                           "startup_timeout_s": 120, "image_standard_MBps": 0.05)" +
                       overlapKey + "}"));
        const image::ImageBuffer grey = testing::noiseImage(120, 150, 1, 11);
        const image::ImageBuffer rgb = testing::noiseImage(90, 110, 3, 12);
        // Back to back: the second is queued while the first runs.
        const QString first = run.submit("op=blur&strategy=optimal&tasks=24", grey);
        const QString second = run.submit("op=median&strategy=optimal&tasks=24", rgb);
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(run.finished(first) && run.finished(second), 45000);
        QCOMPARE(run.state(first), QStringLiteral("done"));
        QCOMPARE(run.state(second), QStringLiteral("done"));
        QVERIFY(run.result(first, 1) == local(QStringLiteral("blur"), grey));
        QVERIFY(run.result(second, 3) == local(QStringLiteral("median"), rgb));

        // The events of both jobs reach the bridge soon after they are done.
        const auto seen = [&] {
            return firstEvent(run.events(), second, u"job_done") >= 0 &&
                   firstEvent(run.events(), first, u"job_done") >= 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(seen(), 10000);
        const qsizetype firstDone = firstEvent(run.events(), first, u"job_done");
        const qsizetype secondAssigned = firstEvent(run.events(), second, u"strip_assigned");
        QVERIFY(secondAssigned >= 0);
        QVERIFY2((secondAssigned < firstDone) == overlaps,
                 qPrintable(QStringLiteral("second job's first strip at event %1, first job done "
                                           "at event %2")
                                .arg(secondAssigned)
                                .arg(firstDone)));
    }
};

QTEST_GUILESS_MAIN(TestJobStreamCluster)
#include "tst_jobstreamcluster.moc"
