// starling-console --record / --replay as a user runs them: bad files and values are one line
// on stderr and exit code 2; a replay renders headless to a PNG at the moment asked for and
// exits 0; the shipped demo recording does the same.
#include "consolemodel/recordingwriter.h"
#include "processrun.h"
#include "recordedsession.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;

namespace {

struct Run
{
    int code = -1;
    QString err;
};

Run console(const QStringList &arguments)
{
    const testing::CliResult r =
        testing::runProgram(QStringLiteral(STARLING_CONSOLE), arguments, 60000);
    return {r.exitCode, r.err.trimmed()};
}

// A session of 24 steps (11.5 s) recorded to `path`.
void recordSession(const QString &path)
{
    auto writer = consolemodel::RecordingWriter::create(path, consolemodel::RecordingHeader{});
    QVERIFY2(writer, qPrintable(writer.error()));
    testing::FakeClusterSource source;
    qint64 clock = 0;
    (*writer)->setClock([&clock] { return clock; });
    source.start();
    (*writer)->attach(&source);
    for (int step = 0; step < 24; ++step) {
        clock = step * testing::kSessionStepMs;
        testing::pushSessionStep(source, step);
    }
}

// Many colours: a window with text and charts, not a blank or one-colour image.
int colours(const QImage &image)
{
    QSet<QRgb> seen;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3)
            seen.insert(image.pixel(x, y));
    }
    return int(seen.size());
}

} // namespace

class TestConsoleReplayCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_good;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_good = m_dir.filePath(QStringLiteral("good.strec"));
        recordSession(m_good);
        QVERIFY(QFile::exists(m_good));
    }

    void badFilesAndValuesAreOneLineAndExit2_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString png = m_dir.filePath(QStringLiteral("x.png"));
        const QString text = m_dir.filePath(QStringLiteral("text.strec"));
        QFile t(text);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("not a recording\n");
        t.close();
        QFile good(m_good);
        QVERIFY(good.open(QIODevice::ReadOnly));
        QByteArray bytes = good.readAll();
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x40);
        const QString flipped = m_dir.filePath(QStringLiteral("flipped.strec"));
        QFile f(flipped);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        const QString r = QStringLiteral("--replay"), at = QStringLiteral("--screenshot-at"),
                      shot = QStringLiteral("--screenshot");
        QTest::newRow("missing file")
            << QStringList{r, m_dir.filePath(QStringLiteral("nope.strec"))} << "nope.strec: ";
        QTest::newRow("not a recording") << QStringList{r, text} << "not a Starling console";
        QTest::newRow("flipped byte") << QStringList{r, flipped} << "offset";
        QTest::newRow("time garbage")
            << QStringList{r, m_good, shot, png, at, QStringLiteral("soon")} << "--screenshot-at";
        QTest::newRow("seconds past 59")
            << QStringList{r, m_good, shot, png, at, QStringLiteral("1:75")} << "m:ss";
        QTest::newRow("negative") << QStringList{r, m_good, shot, png, at, QStringLiteral("-3")}
                                  << "--screenshot-at";
        QTest::newRow("past the end")
            << QStringList{r, m_good, shot, png, at, QStringLiteral("0:30")} << "past the end";
        QTest::newRow("at without replay")
            << QStringList{shot, png, at, QStringLiteral("3")} << "goes with --replay";
        QTest::newRow("at without screenshot")
            << QStringList{r, m_good, at, QStringLiteral("3")} << "goes with --replay";
        QTest::newRow("replay and demo")
            << QStringList{r, m_good, QStringLiteral("--demo")} << "drop --demo";
        QTest::newRow("replay and record")
            << QStringList{r, m_good, QStringLiteral("--record"), png} << "--record";
        QTest::newRow("record over a file")
            << QStringList{QStringLiteral("--record"), m_good, QStringLiteral("--run-dir"),
                           m_dir.filePath(QStringLiteral("run"))}
            << "never overwritten";
    }

    void badFilesAndValuesAreOneLineAndExit2()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Run r = console(arguments);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1Char('\n')), qPrintable(r.err));
    }

    void headlessScreenshotAtAMoment_data()
    {
        QTest::addColumn<QString>("recording");
        QTest::addColumn<QString>("at");
        QTest::newRow("seconds") << QString() << "6.5";
        QTest::newRow("m:ss") << QString() << "0:11";
        QTest::newRow("shipped demo, at its end")
            << QStringLiteral(STARLING_RESOURCES_DIR "/recordings/demo.strec") << QString();
    }

    void headlessScreenshotAtAMoment()
    {
        QFETCH(QString, recording);
        QFETCH(QString, at);
        const QString png =
            m_dir.filePath(QStringLiteral("%1.png").arg(QLatin1String(QTest::currentDataTag())));
        QStringList arguments{QStringLiteral("--replay"), recording.isEmpty() ? m_good : recording,
                              QStringLiteral("--screenshot"), png};
        if (!at.isEmpty())
            arguments << QStringLiteral("--screenshot-at") << at;
        const Run r = console(arguments);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY2(image.width() >= 1000 && image.height() >= 700,
                 qPrintable(QStringLiteral("%1x%2").arg(image.width()).arg(image.height())));
        QVERIFY2(colours(image) > 30, qPrintable(QString::number(colours(image))));
    }

    // A demo whose cluster cannot start (here: a profile that is not there) plays the shipped
    // recording instead, says why on stderr, and still shows data.
    void demoWithoutAClusterReplaysTheShippedRecording()
    {
        const QString png = m_dir.filePath(QStringLiteral("fallback.png"));
        const Run r = console({QStringLiteral("--demo"), QStringLiteral("--profile"),
                               m_dir.filePath(QStringLiteral("no-such-profile.json")),
                               QStringLiteral("--run-dir"), m_dir.filePath(QStringLiteral("demo")),
                               QStringLiteral("--screenshot"), png, QStringLiteral("--timeout-s"),
                               QStringLiteral("50")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("no-such-profile")), qPrintable(r.err));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(colours(image) > 30);
    }

    void recordingALiveSourceRefusesAnUnwritablePlace()
    {
        const Run r = console({QStringLiteral("--record"), QStringLiteral("/nonexistent/x.strec"),
                               QStringLiteral("--run-dir"), m_dir.filePath(QStringLiteral("r"))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("cannot create")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestConsoleReplayCli)
#include "tst_consolereplaycli.moc"
