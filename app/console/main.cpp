// starling-console: the operator GUI. Wires a cluster source (the state file, --connect, or a
// local demo cluster) to the main window; everything else lives in ui/ and core/.
#include "cluster/statefile.h"
#include "consolemodel/bridgeclustersource.h"
#include "consolemodel/demoload.h"
#include "consolemodel/localcluster.h"
#include "consoleoptions.h"
#include "consolereplay.h"
#include "util/shippedresource.h"
#include "util/stopsignals.h"
#include "windows/consolesettings.h"
#include "windows/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

using namespace starling;
using starling::console::ConsoleOptions;

namespace {

int usageError(const QString &message)
{
    std::fprintf(stderr, "starling-console: %s\n", qPrintable(message));
    return 2;
}

// The default profile, found next to the build (build/bin -> resources/), where the Debian
// package puts it, or where the source tree said at build time.
QString defaultProfile()
{
    const QString shipped = util::findShippedResource(QStringLiteral("profiles/four-slaves.json"));
    return shipped.isEmpty() ? QStringLiteral(STARLING_RESOURCES_DIR "/profiles/four-slaves.json")
                             : shipped;
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

// The demo's own cluster and its load generator, alive as long as the window.
struct DemoRun
{
    std::unique_ptr<consolemodel::LocalCluster> cluster;
    std::unique_ptr<consolemodel::DemoLoad> load;
};

void watchRunDir(ui::MainWindow &window, const QString &dir)
{
    window.adoptSource(std::make_unique<consolemodel::BridgeClusterSource>(
        consolemodel::endpointFromStateFile(cluster::stateFilePath(dir)),
        QStringLiteral("starling-console")));
}

QString starlingCli()
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("starling"));
}

void makeDemoRun(DemoRun &demo, const ConsoleOptions &options, const QString &dir)
{
    consolemodel::LocalCluster::Options clusterOptions;
    clusterOptions.cli = starlingCli();
    clusterOptions.runDir = dir;
    clusterOptions.exportRoot = QDir(dir).filePath(QStringLiteral("export"));
    clusterOptions.profile = options.profile ? *options.profile : defaultProfile();
    clusterOptions.slaves = options.slaves;
    demo.cluster = std::make_unique<consolemodel::LocalCluster>(clusterOptions);
    consolemodel::DemoLoad::Options loadOptions;
    loadOptions.cli = clusterOptions.cli;
    loadOptions.runDir = dir;
    loadOptions.exportRoot = clusterOptions.exportRoot;
    loadOptions.workDir = QDir(dir).filePath(QStringLiteral("work"));
    demo.load = std::make_unique<consolemodel::DemoLoad>(loadOptions);
}

// The window watches the demo's cluster once it is up, and the load starts then; every step
// and failure shows as a notice.
void wireDemoRun(DemoRun &demo, ui::MainWindow &window, const QString &dir,
                 console::ReplayRun &replay)
{
    consolemodel::DemoLoad *load = demo.load.get();
    QObject::connect(load, &consolemodel::DemoLoad::stepFinished, &window,
                     [&window](const QString &line, bool good) {
                         window.showNotice(QStringLiteral("demo: ") + line, good);
                     });
    QObject::connect(load, &consolemodel::DemoLoad::failed, &window,
                     [&window](const QString &why) { window.showNotice(why, false); });
    QObject::connect(demo.cluster.get(), &consolemodel::LocalCluster::started, &window,
                     [&window, dir, load] {
                         watchRunDir(window, dir);
                         window.showNotice(
                             QStringLiteral("demo cluster up in %1; load starting").arg(dir), true);
                         if (load->prepare())
                             load->start();
                     });
    // No cluster (no mpiexec, ports taken, ...): the shipped recording is the demo then.
    QObject::connect(demo.cluster.get(), &consolemodel::LocalCluster::failed, &window,
                     [&window, &replay](const QString &why) {
                         std::fprintf(stderr, "starling-console: %s\n", qPrintable(why));
                         console::replayShippedDemo(replay, window, why);
                     });
}

std::optional<QString> startDemo(DemoRun &demo, ui::MainWindow &window,
                                 const ConsoleOptions &options, const QString &dir,
                                 console::ReplayRun &replay)
{
    if (QFileInfo::exists(cluster::stateFilePath(dir)))
        return QStringLiteral("a cluster's state file is already in %1; stop it "
                              "(starling down --run-dir %1) or pick another "
                              "--run-dir")
            .arg(dir);
    makeDemoRun(demo, options, dir);
    wireDemoRun(demo, window, dir, replay);
    window.showNotice(QStringLiteral("starting a local cluster of %1 slaves in %2 ...")
                          .arg(options.slaves)
                          .arg(dir),
                      true);
    demo.cluster->start();
    return std::nullopt;
}

