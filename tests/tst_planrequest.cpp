// How `starling get` finds a file and its plan: http://MASTER/files/PATH URLs, paths under
// the export root, and the plan request against a fake master (an HttpServer on 127.0.0.1
// port 0): a valid plan, the master's JSON refusals, garbage, truncated and oversized answers,
// a plan for another file, and no master at all.
#include "fakemaster.h"
#include "fakeslave.h"
#include "client/planrequest.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::transfer;
using namespace starling::client;
using starling::testing::FakeMaster;

namespace {

TransferPlan samplePlan(const QString &path)
{
    const QByteArray data = randomBytes(5000, 3);
    return testing::makePlan(
        data, 1024,
        {QUrl(QStringLiteral("http://127.0.0.1:1")), QUrl(QStringLiteral("http://127.0.0.1:2"))},
        path, "\"1-2\"");
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestPlanRequest : public QObject
{
    Q_OBJECT

private slots:
    void parseFilesUrl_data();
    void parseFilesUrl();
    void exportRelative_data();
    void exportRelative();
    void exportRelativeThroughSymlink();
    void validPlan();
    void masterAnswers_data();
    void masterAnswers();
    void noMaster();
};

void TestPlanRequest::parseFilesUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("master"); // empty = must be refused
    QTest::addColumn<QString>("path");
    QTest::newRow("plain") << QStringLiteral("http://127.0.0.1:8080/files/a/b.bin")
                           << QStringLiteral("http://127.0.0.1:8080") << QStringLiteral("a/b.bin");
    QTest::newRow("encoded") << QStringLiteral("http://host:1/files/my%20file%3F.iso")
                             << QStringLiteral("http://host:1") << QStringLiteral("my file?.iso");
    QTest::newRow("https, no port, query and fragment ignored")
        << QStringLiteral("https://master.example/files/x?y=1#z")
        << QStringLiteral("https://master.example") << QStringLiteral("x");
    QTest::newRow("ipv6") << QStringLiteral("http://[::1]:9/files/x")
                          << QStringLiteral("http://[::1]:9") << QStringLiteral("x");
    for (const char *bad :
         {"", "not a url", "ftp://h/files/x", "http:///files/x", "http://h/x", "http://h/files",
          "http://h/files/", "http://h/files/dir/", "http://h/files/a/../b", "http://h/files//x",
          "http://h/files/./x", "http://h/files/%2e%2e/etc/passwd", "http://h:99999/files/x",
          "http://h/files/bad%zzescape", "/files/x", "h/files/x"})
        QTest::newRow(bad) << QString::fromLatin1(bad) << QString() << QString();
}

void TestPlanRequest::parseFilesUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, master);
    QFETCH(QString, path);
    const auto location = client::parseFilesUrl(url);
    if (master.isEmpty()) {
        QVERIFY(!location.hasValue());
        QCOMPARE(location.errorCode(), QStringLiteral("bad_url"));
        QVERIFY2(location.error().startsWith(QLatin1String("bad URL")),
                 qPrintable(location.error()));
        return;
    }
    QVERIFY2(location.hasValue(), qPrintable(location.hasValue() ? QString() : location.error()));
    QCOMPARE(location->master.toString(), master);
    QCOMPARE(location->path, path);
}

void TestPlanRequest::exportRelative_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("root");
    QTest::addColumn<QString>("expected"); // empty = refused
    const QString root = QStringLiteral("/srv/export");
    QTest::newRow("relative") << QStringLiteral("a/b.bin") << root << QStringLiteral("a/b.bin");
    QTest::newRow("dot prefix") << QStringLiteral("./a") << root << QStringLiteral("a");
    QTest::newRow("inner dot-dot") << QStringLiteral("a/../b") << root << QStringLiteral("b");
    QTest::newRow("absolute inside")
        << QStringLiteral("/srv/export/a/b") << root << QStringLiteral("a/b");
    QTest::newRow("root with slash")
        << QStringLiteral("/srv/export/a") << QStringLiteral("/srv/export/") << QStringLiteral("a");
    QTest::newRow("leaves the root") << QStringLiteral("../x") << root << QString();
    QTest::newRow("dot-dot only") << QStringLiteral("..") << root << QString();
    QTest::newRow("dot") << QStringLiteral(".") << root << QString();
    QTest::newRow("empty") << QString() << root << QString();
    QTest::newRow("the root itself") << QStringLiteral("/srv/export") << root << QString();
    QTest::newRow("prefix trap") << QStringLiteral("/srv/exported/a") << root << QString();
    QTest::newRow("elsewhere") << QStringLiteral("/etc/passwd") << root << QString();
    QTest::newRow("absolute escaping")
        << QStringLiteral("/srv/export/../etc/passwd") << root << QString();
}

void TestPlanRequest::exportRelative()
{
    QFETCH(QString, argument);
    QFETCH(QString, root);
    QFETCH(QString, expected);
    const auto relative = exportRelativePath(argument, root);
    if (expected.isEmpty()) {
        QVERIFY(!relative.hasValue());
        QCOMPARE(relative.errorCode(), QStringLiteral("bad_path"));
        return;
    }
    QVERIFY2(relative.hasValue(), qPrintable(relative.hasValue() ? QString() : relative.error()));
    QCOMPARE(*relative, expected);
}

