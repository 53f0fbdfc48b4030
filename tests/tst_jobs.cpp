// Image jobs end to end: a real cluster of 4 slaves (emulated speeds and links from a
// profile) takes jobs over the master's HTTP API. Every op, strategy and send order must give
// the result of the same op on one process, byte for byte, on odd sizes too; 8 jobs at once
// must each get their own result; a slave stopped mid-job must not stop the job; and bad
// submissions must get their 4xx while the cluster keeps serving. Every wait is on a condition.
#include "clusterclient.h"
#include "clusterharness.h"
#include "consolemodel/bridgeclustersource.h"
#include "consolemodel/taskactivity.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "image/stripkernel.h"
#include "testimages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <csignal>

using namespace starling;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using Reply = starling::testing::HttpReply;

namespace {

image::ImageBuffer noise(int width, int height, int channels, quint32 seed)
{
    image::ImageBuffer img = testing::noiseImage(width, height, channels, seed);
    // Some structure too, so edges and blurs have something to work on.
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width && x < y; ++x) {
            for (int c = 0; c < channels; ++c)
                img.pixels[qsizetype(y) * img.rowBytes() + qsizetype(x) * channels + c] = char(200);
        }
    }
    return img;
}

image::ImageFormat losslessFor(int channels)
{
    return channels == 1 ? image::ImageFormat::Pgm : image::ImageFormat::Ppm;
}

} // namespace

