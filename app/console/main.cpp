// starling-console: the operator GUI. Wires a cluster source (the state file, --connect, or a
// local demo cluster) to the main window; everything else lives in ui/ and core/.
#include "cluster/statefile.h"
#include "consolemodel/bridgeclustersource.h"
#include "consolemodel/demoload.h"
#include "consolemodel/localcluster.h"
#include "windows/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace starling;

namespace {

int usageError(const QString &message)
{
    std::fprintf(stderr, "starling-console: %s\n", qPrintable(message));
    return 2;
}

// The default profile, found next to the build (build/bin -> resources/) or where the
// source tree said at build time.
QString defaultProfile()
{
    const QString near = QDir(QCoreApplication::applicationDirPath())
                             .filePath(QStringLiteral("../../resources/profiles/four-slaves.json"));
    if (QFileInfo::exists(near))
        return QDir::cleanPath(near);
    return QStringLiteral(STARLING_RESOURCES_DIR "/profiles/four-slaves.json");
}

// Qt says this on every start under a bare root shell (no XDG_RUNTIME_DIR) and then uses
// /tmp/runtime-$USER itself; it is noise to an operator reading the console's one-line errors.
QtMessageHandler g_defaultHandler = nullptr;
void quietRuntimeDirNoise(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type == QtWarningMsg && text.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR")))
        return;
    g_defaultHandler(type, context, text);
}

} // namespace

