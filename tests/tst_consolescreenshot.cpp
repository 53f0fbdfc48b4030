// The console on a real X server (Xvfb) against a real 4-slave cluster: it finds the cluster
// through the run directory, waits until its views hold data, and saves a screenshot of its
// window into the build directory (build/console-screenshot.png), which must not be blank.
#include "clusterharness.h"

#include <QImage>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

using namespace starling;
using starling::testing::ClusterHarness;

class TestConsoleScreenshot : public QObject
{
    Q_OBJECT

private slots:
    void screenshotOfALiveCluster()
    {
        const QString xvfbRun = QStandardPaths::findExecutable(QStringLiteral("xvfb-run"));
        QVERIFY2(!xvfbRun.isEmpty(), "xvfb-run is missing: `make test` installs xvfb and xauth");
        ClusterHarness cluster;
        QVERIFY(cluster.isValid());
        QVERIFY(cluster.up(4, QStringLiteral(STARLING_PROFILE)));
        // Some work, so queues and loads differ between the slaves.
        QCOMPARE(cluster
                     .run({QStringLiteral("load"), QStringLiteral("--tasks"), QStringLiteral("12"),
                           QStringLiteral("--task-ms"), QStringLiteral("1500")})
                     .exitCode,
                 0);
        const QString png = QStringLiteral(STARLING_BUILD_DIR "/console-screenshot.png");
        QFile::remove(png);
        QProcess console;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM")); // ctest's offscreen is for the other tests
        console.setProcessEnvironment(env);
        console.start(xvfbRun, {QStringLiteral("-a"), QStringLiteral("-s"),
                                QStringLiteral("-screen 0 1600x1000x24"),
                                QStringLiteral(STARLING_CONSOLE), QStringLiteral("--run-dir"),
                                cluster.runDir(), QStringLiteral("--screenshot"), png,
                                QStringLiteral("--timeout-s"), QStringLiteral("90")});
        const bool finished = console.waitForFinished(150000);
        const QByteArray err = console.readAllStandardError();
        if (!finished) {
            console.kill();
            console.waitForFinished(5000);
        }
        const bool stopped = cluster.down();
        cluster.killLeftovers();
        QVERIFY2(finished, err.constData());
        QVERIFY2(console.exitStatus() == QProcess::NormalExit && console.exitCode() == 0,
                 err.constData());
        QVERIFY(stopped);
        const QImage image(png);
        QVERIFY2(!image.isNull(), qPrintable(png));
        QVERIFY(image.width() >= 800 && image.height() >= 600);
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 5)
            for (int x = 0; x < image.width(); x += 5)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 40, qPrintable(QString::number(colours.size())));
    }
};

QTEST_GUILESS_MAIN(TestConsoleScreenshot)
#include "tst_consolescreenshot.moc"