void TestPlanRequest::exportRelativeThroughSymlink()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString root = dir.filePath(QStringLiteral("export"));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/sub")));
    QFile file(root + QStringLiteral("/sub/f.bin"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString link = dir.filePath(QStringLiteral("link"));
    QVERIFY(QFile::link(root, link));
    const auto relative = exportRelativePath(link + QStringLiteral("/sub/f.bin"), root);
    QVERIFY2(relative.hasValue(), qPrintable(relative.hasValue() ? QString() : relative.error()));
    QCOMPARE(*relative, QStringLiteral("sub/f.bin"));
}

void TestPlanRequest::validPlan()
{
    FakeMaster master;
    master.listen();
    const TransferPlan plan = samplePlan(QStringLiteral("dir/a b.bin"));
    master.answer(200, json(plan.toJson()));
    const auto got =
        requestPlan(master.url(), QStringLiteral("dir/a b.bin"), QStringLiteral("pdds"));
    QVERIFY2(got.hasValue(), qPrintable(got.hasValue() ? QString() : got.error()));
    QCOMPARE(got->toJson(), plan.toJson());
    QCOMPARE(master.lastPath(), QByteArray("/api/v1/plan"));
    const auto query = master.lastQuery();
    QCOMPARE(query.size(), 2);
    QCOMPARE(query[0], qMakePair(QByteArray("path"), QByteArray("dir/a b.bin")));
    QCOMPARE(query[1], qMakePair(QByteArray("strategy"), QByteArray("pdds")));

    // No strategy: the cluster's default, so none is sent.
    QVERIFY(requestPlan(master.url(), QStringLiteral("dir/a b.bin"), QString()).hasValue());
    QCOMPARE(master.lastQuery().size(), 1);
}

void TestPlanRequest::masterAnswers_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    const QByteArray valid = json(samplePlan(QStringLiteral("f")).toJson());
    QTest::newRow("refused with JSON")
        << 404 << QByteArray(R"({"error":"no such file: f","code":"not_found"})")
        << QStringLiteral("refused")
        << QStringLiteral("the master refused: no such file: f (not_found)");
    QTest::newRow("refused, error with a line break")
        << 400 << QByteArray(R"({"error":"bad\nInjected: yes"})") << QStringLiteral("refused")
        << QStringLiteral("the master refused: bad Injected: yes");
    QTest::newRow("refused without JSON")
        << 503 << QByteArray("busy\n") << QStringLiteral("unavailable")
        << QStringLiteral("the master refused with HTTP 503: busy");
    QTest::newRow("garbage") << 200 << QByteArray("\x01\x02garbage") << QStringLiteral("bad_plan")
                             << QStringLiteral("the master's plan is not a JSON object");
    QTest::newRow("truncated") << 200 << valid.left(valid.size() / 2) << QStringLiteral("bad_plan")
                               << QStringLiteral("the master's plan is not a JSON object");
    QTest::newRow("array") << 200 << QByteArray("[]") << QStringLiteral("bad_plan")
                           << QStringLiteral("the master's plan is not a JSON object");
    QTest::newRow("invalid plan") << 200 << QByteArray(R"({"path":"f"})")
                                  << QStringLiteral("bad_plan")
                                  << QStringLiteral("the master sent an invalid plan: plan: ");
    QTest::newRow("another file") << 200 << json(samplePlan(QStringLiteral("g")).toJson())
                                  << QStringLiteral("bad_plan")
                                  << QStringLiteral("the master sent a plan for g, not f");
    QTest::newRow("oversized") << 200 << valid + QByteArray(64 * 1024, ' ')
                               << QStringLiteral("bad_plan")
                               << QStringLiteral("sent a plan larger than 65536 bytes");
    QTest::newRow("redirect") << 302 << QByteArray() << QStringLiteral("bad_plan")
                              << QStringLiteral("the master answered HTTP 302 instead of a plan");
}

void TestPlanRequest::masterAnswers()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, message);
    FakeMaster master;
    master.listen();
    master.answer(status, body);
    const auto got = requestPlan(master.url(), QStringLiteral("f"), QString(), 15000, 64 * 1024);
    QVERIFY(!got.hasValue());
    QCOMPARE(got.errorCode(), code);
    QVERIFY2(got.error().contains(message), qPrintable(got.error()));
    QVERIFY(!got.error().contains(u'\n'));
}

void TestPlanRequest::noMaster()
{
    quint16 port = 0;
    {
        FakeMaster gone; // a port that was just free; nothing listens there now
        port = gone.listen();
    }
    const auto got = requestPlan(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)),
                                 QStringLiteral("f"), QString(), 5000);
    QVERIFY(!got.hasValue());
    QCOMPARE(got.errorCode(), QStringLiteral("unreachable"));
    QVERIFY2(got.error().startsWith(
                 QStringLiteral("cannot reach the master at http://127.0.0.1:%1").arg(port)),
             qPrintable(got.error()));
}

QTEST_GUILESS_MAIN(TestPlanRequest)
#include "tst_planrequest.moc"
