#pragma once

#include "models/nodetablemodel.h"
#include "util/expected.h"
#include "util/tlstrust.h"

#include <QCommandLineParser>
#include <QString>

#include <optional>

namespace starling::console {

// What starling-console was asked to do (qBittorrent's cmdoptions): where the cluster is, the
// demo's own cluster, the screenshot and latency-log modes the tests and the benchmark use,
// the node table's colour thresholds, and whether to forget the remembered layout.
struct ConsoleOptions
{
    // Options that were not given are empty; one given as "" is still given (and may fail).
    QString runDir; // empty for $STARLING_RUN_DIR or ./.starling
    std::optional<QString> connectTo;
    QString tokenFile;
    util::TlsTrust tls; // --connect to a TLS bridge: --tls-ca and/or --tls-pin
    bool demo = false;
    int slaves = 4;
    std::optional<QString> profile; // --demo; else the four-slave profile
    std::optional<QString> screenshot;
    int timeoutS = 120;
    int screenshotAfterS = 0;
    std::optional<QString> latencyLog;
    std::optional<QString> showTab;
    ui::NodeTableModel::Thresholds thresholds;
    double drainAlertMin = 5; // a drain running longer raises an alert (0.5 - 1440)
    // Any of --cpu-warn, --cpu-critical, --mem-warn, --mem-critical: then `thresholds` win
    // over the saved ones for this run (and are not saved).
    bool thresholdsGiven = false;
    bool resetLayout = false;             // start from the default layout and forget the saved one
    std::optional<QString> record;        // --record FILE: write the bridge stream there
    std::optional<QString> replay;        // --replay FILE: play a recording instead
    std::optional<qint64> screenshotAtMs; // --screenshot-at: the replay's moment to save
};

// A moment in a recording: seconds ("90", "12.5") or minutes and seconds ("1:30"), at most a
// week; empty for anything else.
std::optional<qint64> parsePlaybackTime(const QString &text);

// The console's description and options (its --help).
void describeConsoleOptions(QCommandLineParser &parser);

// The options `parser` (set up by describeConsoleOptions and parsed) holds, or one line saying
// what is wrong with them.
Expected<ConsoleOptions> parseConsoleOptions(const QCommandLineParser &parser);

} // namespace starling::console
