// `starling job` as a user runs it (the real binary, QProcess): every bad argument or input is
// exit 2 with one line on stderr and nothing written; `--local` writes exactly applyToImage's
// result; against a fake master (an HttpServer on 127.0.0.1 port 0 that takes uploads) a job
// that finishes is exit 0 with the served result in place, and a failed job, a refusal, a full
// queue or garbage from the master each end with the right code and one line. The token (from
// --token or STARLING_TOKEN) goes with every request; a 401 is exit 2 and never shows it.
#include "http/httpserver.h"
#include "image/imagecodec.h"
#include "image/stripkernel.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

#include <atomic>

using namespace starling;

namespace {

struct Outcome
{
    int exitCode = -1;
    QByteArray out;
    QString err;
};

Outcome runJob(const QStringList &arguments,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(STARLING_CLI), QStringList{QStringLiteral("job")} + arguments);
    Outcome o;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished(5000);
        return o;
    }
    o.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    o.out = process.readAllStandardOutput();
    o.err = QString::fromLocal8Bit(process.readAllStandardError());
    return o;
}

image::ImageBuffer picture()
{
    image::ImageBuffer img = image::ImageBuffer::allocate(23, 17, 3);
    for (qsizetype i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = char((i * 37) % 251);
    return img;
}

// A master that takes one job and plays it through queued, running and `final` (done or
// failed); or answers the submission with `submitStatus` and `submitBody` instead.
class FakeJobMaster
{
public:
    FakeJobMaster() : m_server([this](const http::HttpRequest &r) { return handle(r); }, limits())
    {}
    ~FakeJobMaster() { m_server.stop(); }

    QString url()
    {
        if (m_server.port() == 0)
            m_server.listen(QHostAddress::LocalHost, 0);
        return QStringLiteral("http://127.0.0.1:%1").arg(m_server.port());
    }

    QMutex mutex;
    int submitStatus = 202;
    QByteArray submitBody = "{\"id\":\"job-1\",\"state\":\"queued\"}";
    QByteArray finalStatus = "{\"id\":\"job-1\",\"state\":\"done\",\"units_done\":4,"
                             "\"units_total\":4,\"width\":23,\"height\":17,\"makespan_s\":0.25,"
                             "\"timeline\":{\"slaves\":[{\"name\":\"slave-2\"}]}}";
    int resultStatus = 200;
    QByteArray result;
    QByteArray uploaded;
    QByteArray query;
    std::atomic<int> polls{0};
    QByteArray requiredToken;         // set: anything without "Bearer <it>" gets 401
    QList<QByteArray> authorizations; // the Authorization header of every request

private:
    static http::HttpServerLimits limits()
    {
        http::HttpServerLimits l;
        l.maxBodyBytes = 64 << 20;
        return l;
    }

    http::HttpResponse handle(const http::HttpRequest &r)
    {
        QMutexLocker lock(&mutex);
        const auto json = [](int status, const QByteArray &body) {
            http::HttpResponse response = http::HttpResponse::text(status, body);
            response.contentType = "application/json";
            return response;
        };
        authorizations.append(r.header("Authorization"));
        if (!requiredToken.isEmpty() && r.header("Authorization") != "Bearer " + requiredToken)
            return json(401, "{\"error\":\"wrong token\",\"code\":\"unauthorized\"}");
        if (r.method == "POST" && r.path == "/api/v1/jobs") {
            uploaded = r.body;
            for (const auto &[k, v] : r.query)
                query += k + '=' + v + '&';
            return json(submitStatus, submitBody);
        }
        if (r.path == "/api/v1/jobs/job-1") {
            const int n = polls.fetch_add(1);
            if (n == 0)
                return json(200, "{\"id\":\"job-1\",\"state\":\"queued\",\"units_done\":0,"
                                 "\"units_total\":4,\"jobs_ahead\":1}");
            if (n == 1)
                return json(200, "{\"id\":\"job-1\",\"state\":\"running\",\"units_done\":2,"
                                 "\"units_total\":4}");
            return json(200, finalStatus);
        }
        if (r.path == "/api/v1/jobs/job-1/result")
            return http::HttpResponse::text(resultStatus, result);
        return json(404, "{\"error\":\"no such thing\"}");
    }

    http::HttpServer m_server;
};

} // namespace

class TestJobCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_input;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        qunsetenv("STARLING_TOKEN"); // each test says whether it gives one
        QVERIFY(m_dir.isValid());
        m_input = path(QStringLiteral("in.ppm"));
        QFile file(m_input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(*image::encodeImage(picture(), image::ImageFormat::Ppm));
        QFile empty(path(QStringLiteral("empty.png")));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        QFile text(path(QStringLiteral("text.png")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("this is not an image\n");
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        const QString in = m_dir.filePath(QStringLiteral("in.ppm"));
        const QString out = m_dir.filePath(QStringLiteral("out.png"));
        QTest::newRow("nothing") << QStringList{} << "usage";
        QTest::newRow("no input") << QStringList{QStringLiteral("blur")} << "usage";
        QTest::newRow("unknown op")
            << QStringList{QStringLiteral("warp"), in, QStringLiteral("-o"), out} << "unknown op";
        QTest::newRow("no output") << QStringList{QStringLiteral("blur"), in} << "-o OUTPUT";
        QTest::newRow("bad extension")
            << QStringList{QStringLiteral("blur"), in, QStringLiteral("-o"),
                           m_dir.filePath(QStringLiteral("x.gif"))}
            << "unknown image format";
        QTest::newRow("missing directory")
            << QStringList{QStringLiteral("blur"), in, QStringLiteral("-o"),
                           m_dir.filePath(QStringLiteral("nope/x.png"))}
            << "does not exist";
        QTest::newRow("sigma too big")
            << QStringList{QStringLiteral("blur"),    in,
                           QStringLiteral("-o"),      out,
                           QStringLiteral("--sigma"), QStringLiteral("99")}
            << "sigma";
        QTest::newRow("radius on blur")
            << QStringList{QStringLiteral("blur"),     in,
                           QStringLiteral("-o"),       out,
                           QStringLiteral("--radius"), QStringLiteral("2")}
            << "radius is for median";
        QTest::newRow("tasks 0") << QStringList{QStringLiteral("grey"),    in,
                                                QStringLiteral("-o"),      out,
                                                QStringLiteral("--tasks"), QStringLiteral("0")}
                                 << "tasks";
        QTest::newRow("bad strategy")
            << QStringList{QStringLiteral("grey"),       in,
                           QStringLiteral("-o"),         out,
                           QStringLiteral("--strategy"), QStringLiteral("fast")}
            << "unknown strategy";
        QTest::newRow("bad order") << QStringList{QStringLiteral("grey"),    in,
                                                  QStringLiteral("-o"),      out,
                                                  QStringLiteral("--order"), QStringLiteral("up")}
                                   << "unknown order";
        QTest::newRow("missing input")
            << QStringList{QStringLiteral("grey"), m_dir.filePath(QStringLiteral("no.png")),
                           QStringLiteral("-o"), out}
            << "no such file";
        QTest::newRow("empty input")
            << QStringList{QStringLiteral("grey"), m_dir.filePath(QStringLiteral("empty.png")),
                           QStringLiteral("-o"), out}
            << "is empty";
        QTest::newRow("not an image")
            << QStringList{QStringLiteral("grey"), m_dir.filePath(QStringLiteral("text.png")),
                           QStringLiteral("-o"), out}
            << "not a PNG";
        QTest::newRow("bad master")
            << QStringList{QStringLiteral("grey"),     in,
                           QStringLiteral("-o"),       out,
                           QStringLiteral("--master"), QStringLiteral("ftp://x")}
            << "--master";
        QTest::newRow("bad timeout")
            << QStringList{QStringLiteral("grey"),        in,
                           QStringLiteral("-o"),          out,
                           QStringLiteral("--timeout-s"), QStringLiteral("0")}
            << "--timeout-s";
        QTest::newRow("no cluster")
            << QStringList{QStringLiteral("grey"),      in,
                           QStringLiteral("-o"),        out,
                           QStringLiteral("--run-dir"), m_dir.filePath(QStringLiteral("norun"))}
            << "no cluster found";
        QTest::newRow("master unreachable")
            << QStringList{QStringLiteral("grey"),     in,
                           QStringLiteral("-o"),       out,
                           QStringLiteral("--master"), QStringLiteral("http://127.0.0.1:1")}
            << "cannot reach the master";
    }

    void badUsage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        const Outcome o = runJob(arguments);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(expected), qPrintable(o.err));
        QCOMPARE(o.err.trimmed().count(u'\n'), 0);
        QVERIFY(!QFile::exists(path(QStringLiteral("out.png"))));
    }

    void localIsTheReference()
    {
        const QString out = path(QStringLiteral("local.ppm"));
        const Outcome o = runJob({QStringLiteral("median"), m_input, QStringLiteral("-o"), out,
                                  QStringLiteral("--radius"), QStringLiteral("2"),
                                  QStringLiteral("--local"), QStringLiteral("--json")});
        QCOMPARE(o.exitCode, 0);
        const QJsonObject status = QJsonDocument::fromJson(o.out).object();
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
        QVERIFY(status.value(u"local").toBool());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto written = image::decodeImage(file.readAll(), {});
        QVERIFY(written);
        const auto expected =
            image::applyToImage(*image::ImageOp::make(QStringLiteral("median"), {}, 2), picture());
        QVERIFY(expected);
        QVERIFY(*written == *expected);
    }

    void jobOnTheCluster()
    {
        FakeJobMaster master;
        master.result = *image::encodeImage(picture(), image::ImageFormat::Png);
        const QString out = path(QStringLiteral("cluster.png"));
        const Outcome o =
            runJob({QStringLiteral("blur"), m_input, QStringLiteral("-o"), out,
                    QStringLiteral("--sigma"), QStringLiteral("1.5"), QStringLiteral("--strategy"),
                    QStringLiteral("dynamic"), QStringLiteral("--tasks"), QStringLiteral("4"),
                    QStringLiteral("--master"), master.url(), QStringLiteral("--json")});
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        const QJsonObject status = QJsonDocument::fromJson(o.out).object();
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("done"));
        QCOMPARE(status.value(u"makespan_s").toDouble(), 0.25);
        QCOMPARE(status.value(u"output").toString(), out);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), master.result);
        QMutexLocker lock(&master.mutex);
        QFile input(m_input);
        QVERIFY(input.open(QIODevice::ReadOnly));
        QCOMPARE(master.uploaded, input.readAll()); // the file itself went up
        QVERIFY2(master.query.contains("op=blur&") && master.query.contains("sigma=1.5&") &&
                     master.query.contains("strategy=dynamic&") &&
                     master.query.contains("tasks=4&"),
                 master.query.constData());
        // Issue 16, fairness: without --submitter the login name goes as the submitter.
        const passwd *user = ::getpwuid(::getuid());
        QVERIFY(user && user->pw_name);
        QVERIFY2(master.query.contains(QByteArray("submitter=" + QByteArray(user->pw_name) + '&')),
                 master.query.constData());
        QVERIFY(master.polls.load() >= 3);
    }

    void tokenGoesWithEveryRequest_data()
    {
        QTest::addColumn<bool>("fromEnvironment");
        QTest::newRow("--token") << false;
        QTest::newRow("STARLING_TOKEN") << true;
    }

    void tokenGoesWithEveryRequest()
    {
        QFETCH(bool, fromEnvironment);
        const QByteArray token = "0123abcd-token";
        FakeJobMaster master;
        master.requiredToken = token;
        master.result = *image::encodeImage(picture(), image::ImageFormat::Png);
        const QString out = path(QStringLiteral("token.png"));
        QStringList arguments{QStringLiteral("grey"),     m_input,     QStringLiteral("-o"), out,
                              QStringLiteral("--master"), master.url()};
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        if (fromEnvironment)
            environment.insert(QStringLiteral("STARLING_TOKEN"), QString::fromLatin1(token));
        else
            arguments << QStringLiteral("--token") << QString::fromLatin1(token);
        const Outcome o = runJob(arguments, environment);
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QVERIFY(!o.out.contains(token));
        QMutexLocker lock(&master.mutex);
        QVERIFY(master.authorizations.size() >= 3); // submit, status polls, result
        for (const QByteArray &authorization : std::as_const(master.authorizations))
            QCOMPARE(authorization, "Bearer " + token);
    }

    void noAccessIsExit2_data()
    {
        QTest::addColumn<QStringList>("tokenArguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong token")
            << QStringList{QStringLiteral("--token"), QStringLiteral("not-the-secret-value")}
            << QStringLiteral("HTTP 401");
        QTest::newRow("no token") << QStringList{} << QStringLiteral("HTTP 401");
        QTest::newRow("token with a space")
            << QStringList{QStringLiteral("--token"), QStringLiteral("not-the secret-value")}
            << QStringLiteral("--token must be");
        QTest::newRow("token with a line break")
            << QStringList{QStringLiteral("--token"), QStringLiteral("not-the\r\nX: secret-value")}
            << QStringLiteral("--token must be");
    }

    // No access is bad usage: exit 2, one line, the token given never echoed.
    void noAccessIsExit2()
    {
        QFETCH(QStringList, tokenArguments);
        QFETCH(QString, expected);
        FakeJobMaster master;
        master.requiredToken = "the-right-one";
        const QString out = path(QStringLiteral("denied.png"));
        const Outcome o = runJob(QStringList{QStringLiteral("grey"), m_input, QStringLiteral("-o"),
                                             out, QStringLiteral("--master"), master.url()} +
                                 tokenArguments);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(expected), qPrintable(o.err));
        QCOMPARE(o.err.trimmed().count(u'\n'), 0);
        QVERIFY2(!o.err.contains(QStringLiteral("secret")), qPrintable(o.err));
        QVERIFY(!QFile::exists(out));
        QMutexLocker lock(&master.mutex);
        QVERIFY(master.uploaded.isEmpty()); // refused before anything was queued
    }

    void failures_data()
    {
        QTest::addColumn<int>("submitStatus");
        QTest::addColumn<QByteArray>("submitBody");
        QTest::addColumn<QByteArray>("finalStatus");
        QTest::addColumn<int>("resultStatus");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("expected");
        const QByteArray accepted = "{\"id\":\"job-1\"}";
        const QByteArray done =
            "{\"id\":\"job-1\",\"state\":\"done\",\"units_done\":1,\"units_total\":1}";
        QTest::newRow("job failed")
            << 202 << accepted
            << QByteArray(
                   "{\"id\":\"job-1\",\"state\":\"failed\",\"units_done\":0,\"units_total\":1,"
                   "\"error\":\"every slave of the job was lost\"}")
            << 200 << 1 << "every slave of the job was lost";
        QTest::newRow("image refused")
            << 400 << QByteArray("{\"error\":\"PNG: bad CRC\",\"code\":\"bad_image\"}") << done
            << 200 << 2 << "PNG: bad CRC";
        QTest::newRow("too large")
            << 413 << QByteArray("request body too large\n") << done << 200 << 2 << "HTTP 413";
        QTest::newRow("queue full") << 503 << QByteArray("{\"error\":\"the job queue is full\"}")
                                    << done << 200 << 1 << "queue is full";
        // Issue 16, fairness: the submitter's share is held; a refusal like 503, not bad usage.
        QTest::newRow("submitter quota")
            << 429
            << QByteArray("{\"error\":\"submitter \\\"alice\\\" has 3 jobs waiting\","
                          "\"code\":\"submitter_quota\"}")
            << done << 200 << 1 << "has 3 jobs waiting";
        QTest::newRow("no id") << 202 << QByteArray("{}") << done << 200 << 1 << "no job id";
        QTest::newRow("garbage status")
            << 202 << accepted << QByteArray("<html>oops") << 200 << 1 << "not a JSON object";
        QTest::newRow("unknown state")
            << 202 << accepted << QByteArray("{\"id\":\"job-1\",\"state\":\"exploded\"}") << 200
            << 1 << "unknown state";
        QTest::newRow("result 500") << 202 << accepted << done << 500 << 1 << "HTTP 500";
    }

    void failures()
    {
        QFETCH(int, submitStatus);
        QFETCH(QByteArray, submitBody);
        QFETCH(QByteArray, finalStatus);
        QFETCH(int, resultStatus);
        QFETCH(int, exitCode);
        QFETCH(QString, expected);
        FakeJobMaster master;
        master.submitStatus = submitStatus;
        master.submitBody = submitBody;
        master.finalStatus = finalStatus;
        master.resultStatus = resultStatus;
        master.result = "x";
        const QString out = path(QStringLiteral("failed.png"));
        const Outcome o = runJob({QStringLiteral("grey"), m_input, QStringLiteral("-o"), out,
                                  QStringLiteral("--master"), master.url()});
        QCOMPARE(o.exitCode, exitCode);
        QVERIFY2(o.err.contains(expected), qPrintable(o.err));
        QCOMPARE(o.err.trimmed().count(u'\n'), 0);
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestJobCli)
#include "tst_jobcli.moc"