// The cluster the window shows: a bridge address, the demo's own, or the run directory's.
std::optional<QString> wireSource(ui::MainWindow &window, const ConsoleOptions &options,
                                  const QString &dir, DemoRun &demo, console::ReplayRun &replay)
{
    if (options.replay)
        return console::startReplay(replay, window, *options.replay, options);
    if (options.connectTo) {
        const auto endpoint =
            consolemodel::parseConnectArguments(*options.connectTo, options.tokenFile);
        if (!endpoint)
            return endpoint.error();
        consolemodel::BridgeEndpoint bridge = *endpoint;
        bridge.tls = options.tls;
        window.adoptSource(std::make_unique<consolemodel::BridgeClusterSource>(
            consolemodel::fixedEndpoint(bridge), QStringLiteral("starling-console")));
        return std::nullopt;
    }
    if (options.demo)
        return startDemo(demo, window, options, dir, replay);
    watchRunDir(window, dir);
    return std::nullopt;
}

std::optional<QString> openLatencyLog(QFile &latency, ui::MainWindow &window, const QString &path)
{
    latency.setFileName(path);
    if (!latency.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
        return QStringLiteral("cannot write %1: %2").arg(latency.fileName(), latency.errorString());
    QObject::connect(&window, &ui::MainWindow::snapshotDisplayed, &window,
                     [&latency](qint64 sequence, qint64 publishedMs) {
                         latency.write(
                             QByteArray::number(sequence) + ' ' + QByteArray::number(publishedMs) +
                             ' ' + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '\n');
                         latency.flush();
                     });
    // "history FIRST_MS LAST_MS NOW_MS": the charts hold the monitor's history from then on.
    QObject::connect(&window, &ui::MainWindow::historyDisplayed, &window,
                     [&latency](qint64 firstMs, qint64 lastMs) {
                         latency.write("history " + QByteArray::number(firstMs) + ' ' +
                                       QByteArray::number(lastMs) + ' ' +
                                       QByteArray::number(QDateTime::currentMSecsSinceEpoch()) +
                                       '\n');
                         latency.flush();
                     });
    return std::nullopt;
}

// Waits for the views to hold data (a few snapshots with every slave in the history), not for
// a fixed time; then saves the window and closes it. A failure sets `exitCode` to 1.
void scheduleScreenshot(ui::MainWindow &window, const ConsoleOptions &options, int &exitCode)
{
    auto *poll = new QTimer(&window);
    auto *clock = new QElapsedTimer;
    clock->start();
    const QString file = *options.screenshot;
    const int timeoutS = options.timeoutS;
    const int afterS = options.screenshotAfterS;
    QObject::connect(
        poll, &QTimer::timeout, &window, [&window, &exitCode, poll, clock, file, timeoutS, afterS] {
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
                if (!window.grab().save(file)) {
                    std::fprintf(stderr, "starling-console: cannot write %s\n", qPrintable(file));
                    exitCode = 1;
                }
            }
            delete clock;
            window.close();
        });
    poll->start(200);
}

// Ctrl-C, kill or a closed terminal (make demo) close the window like its close button, so
// the demo cluster is stopped below instead of outliving the console.
void closeOnStopSignals(util::StopSignals &stopSignals, ui::MainWindow &window)
{
    QObject::connect(&stopSignals, &util::StopSignals::received, &window, [&window](int number) {
        std::fprintf(stderr, "starling-console: %s; closing\n", ::strsignal(number));
        window.close();
        QApplication::quit(); // also with a dialog open
    });
}

// Where QSettings("Starling", "starling-console") keeps its file on Linux; named here so its size
// is checked before QSettings reads all of it. A saved layout is about 2 KB: a file of a MiB is
// not one, and is dropped (as --reset-layout would) with one line.
// Where the layout is remembered. An oversized file is removed unread, except by a run that
// must leave it alone (--screenshot).
QString settingsFile(bool mayRemove)
{
    constexpr qint64 kMaxBytes = 1 << 20;
    const QString path = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
                         QStringLiteral("/Starling/starling-console.conf");
    const QFileInfo file(path);
    if (mayRemove && file.exists() && file.size() > kMaxBytes) {
        std::fprintf(stderr,
                     "starling-console: %s is too large (%lld bytes) for saved settings; "
                     "removed, defaults used\n",
                     qPrintable(path), static_cast<long long>(file.size()));
        QFile::remove(path);
    }
    return path;
}

// What the operator left (geometry, splitters, columns, view, thresholds), before the window is
// shown; --reset-layout forgets it instead. One line names what was unreadable.
void restoreRemembered(ui::ConsoleSettings &remembered, ui::MainWindow &window,
                       const ConsoleOptions &options, const QString &file)
{
    if (options.screenshot)
        return; // a screenshot shows the defaults, whoever runs it, and changes nothing
    if (options.resetLayout) {
        remembered.forget();
        return;
    }
    const QStringList ignored = remembered.restore(window);
    if (!ignored.isEmpty())
        std::fprintf(stderr,
                     "starling-console: %s: unreadable settings ignored (%s); defaults used\n",
                     qPrintable(file), qPrintable(ignored.join(QStringLiteral(", "))));
}

