#pragma once

#include "consolemodel/recordingwriter.h"
#include "consolemodel/replayclustersource.h"
#include "consoleoptions.h"

#include <QString>

#include <memory>
#include <optional>

namespace starling::ui {
class MainWindow;
}

namespace starling::console {

// Where the shipped recording of `make demo` lives under resources/ (and /usr/share/starling).
inline constexpr char kDemoRecording[] = "recordings/demo.strec";

// The replay the window shows, owned here (not by the window, which re-shows it to rewind).
struct ReplayRun
{
    std::unique_ptr<consolemodel::ReplayClusterSource> source;
};

// Reads `path` and shows it in `window` with a ReplayBar; a truncated file plays what is intact
// with its warning on stderr and in the status bar. The error line when the file is unusable.
std::optional<QString> startReplay(ReplayRun &run, ui::MainWindow &window, const QString &path,
                                   const ConsoleOptions &options);

// --replay with --screenshot: shows the moment asked for (past the end is an error), saves the
// window and closes it; `exitCode` 1 if the PNG cannot be written.
std::optional<QString> scheduleReplayScreenshot(ReplayRun &run, ui::MainWindow &window,
                                                const ConsoleOptions &options, int &exitCode);

// `--demo` without a cluster: the shipped recording instead, said in the status bar. False
// (and a notice) when it is not installed either.
bool replayShippedDemo(ReplayRun &run, ui::MainWindow &window, const QString &why);

// --record: a new file that records whatever source the window shows, from now on.
Expected<std::unique_ptr<consolemodel::RecordingWriter>>
startRecording(ui::MainWindow &window, const QString &path, const QString &origin, qint64 windowMs);

} // namespace starling::console