class TestJobs final : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;

    QUrl master() const
    {
        const cluster::ClusterStateFile s = m_cluster.state();
        return testing::withToken(QUrl(s.masterUrl), s.token);
    }

    // Submits, waits for the end, returns the final status (and the result when done).
    QJsonObject runJob(const image::ImageBuffer &input, const QByteArray &query,
                       image::ImageBuffer *result, int timeoutMs = 60000)
    {
        const auto encoded = image::encodeImage(input, losslessFor(input.channels));
        if (!encoded)
            return {{QStringLiteral("error"), encoded.error()}};
        const Reply submitted = exchange(master(), "POST", "/api/v1/jobs?" + query, *encoded);
        if (submitted.status != 202)
            return {{QStringLiteral("error"), QString::fromUtf8(submitted.body)},
                    {QStringLiteral("http"), submitted.status}};
        return waitFor(submitted.json().value(u"id").toString(),
                       result && result->channels > 0 ? result->channels : input.channels, result,
                       timeoutMs);
    }

    // `channels`: the result's (1 for grey and sobel).
    QJsonObject waitFor(const QString &id, int channels, image::ImageBuffer *result,
                        int timeoutMs = 60000)
    {
        QJsonObject status;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            status = exchange(master(), "GET", "/api/v1/jobs/" + id.toLatin1()).json();
            const QString state = status.value(u"state").toString();
            if (state == QLatin1String("done") || state == QLatin1String("failed"))
                break;
            QTest::qWait(50);
        }
        if (result && status.value(u"state").toString() == QLatin1String("done")) {
            // The lossless format of the result's channel count (grey and sobel give grey).
            const QByteArray format = channels == 1 ? "pgm" : "ppm";
            const Reply bytes = exchange(
                master(), "GET", "/api/v1/jobs/" + id.toLatin1() + "/result?format=" + format);
            auto decoded = image::decodeImage(bytes.body, {});
            if (bytes.status == 200 && decoded)
                *result = std::move(decoded).value();
        }
        return status;
    }

    static image::ImageBuffer local(const QString &op, std::optional<double> sigma,
                                    std::optional<int> radius, const image::ImageBuffer &input)
    {
        const auto made = image::ImageOp::make(op, sigma, radius);
        if (!made)
            return {};
        const auto out = image::applyToImage(*made, input);
        return out ? *out : image::ImageBuffer{};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        // Fast failure detection for the SIGSTOP case; small images count as big enough to
        // take a visible time at 2 MB/s of standard compute.
        m_cluster.writeConfig(R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
                                 "down_after_ms": 2000, "snapshot_hz": 10,
                                 "startup_timeout_s": 120, "image_standard_MBps": 2,
                                 "image_max_pixels": 4000000, "job_queue_limit": 16})");
        QFile profile(m_cluster.path(QStringLiteral("profile.json")));
        QVERIFY(profile.open(QIODevice::WriteOnly));
        profile.write(R"({"slaves": [{"cpu_factor": 1, "link_MBps": 40},
                                     {"cpu_factor": 2, "link_MBps": 20},
                                     {"cpu_factor": 3, "link_MBps": 30},
                                     {"cpu_factor": 4, "link_MBps": 10}]})");
        profile.close();
        QVERIFY(m_cluster.up(4, m_cluster.path(QStringLiteral("profile.json"))));
        // Jobs need the slaves in the master's view, which arrives with the first snapshots.
        QTRY_VERIFY_WITH_TIMEOUT(
            exchange(master(), "GET", "/api/v1/cluster").json().value(u"nodes").toArray().size() ==
                6,
            20000);
    }

    void cleanupTestCase()
    {
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    void identicalToOneProcess_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QByteArray>("params");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("channels");
        QTest::addColumn<QByteArray>("distribution");
        const QList<QByteArray> distributions{
            "strategy=equal&order=dec", "strategy=cpu&order=inc",  "strategy=bw&order=rand",
            "strategy=pdds&order=dec",  "strategy=pdds&order=inc", "strategy=pdds&order=rand",
            "strategy=optimal",         "strategy=dynamic"};
        int row = 0;
        for (const QByteArray &d : distributions) {
            QTest::addRow("blur %s", d.constData())
                << "blur" << QByteArray("&sigma=1.5") << 61 << 97 << 3 << d + "&tasks=20";
            QTest::addRow("sobel %s", d.constData())
                << "sobel" << QByteArray() << 64 << 101 << 1 << d + "&tasks=7";
            QTest::addRow("median %s", d.constData())
                << "median" << QByteArray("&radius=2") << 33 << 89 << 3 << d + "&tasks=100";
            QTest::addRow("grey %s", d.constData())
                << "grey" << QByteArray() << 40 << 50 << 3 << d + "&tasks=13";
            ++row;
        }
        QTest::newRow("one row") << "blur" << QByteArray("&sigma=2") << 50 << 1 << 1
                                 << QByteArray("strategy=pdds&tasks=10");
        QTest::newRow("one column") << "median" << QByteArray("&radius=3") << 1 << 60 << 3
                                    << QByteArray("strategy=dynamic&tasks=60");
        QTest::newRow("fewer rows than slaves")
            << "sobel" << QByteArray() << 30 << 3 << 1 << QByteArray("strategy=equal&tasks=100");
        QTest::newRow("one pixel")
            << "blur" << QByteArray("&sigma=3") << 1 << 1 << 3 << QByteArray("strategy=optimal");
    }

    void identicalToOneProcess()
    {
        QFETCH(QString, op);
        QFETCH(QByteArray, params);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, channels);
        QFETCH(QByteArray, distribution);
        const image::ImageBuffer input = noise(width, height, channels, quint32(width * height));
        std::optional<double> sigma;
        std::optional<int> radius;
        if (params.startsWith("&sigma="))
            sigma = params.mid(7).toDouble();
        if (params.startsWith("&radius="))
            radius = params.mid(8).toInt();
        const image::ImageBuffer expected = local(op, sigma, radius, input);
        QVERIFY(expected.isValid());
        image::ImageBuffer result;
        result.channels = expected.channels;
        const QJsonObject status =
            runJob(input, "op=" + op.toLatin1() + params + '&' + distribution, &result);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
        QVERIFY2(result == expected, qPrintable(QString::fromUtf8(QJsonDocument(status).toJson())));
        const QJsonObject timeline = status.value(u"timeline").toObject();
        QVERIFY(status.value(u"makespan_s").toDouble() > 0);
        long long units = 0;
        for (const QJsonValue &s : timeline.value(u"slaves").toArray())
            units += s.toObject().value(u"share").toInteger();
        QCOMPARE(units, status.value(u"units_total").toInteger());
    }

    // The bridge's job events tell the whole story: the console's TaskActivity, fed only by
    // them, ends with every unit done, every strip through its phases, the master's
    // prediction, and the makespan the status reports.
    void jobEventsOnTheBridge()
    {
        consolemodel::BridgeClusterSource source(
            consolemodel::endpointFromStateFile(cluster::stateFilePath(m_cluster.runDir())),
            QStringLiteral("tst-jobs"));
        consolemodel::TaskActivity activity;
        cluster::ClusterSnapshot latest;
        connect(&source, &consolemodel::ClusterSource::snapshotReceived, this,
                [&](const cluster::ClusterSnapshot &s) { latest = s; });
        QList<QJsonObject> events;
        connect(&source, &consolemodel::ClusterSource::eventReceived, this,
                [&](const QJsonObject &e) {
                    events.append(e);
                    activity.apply(e);
                });
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.linkState(), consolemodel::LinkState::Connected, 10000);
        const image::ImageBuffer input = noise(64, 90, 1, 5);
        const QJsonObject status = runJob(input, "op=blur&sigma=1&strategy=pdds&tasks=30", nullptr);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
        QTRY_VERIFY_WITH_TIMEOUT(!activity.finishedJobs().empty(), 10000);
        const consolemodel::LiveJob *job = activity.currentJob();
        QVERIFY(job);
        QCOMPARE(job->id, status.value(u"id").toString());
        QCOMPARE(job->state, consolemodel::LiveJob::State::Done);
        QCOMPARE(job->units, 30);
        QCOMPARE(job->unitsDone(), 30);
        QVERIFY(job->predictedS > 0);
        QCOMPARE(job->slaves.size(), 4);
        for (const consolemodel::LiveStrip &strip : job->strips) {
            QCOMPARE(strip.state, consolemodel::LiveStrip::State::Done);
            QVERIFY(strip.sendEnd >= strip.sendStart);
            QVERIFY(strip.computeEnd >= strip.computeStart);
            QVERIFY(strip.returnEnd >= strip.computeEnd);
        }
        // Only this job's: the previous test's last events may still be on their way from the
        // master through the monitor when the console connects.
        const auto sentOfThisJob = std::count_if(events.begin(), events.end(), [&](const auto &e) {
            return e.value(u"kind").toString() == u"strip_sent" &&
                   e.value(u"job").toString() == job->id;
        });
        QCOMPARE(int(sentOfThisJob), int(job->strips.size()));
        // The status rounds to microseconds.
        QVERIFY(std::abs(activity.finishedJobs().back().makespanS -
                         status.value(u"makespan_s").toDouble()) < 2e-6);
        QCOMPARE(activity.finishedJobs().back().op, QStringLiteral("blur"));
        QVERIFY(activity.finishedJobs().back().predictionError().has_value());
        // Issue 16: the master's estimates of every slave of the job reach the snapshot (what
        // `starling status --json` prints), each with its confidence and age.
        const auto blurEstimates = [&] {
            int slaves = 0;
            for (const cluster::NodeView &n : latest.nodes) {
                const bool blur =
                    n.estimates && std::any_of(n.estimates->ops.begin(), n.estimates->ops.end(),
                                               [](const sched::OpCostEstimate &op) {
                                                   return op.op == u"blur" &&
                                                          op.compute.samples >= 1;
                                               });
                slaves += blur ? 1 : 0;
            }
            return slaves;
        };
        QTRY_VERIFY_WITH_TIMEOUT(blurEstimates() >= 1, 10000);
        const QJsonObject snapshot = latest.toJson();
        int aged = 0;
        for (const QJsonValue &node : snapshot.value(u"nodes").toArray()) {
            const QJsonObject estimates = node.toObject().value(u"estimates").toObject();
            for (const QJsonValue &op : estimates.value(u"compute").toArray()) {
                const QJsonObject o = op.toObject();
                if (o.value(u"op").toString() != u"blur")
                    continue;
                const double age = o.value(u"age_s").toDouble(-1);
                QVERIFY2(age >= 0 && age < 120, qPrintable(QString::number(age)));
                QVERIFY(o.value(u"per_mb_s").toDouble() > 0);
                const double confidence = o.value(u"confidence").toDouble(-1);
                QVERIFY(confidence >= 0 && confidence <= 1);
                // With few strips the estimator may still lean on another op or the
                // calibration (tst_costestimator covers which); what it saw is counted.
                const QString from = o.value(u"source").toString();
                QVERIFY2(from == u"measured" || from == u"other_op" || from == u"calibration",
                         qPrintable(from));
                QVERIFY(from != u"measured" || confidence > 0);
                QVERIFY(o.value(u"samples").toDouble() > 0);
                ++aged;
            }
        }
        QVERIFY(aged >= 1);
        source.stop();
    }

    void eightJobsAtOnce()
    {
        std::vector<image::ImageBuffer> inputs;
        std::vector<QString> ids;
        for (int i = 0; i < 8; ++i) {
            inputs.push_back(noise(32 + i, 40 + 3 * i, i % 2 ? 3 : 1, quint32(100 + i)));
            const auto encoded =
                image::encodeImage(inputs.back(), losslessFor(inputs.back().channels));
            QVERIFY(encoded);
            const QByteArray strategy = i % 2 ? "dynamic" : "pdds";
            const Reply r =
                exchange(master(), "POST",
                         "/api/v1/jobs?op=blur&sigma=1&tasks=9&strategy=" + strategy, *encoded);
            QCOMPARE(r.status, 202);
            ids.push_back(r.json().value(u"id").toString());
        }
        const auto op = image::ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt);
        QVERIFY(op);
        for (int i = 0; i < 8; ++i) {
            image::ImageBuffer result;
            result.channels = inputs[size_t(i)].channels;
            const QJsonObject status = waitFor(ids[size_t(i)], result.channels, &result, 120000);
            QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
            const auto expected = image::applyToImage(*op, inputs[size_t(i)]);
            QVERIFY(expected);
            QVERIFY2(result == *expected, qPrintable(ids[size_t(i)]));
        }
    }

    void stoppedSlaveDoesNotStopTheJob_data()
    {
        QTest::addColumn<QByteArray>("strategy");
        QTest::newRow("pdds") << QByteArray("pdds");
        QTest::newRow("dynamic") << QByteArray("dynamic");
    }

    void stoppedSlaveDoesNotStopTheJob()
    {
        QFETCH(QByteArray, strategy);
        // 1200 x 2000 grey, blurred at 2 MB/s of standard compute (x 7/3 for the 7-tap kernel):
        // about 2.8 standard seconds, some 1.4 s on these four slaves; long enough to stop
        // one mid-job.
        const image::ImageBuffer input = noise(1200, 2000, 1, 9);
        const auto encoded = image::encodeImage(input, image::ImageFormat::Pgm);
        QVERIFY(encoded);
        const Reply r =
            exchange(master(), "POST",
                     "/api/v1/jobs?op=blur&sigma=1&tasks=100&strategy=" + strategy, *encoded);
        QCOMPARE(r.status, 202);
        const QString id = r.json().value(u"id").toString();
        // Stop the fastest slave (rank 2) once its first strip is on its way.
        QTRY_VERIFY_WITH_TIMEOUT(
            exchange(master(), "GET", "/api/v1/jobs/" + id.toLatin1()).json().value(u"state") ==
                QStringLiteral("running"),
            20000);
        const qint64 victim = m_cluster.slavePid(2);
        QVERIFY(victim > 0);
        QCOMPARE(::kill(pid_t(victim), SIGSTOP), 0);
        image::ImageBuffer result;
        result.channels = 1;
        const QJsonObject status = waitFor(id, 1, &result, 120000);
        ::kill(pid_t(victim), SIGCONT);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
        const auto op = image::ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt);
        const auto expected = image::applyToImage(*op, input);
        QVERIFY(expected);
        QVERIFY(result == *expected);
        // The stop really hit the job: the stopped slave's strips were handed to the others.
        QVERIFY2(status.value(u"timeline").toObject().value(u"reassigned_chunks").toInt() > 0,
                 qPrintable(QString::fromUtf8(QJsonDocument(status).toJson())));
        // Wait until the slave is back before the next test uses the cluster.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QJsonValue &n : exchange(master(), "GET", "/api/v1/cluster")
                                               .json()
                                               .value(u"nodes")
                                               .toArray()) {
                    const QJsonObject node = n.toObject();
                    if (node.value(u"rank").toInt() == 2)
                        return node.value(u"state").toString() == QLatin1String("ACTIVE");
                }
                return false;
            }(),
            30000);
    }

    void badSubmissions_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        const QByteArray pgm = *image::encodeImage(noise(8, 8, 1, 1), image::ImageFormat::Pgm);
        QTest::newRow("unknown op") << QByteArray("op=sharpen") << pgm << 400 << "sharpen";
        QTest::newRow("no op") << QByteArray("tasks=3") << pgm << 400 << "op";
        QTest::newRow("tasks 0") << QByteArray("op=grey&tasks=0") << pgm << 400 << "tasks";
        QTest::newRow("tasks junk") << QByteArray("op=grey&tasks=3x") << pgm << 400 << "tasks";
        QTest::newRow("sigma out of range")
            << QByteArray("op=blur&sigma=500") << pgm << 400 << "sigma";
        QTest::newRow("radius on blur") << QByteArray("op=blur&radius=2") << pgm << 400 << "radius";
        QTest::newRow("unknown key") << QByteArray("op=grey&colour=red") << pgm << 400 << "colour";
        QTest::newRow("key twice") << QByteArray("op=grey&op=blur") << pgm << 400 << "twice";
        QTest::newRow("bad strategy")
            << QByteArray("op=grey&strategy=fast") << pgm << 400 << "strategy";
        QTest::newRow("empty body") << QByteArray("op=grey") << QByteArray() << 400 << "body";
        QTest::newRow("garbage body")
            << QByteArray("op=grey") << QByteArray(5000, 'g') << 400 << "";
        QTest::newRow("truncated image")
            << QByteArray("op=grey") << pgm.left(pgm.size() / 2) << 400 << "";
        QTest::newRow("too many pixels")
            << QByteArray("op=grey") << QByteArray("P5\n3000 3000\n255\n") + QByteArray(10, 'x')
            << 422 << "";
    }

    void badSubmissions()
    {
        QFETCH(QByteArray, query);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, message);
        const Reply r = exchange(master(), "POST", "/api/v1/jobs?" + query, body);
        QCOMPARE(r.status, status);
        const QString error = r.json().value(u"error").toString();
        QVERIFY2(!error.isEmpty() && !error.contains(u'\n'), r.body.constData());
        QVERIFY2(error.contains(message), qPrintable(error));
        // Still serving: a good job right after.
        image::ImageBuffer result;
        result.channels = 1;
        QCOMPARE(runJob(noise(5, 5, 1, 2), "op=grey", &result).value(u"state").toString(),
                 QStringLiteral("done"));
    }

    void unknownJobsAndResults()
    {
        QCOMPARE(exchange(master(), "GET", "/api/v1/jobs/job-999999").status, 404);
        QCOMPARE(exchange(master(), "GET", "/api/v1/jobs/job-999999/result").status, 404);
        QCOMPARE(exchange(master(), "GET", "/api/v1/jobs/../etc").status, 404);
        QCOMPARE(exchange(master(), "GET", "/api/v1/jobs/job-1/result?format=gif").status, 400);
        const QJsonObject list = exchange(master(), "GET", "/api/v1/jobs").json();
        QVERIFY(!list.value(u"jobs").toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestJobs)
#include "tst_jobs.moc"