// After the window closed (or a signal quit the app): the demo's load and its cluster stop.
void stopDemo(DemoRun &demo, ui::MainWindow &window, const QString &dir)
{
    // Closed while `up` still starts the cluster: its end must not start the load any more.
    if (demo.cluster)
        demo.cluster->disconnect(&window);
    if (demo.load)
        demo.load->stop();
    window.setSource(nullptr);
    if (demo.cluster && !demo.cluster->stop())
        std::fprintf(stderr, "starling-console: the demo cluster in %s did not stop cleanly\n",
                     qPrintable(dir));
}

// Builds the window, wires its cluster source and the test modes, and runs until it closes.
int runConsole(QApplication &app, const ConsoleOptions &options)
{
    // First and so last to go: a second signal while the demo stops is caught too.
    util::StopSignals stopSignals({SIGINT, SIGTERM, SIGHUP});
    // With the terminal gone, the line about closing must not kill us through a dead pipe.
    std::signal(SIGPIPE, SIG_IGN);
    console::ReplayRun replay; // outlives the window, which shows it without owning it
    ui::MainWindow window;
    closeOnStopSignals(stopSignals, window);
    window.alerts().setDrainLimitMs(qint64(options.drainAlertMin * 60 * 1000));
    if (options.demo)
        window.setTimeWindow(60000); // a demo's minutes fill a 1-minute window at once
    QSettings stored(settingsFile(!options.screenshot), QSettings::IniFormat);
    ui::ConsoleSettings remembered(stored);
    restoreRemembered(remembered, window, options, stored.fileName());
    if (options.thresholdsGiven) // the command line wins for this run
        window.setThresholds(options.thresholds);
    if (options.showTab && !window.showTab(*options.showTab))
        return usageError(QStringLiteral("no view called \"%1\"").arg(*options.showTab));
    const QString dir = cluster::resolveRunDir(options.runDir);
    DemoRun demo;
    if (const auto problem = wireSource(window, options, dir, demo, replay))
        return usageError(*problem);
    std::unique_ptr<consolemodel::RecordingWriter> recorder;
    if (options.record) {
        auto writer = console::startRecording(
            window, *options.record, options.connectTo.value_or(cluster::stateFilePath(dir)),
            options.demo ? 60000 : 0);
        if (!writer)
            return usageError(writer.error());
        recorder = std::move(writer).value();
    }
    QFile latency;
    if (options.latencyLog) {
        if (const auto problem = openLatencyLog(latency, window, *options.latencyLog))
            return usageError(*problem);
    }
    int exitCode = 0;
    if (options.screenshot && replay.source) {
        if (const auto problem =
                console::scheduleReplayScreenshot(replay, window, options, exitCode))
            return usageError(*problem);
    } else if (options.screenshot) {
        scheduleScreenshot(window, options, exitCode);
    }
    window.show();
    const int code = app.exec();
    // Here whether the window was closed or a signal quit the app.
    // A replay's window shows the recording's view and window, not the operator's layout.
    if (!options.screenshot && !replay.source && !remembered.save(window, !options.thresholdsGiven))
        std::fprintf(stderr, "starling-console: cannot write %s; the layout is not remembered\n",
                     qPrintable(stored.fileName()));
    stopDemo(demo, window, dir);
    return exitCode != 0 ? exitCode : code;
}

void nameApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("starling-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));
}

bool asksForHelpOrVersion(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "-h" || argument == "-?" || argument == "--help" ||
            argument == "--help-all" || argument == "-v" || argument == "--version")
            return true;
    }
    return false;
}

// --help and --version need no display: help2man runs them at build time for the man page.
int printHelpOrVersion(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    nameApplication();
    QCommandLineParser parser;
    console::describeConsoleOptions(parser);
    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")))
        parser.showHelp(0);
    parser.showVersion();
}

} // namespace

int main(int argc, char **argv)
{
    g_defaultHandler = qInstallMessageHandler(quietRuntimeDirNoise);
    if (asksForHelpOrVersion(argc, argv))
        return printHelpOrVersion(argc, argv);
    // Without a display Qt would abort with a message about xcb; say what to do instead.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        return usageError(QStringLiteral("no display (DISPLAY is not set); for a demo without "
                                         "one run `starling demo`, or set "
                                         "QT_QPA_PLATFORM=offscreen"));
    QApplication app(argc, argv);
    nameApplication();

    QCommandLineParser parser;
    console::describeConsoleOptions(parser);
    // parse(), not process(): a bad command line is exit code 2 with one line, as everywhere.
    if (!parser.parse(QApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const auto options = console::parseConsoleOptions(parser);
    if (!options)
        return usageError(options.error());
    return runConsole(app, *options);
}
