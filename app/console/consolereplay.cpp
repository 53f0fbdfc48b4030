#include "consolereplay.h"

#include "util/shippedresource.h"
#include "windows/mainwindow.h"
#include "windows/replaybar.h"

#include <QApplication>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

namespace starling::console {

namespace {

void showRecording(ReplayRun &run, ui::MainWindow &window, consolemodel::Recording recording)
{
    run.source = std::make_unique<consolemodel::ReplayClusterSource>(std::move(recording));
    const consolemodel::RecordingHeader &header = run.source->recording().header;
    if (header.windowMs > 0)
        window.setTimeWindow(header.windowMs);
    if (!header.tab.isEmpty())
        window.showTab(header.tab);
    window.addToolBar(Qt::BottomToolBarArea, new ui::ReplayBar(run.source.get(), &window));
}

} // namespace

std::optional<QString> startReplay(ReplayRun &run, ui::MainWindow &window, const QString &path,
                                   const ConsoleOptions &options)
{
    auto recording = consolemodel::readRecording(path);
    if (!recording)
        return recording.error();
    const QString warning = recording->warning;
    showRecording(run, window, std::move(recording).value());
    if (options.showTab)
        window.showTab(*options.showTab);
    if (!options.screenshot)
        window.setSource(run.source.get());
    if (!warning.isEmpty()) {
        std::fprintf(stderr, "starling-console: %s\n", qPrintable(warning));
        window.showNotice(warning, false);
    }
    return std::nullopt;
}

std::optional<QString> scheduleReplayScreenshot(ReplayRun &run, ui::MainWindow &window,
                                                const ConsoleOptions &options, int &exitCode)
{
    consolemodel::ReplayClusterSource *replay = run.source.get();
    const qint64 at = options.screenshotAtMs.value_or(replay->durationMs());
    if (at > replay->durationMs())
        return QStringLiteral("--screenshot-at %1 s is past the end of %2 (%3 s long)")
            .arg(double(at) / 1000)
            .arg(replay->recording().path)
            .arg(double(replay->durationMs()) / 1000);
    replay->setPaused(true);
    replay->seek(at);
    const QString file = *options.screenshot;
    // Shown first, so the views lay out at the window's size before the records arrive.
    QTimer::singleShot(0, &window, [&window, &exitCode, replay, file] {
        window.setSource(replay);
        QCoreApplication::processEvents();
        window.refreshNow();
        if (!window.grab().save(file)) {
            std::fprintf(stderr, "starling-console: cannot write %s\n", qPrintable(file));
            exitCode = 1;
        }
        window.close();
    });
    return std::nullopt;
}

bool replayShippedDemo(ReplayRun &run, ui::MainWindow &window, const QString &why)
{
    const QString path = util::findShippedResource(QLatin1String(kDemoRecording));
    auto recording = path.isEmpty() ? Expected<consolemodel::Recording>(Error{
                                          QStringLiteral("the demo recording is not installed")})
                                    : consolemodel::readRecording(path);
    if (!recording) {
        window.showNotice(QStringLiteral("%1; %2").arg(why, recording.error()), false);
        return false;
    }
    showRecording(run, window, std::move(recording).value());
    window.setSource(run.source.get());
    window.setWindowTitle(QStringLiteral("Starling Console: recorded demo (replay)"));
    window.showNotice(QStringLiteral("%1; playing the recorded demo instead (read-only)").arg(why),
                      false);
    return true;
}

Expected<std::unique_ptr<consolemodel::RecordingWriter>>
startRecording(ui::MainWindow &window, const QString &path, const QString &origin, qint64 windowMs)
{
    consolemodel::RecordingHeader header;
    header.client = QStringLiteral("starling-console " STARLING_VERSION);
    header.origin = origin;
    header.windowMs = windowMs;
    header.tab = window.tabs()->tabText(window.tabs()->currentIndex());
    auto writer = consolemodel::RecordingWriter::create(path, header);
    if (!writer)
        return writer;
    consolemodel::RecordingWriter *raw = writer->get();
    raw->attach(window.source());
    QObject::connect(&window, &ui::MainWindow::sourceChanged, raw,
                     [raw, &window] { raw->attach(window.source()); });
    QObject::connect(raw, &consolemodel::RecordingWriter::failed, &window,
                     [&window](const QString &why) { window.showNotice(why, false); });
    return writer;
}

} // namespace starling::console