int main(int argc, char **argv)
{
    g_defaultHandler = qInstallMessageHandler(quietRuntimeDirNoise);
    // Without a display Qt would abort with a message about xcb; say what to do instead.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        return usageError(QStringLiteral("no display (DISPLAY is not set); for a demo without "
                                         "one run `starling demo`, or set "
                                         "QT_QPA_PLATFORM=offscreen"));
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("starling-console"));
    QApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Starling operator console. Without options it watches the cluster in the "
                       "run directory (and waits for one to appear)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption runDir(
        QStringLiteral("run-dir"),
        QStringLiteral("The cluster's run directory (default: $STARLING_RUN_DIR or ./.starling)."),
        QStringLiteral("dir"));
    const QCommandLineOption connectTo(QStringLiteral("connect"),
                                       QStringLiteral("A bridge address, HOST:PORT."),
                                       QStringLiteral("host:port"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
                                       QStringLiteral("With --connect: the bridge's token."),
                                       QStringLiteral("file"));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QStringLiteral("Start a local cluster (the four-slave profile) and a load generator; "
                       "closing the window stops both."));
    const QCommandLineOption slaves(QStringLiteral("slaves"),
                                    QStringLiteral("--demo: how many slaves (default 4)."),
                                    QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption profile(QStringLiteral("profile"),
                                     QStringLiteral("--demo: the heterogeneity profile."),
                                     QStringLiteral("file"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Once the views hold data, save the window as a PNG and quit."),
        QStringLiteral("file"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout-s"),
        QStringLiteral("--screenshot: give up (exit 1) after this long (default 120)."),
        QStringLiteral("s"), QStringLiteral("120"));
    const QCommandLineOption latencyLog(
        QStringLiteral("latency-log"),
        QStringLiteral("Append \"sequence published_ms displayed_ms\" for every snapshot the "
                       "node table shows (the console benchmark reads it)."),
        QStringLiteral("file"));
    const QCommandLineOption screenshotAfter(
        QStringLiteral("screenshot-after-s"),
        QStringLiteral("--screenshot: not before this many seconds of data (default 0)."),
        QStringLiteral("s"), QStringLiteral("0"));
    const QCommandLineOption showTab(QStringLiteral("show"),
                                     QStringLiteral("Open with this view shown (CPU, Memory, "
                                                    "Bandwidth, Load, Task, Strategies, Events)."),
                                     QStringLiteral("view"));
    const ui::NodeTableModel::Thresholds defaults;
    const QCommandLineOption cpuWarn(
        QStringLiteral("cpu-warn"),
        QStringLiteral("CPU cells turn amber from this % of one core (default %1).")
            .arg(defaults.cpuWarn * 100),
        QStringLiteral("pct"), QString::number(defaults.cpuWarn * 100));
    const QCommandLineOption cpuCritical(
        QStringLiteral("cpu-critical"),
        QStringLiteral("... and red from this % (default %1).").arg(defaults.cpuCritical * 100),
        QStringLiteral("pct"), QString::number(defaults.cpuCritical * 100));
    const QCommandLineOption memWarn(
        QStringLiteral("mem-warn"),
        QStringLiteral("Memory cells turn amber from this many MiB (default %1).")
            .arg(defaults.memWarnBytes / 1048576),
        QStringLiteral("mib"), QString::number(defaults.memWarnBytes / 1048576));
    const QCommandLineOption memCritical(QStringLiteral("mem-critical"),
                                         QStringLiteral("... and red from this many (default %1).")
                                             .arg(defaults.memCriticalBytes / 1048576),
                                         QStringLiteral("mib"),
                                         QString::number(defaults.memCriticalBytes / 1048576));
    parser.addOptions({runDir, connectTo, tokenFile, demo, slaves, profile, screenshot, timeout,
                       latencyLog, screenshotAfter, showTab, cpuWarn, cpuCritical, memWarn,
                       memCritical});
    // parse(), not process(): a bad command line is exit code 2 with one line, as everywhere.
    if (!parser.parse(QApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));
    if (parser.isSet(demo) && parser.isSet(connectTo))
        return usageError(QStringLiteral("--demo starts its own cluster; drop --connect"));
    bool ok = false;
    const int slaveCount = parser.value(slaves).toInt(&ok);
    if (!ok || slaveCount < 1 || slaveCount > 64)
        return usageError(QStringLiteral("--slaves wants a number from 1 to 64"));
    const int timeoutS = parser.value(timeout).toInt(&ok);
    if (!ok || timeoutS < 1 || timeoutS > 86400)
        return usageError(QStringLiteral("--timeout-s wants seconds from 1 to 86400"));
    const int afterS = parser.value(screenshotAfter).toInt(&ok);
    if (!ok || afterS < 0 || afterS >= timeoutS)
        return usageError(QStringLiteral("--screenshot-after-s wants seconds from 0 to below "
                                         "--timeout-s"));

    ui::NodeTableModel::Thresholds thresholds;
    const auto number = [&](const QCommandLineOption &o, double lo, double hi, double *out) {
        bool good = false;
        const double v = parser.value(o).toDouble(&good);
        if (!good || !(v >= lo && v <= hi))
            return false;
        *out = v;
        return true;
    };
    double cpuW = 0, cpuC = 0, memW = 0, memC = 0;
    if (!number(cpuWarn, 0, 10000, &cpuW) || !number(cpuCritical, 0, 10000, &cpuC) ||
        !number(memWarn, 0, 1e9, &memW) || !number(memCritical, 0, 1e9, &memC) || cpuW > cpuC ||
        memW > memC)
        return usageError(QStringLiteral("thresholds want numbers, warn <= critical (CPU in % of "
                                         "one core, memory in MiB)"));
    thresholds.cpuWarn = cpuW / 100;
    thresholds.cpuCritical = cpuC / 100;
    thresholds.memWarnBytes = memW * 1048576;
    thresholds.memCriticalBytes = memC * 1048576;

    ui::MainWindow window;
    window.setThresholds(thresholds);
    if (parser.isSet(showTab) && !window.showTab(parser.value(showTab)))
        return usageError(QStringLiteral("no view called \"%1\"").arg(parser.value(showTab)));
    if (parser.isSet(demo))
        window.setTimeWindow(60000); // a demo's minutes fill a 1-minute window at once
    const QString cli =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("starling"));
    const QString dir = cluster::resolveRunDir(parser.value(runDir));
    std::unique_ptr<consolemodel::LocalCluster> local;
    std::unique_ptr<consolemodel::DemoLoad> load;
    const auto watchRunDir = [&] {
        window.adoptSource(std::make_unique<consolemodel::BridgeClusterSource>(
            consolemodel::endpointFromStateFile(cluster::stateFilePath(dir)),
            QStringLiteral("starling-console")));
    };

    if (parser.isSet(connectTo)) {
        const auto endpoint =
            consolemodel::parseConnectArguments(parser.value(connectTo), parser.value(tokenFile));
        if (!endpoint)
            return usageError(endpoint.error());
        window.adoptSource(std::make_unique<consolemodel::BridgeClusterSource>(
            consolemodel::fixedEndpoint(*endpoint), QStringLiteral("starling-console")));
    } else if (parser.isSet(demo)) {
        if (QFileInfo::exists(cluster::stateFilePath(dir)))
            return usageError(QStringLiteral("a cluster's state file is already in %1; stop it "
                                             "(starling down --run-dir %1) or pick another "
                                             "--run-dir")
                                  .arg(dir));
        consolemodel::LocalCluster::Options options;
        options.cli = cli;
        options.runDir = dir;
        options.exportRoot = QDir(dir).filePath(QStringLiteral("export"));
        options.profile = parser.isSet(profile) ? parser.value(profile) : defaultProfile();
        options.slaves = slaveCount;
        local = std::make_unique<consolemodel::LocalCluster>(options);
        consolemodel::DemoLoad::Options loadOptions;
        loadOptions.cli = cli;
        loadOptions.runDir = dir;
        loadOptions.exportRoot = options.exportRoot;
        loadOptions.workDir = QDir(dir).filePath(QStringLiteral("work"));
        load = std::make_unique<consolemodel::DemoLoad>(loadOptions);
        QObject::connect(load.get(), &consolemodel::DemoLoad::stepFinished, &window,
                         [&window](const QString &line, bool good) {
                             window.showNotice(QStringLiteral("demo: ") + line, good);
                         });
        QObject::connect(load.get(), &consolemodel::DemoLoad::failed, &window,
                         [&window](const QString &why) { window.showNotice(why, false); });
        QObject::connect(local.get(), &consolemodel::LocalCluster::started, &window, [&] {
            watchRunDir();
            window.showNotice(QStringLiteral("demo cluster up in %1; load starting").arg(dir),
                              true);
            if (load->prepare())
                load->start();
        });
        QObject::connect(local.get(), &consolemodel::LocalCluster::failed, &window,
                         [&window](const QString &why) { window.showNotice(why, false); });
        window.showNotice(QStringLiteral("starting a local cluster of %1 slaves in %2 ...")
                              .arg(slaveCount)
                              .arg(dir),
                          true);
        local->start();
    } else {
        watchRunDir();
    }

    QFile latency;
    if (parser.isSet(latencyLog)) {
        latency.setFileName(parser.value(latencyLog));
        if (!latency.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
            return usageError(QStringLiteral("cannot write %1: %2")
                                  .arg(latency.fileName(), latency.errorString()));
        QObject::connect(
            &window, &ui::MainWindow::snapshotDisplayed, &window,
            [&latency](qint64 sequence, qint64 publishedMs) {
                latency.write(QByteArray::number(sequence) + ' ' + QByteArray::number(publishedMs) +
                              ' ' + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '\n');
                latency.flush();
            });
    }

    int exitCode = 0;
    if (parser.isSet(screenshot)) {
        // Waits for the views to hold data (a few snapshots with every slave in the history),
        // not for a fixed time.
        auto *poll = new QTimer(&window);
        auto *clock = new QElapsedTimer;
        clock->start();
        QObject::connect(poll, &QTimer::timeout, &window, [&, poll, clock] {
            const bool ready =
                window.snapshotsReceived() >= 6 && !window.history().ranks().empty() &&
                window.history().lastMs() - window.history().firstMs() >= afterS * 1000LL;
            if (!ready && clock->elapsed() < timeoutS * 1000LL)
                return;
            poll->stop();
            if (!ready) {
                std::fprintf(stderr, "starling-console: no data within %d s; no screenshot\n",
                             timeoutS);
                exitCode = 1;
            } else {
                window.refreshNow();
                if (!window.grab().save(parser.value(screenshot))) {
                    std::fprintf(stderr, "starling-console: cannot write %s\n",
                                 qPrintable(parser.value(screenshot)));
                    exitCode = 1;
                }
            }
            delete clock;
            window.close();
        });
        poll->start(200);
    }
    window.show();
    const int code = app.exec();
    if (load)
        load->stop();
    window.setSource(nullptr);
    if (local && !local->stop())
        std::fprintf(stderr, "starling-console: the demo cluster in %s did not stop cleanly\n",
                     qPrintable(dir));
    return exitCode != 0 ? exitCode : code;
}
