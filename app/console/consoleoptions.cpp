#include "consoleoptions.h"

#include <QFileInfo>

#include <optional>

namespace starling::console {

namespace {

constexpr double kMiB = 1048576;

void describeSources(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("run-dir"),
                      QStringLiteral("The cluster's run directory (default: $STARLING_RUN_DIR or "
                                     "./.starling)."),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("connect"), QStringLiteral("A bridge address, HOST:PORT."),
                      QStringLiteral("host:port")});
    parser.addOption({QStringLiteral("token-file"),
                      QStringLiteral("With --connect: the bridge's token."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("tls-ca"),
                      QStringLiteral("With --connect: the bridge speaks TLS; trust only this CA "
                                     "(PEM), as the state file's tls.ca_file."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("tls-pin"),
                      QStringLiteral("With --connect: the bridge speaks TLS; its public key must "
                                     "have this pin (sha256//..., the state file's "
                                     "tls.pubkey_sha256)."),
                      QStringLiteral("pin")});
    parser.addOption(
        {QStringLiteral("demo"),
         QStringLiteral("Start a local cluster (the four-slave profile) and a load generator; "
                        "closing the window stops both.")});
    parser.addOption({QStringLiteral("slaves"),
                      QStringLiteral("--demo: how many slaves (default 4)."), QStringLiteral("n"),
                      QStringLiteral("4")});
    parser.addOption({QStringLiteral("profile"),
                      QStringLiteral("--demo: the heterogeneity profile."),
                      QStringLiteral("file")});
}

// The screenshot and latency-log modes, and the view to open with.
void describeOutputs(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("screenshot"),
         QStringLiteral("Once the views hold data, save the window as a PNG and quit."),
         QStringLiteral("file")});
    parser.addOption(
        {QStringLiteral("timeout-s"),
         QStringLiteral("--screenshot: give up (exit 1) after this long (default 120)."),
         QStringLiteral("s"), QStringLiteral("120")});
    parser.addOption(
        {QStringLiteral("latency-log"),
         QStringLiteral("Append \"sequence published_ms displayed_ms\" for every snapshot the "
                        "node table shows (the console benchmark reads it)."),
         QStringLiteral("file")});
    parser.addOption(
        {QStringLiteral("screenshot-after-s"),
         QStringLiteral("--screenshot: not before this many seconds of data (default 0)."),
         QStringLiteral("s"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("record"),
                      QStringLiteral("Also write everything the cluster sends (snapshots, events, "
                                     "answers) to this new file, for --replay."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("replay"),
                      QStringLiteral("Play a recording (from --record) instead of watching a "
                                     "cluster: pause, seek, 1x-60x; operator actions are off."),
                      QStringLiteral("file")});
    parser.addOption(
        {QStringLiteral("screenshot-at"),
         QStringLiteral("--replay with --screenshot: save the window as it was at this moment of "
                        "the recording (seconds or m:ss; default: its end) and quit."),
         QStringLiteral("time")});
    parser.addOption({QStringLiteral("show"),
                      QStringLiteral("Open with this view shown (CPU, Memory, "
                                     "Bandwidth, Load, Task, Strategies, Events)."),
                      QStringLiteral("view")});
    parser.addOption(
        {QStringLiteral("reset-layout"),
         QStringLiteral("Start with the default layout, view and thresholds and forget the "
                        "remembered ones (~/.config/Starling/starling-console.conf). Without it "
                        "the console reopens as it was closed; --screenshot always uses the "
                        "defaults and remembers nothing.")});
}

void describeThresholds(QCommandLineParser &parser)
{
    const ui::NodeTableModel::Thresholds defaults;
    parser.addOption({QStringLiteral("cpu-warn"),
                      QStringLiteral("CPU cells turn amber from this % of one core (default %1).")
                          .arg(defaults.cpuWarn * 100),
                      QStringLiteral("pct"), QString::number(defaults.cpuWarn * 100)});
    parser.addOption(
        {QStringLiteral("cpu-critical"),
         QStringLiteral("... and red from this % (default %1).").arg(defaults.cpuCritical * 100),
         QStringLiteral("pct"), QString::number(defaults.cpuCritical * 100)});
    parser.addOption({QStringLiteral("mem-warn"),
                      QStringLiteral("Memory cells turn amber from this many MiB (default %1).")
                          .arg(defaults.memWarnBytes / kMiB),
                      QStringLiteral("mib"), QString::number(defaults.memWarnBytes / kMiB)});
    parser.addOption({QStringLiteral("mem-critical"),
                      QStringLiteral("... and red from this many (default %1).")
                          .arg(defaults.memCriticalBytes / kMiB),
                      QStringLiteral("mib"), QString::number(defaults.memCriticalBytes / kMiB)});
    parser.addOption({QStringLiteral("drain-alert-min"),
                      QStringLiteral("Alert when a drain is still running after this many "
                                     "minutes (default 5)."),
                      QStringLiteral("min"), QStringLiteral("5")});
}

std::optional<QString> given(const QCommandLineParser &parser, const QString &name)
{
    return parser.isSet(name) ? std::optional<QString>(parser.value(name)) : std::nullopt;
}

std::optional<double> numberIn(const QCommandLineParser &parser, const QString &name, double lo,
                               double hi)
{
    bool good = false;
    const double v = parser.value(name).toDouble(&good);
    if (!good || !(v >= lo && v <= hi))
        return std::nullopt;
    return v;
}

std::optional<int> wholeNumber(const QCommandLineParser &parser, const QString &name)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    return ok ? std::optional<int>(value) : std::nullopt;
}

// Slaves and the screenshot's timing, in the order they have always been checked.
std::optional<QString> readCounts(const QCommandLineParser &parser, ConsoleOptions &o)
{
    const auto slaves = wholeNumber(parser, QStringLiteral("slaves"));
    if (!slaves || *slaves < 1 || *slaves > 64)
        return QStringLiteral("--slaves wants a number from 1 to 64");
    o.slaves = *slaves;
    const auto timeoutS = wholeNumber(parser, QStringLiteral("timeout-s"));
    if (!timeoutS || *timeoutS < 1 || *timeoutS > 86400)
        return QStringLiteral("--timeout-s wants seconds from 1 to 86400");
    o.timeoutS = *timeoutS;
    const auto afterS = wholeNumber(parser, QStringLiteral("screenshot-after-s"));
    if (!afterS || *afterS < 0 || *afterS >= o.timeoutS)
        return QStringLiteral("--screenshot-after-s wants seconds from 0 to below --timeout-s");
    o.screenshotAfterS = *afterS;
    return std::nullopt;
}

// The options take % of one core and MiB, the table fractions and bytes.
std::optional<QString> readThresholds(const QCommandLineParser &parser, ConsoleOptions &o)
{
    const auto cpuW = numberIn(parser, QStringLiteral("cpu-warn"), 0, 10000);
    const auto cpuC = numberIn(parser, QStringLiteral("cpu-critical"), 0, 10000);
    const auto memW = numberIn(parser, QStringLiteral("mem-warn"), 0, 1e9);
    const auto memC = numberIn(parser, QStringLiteral("mem-critical"), 0, 1e9);
    if (!cpuW || !cpuC || !memW || !memC || *cpuW > *cpuC || *memW > *memC)
        return QStringLiteral("thresholds want numbers, warn <= critical (CPU in % of "
                              "one core, memory in MiB)");
    o.thresholds.cpuWarn = *cpuW / 100;
    o.thresholds.cpuCritical = *cpuC / 100;
    o.thresholds.memWarnBytes = *memW * kMiB;
    o.thresholds.memCriticalBytes = *memC * kMiB;
    const auto drainMin = numberIn(parser, QStringLiteral("drain-alert-min"), 0.5, 1440);
    if (!drainMin)
        return QStringLiteral("--drain-alert-min wants minutes from 0.5 to 1440");
    o.drainAlertMin = *drainMin;
    o.thresholdsGiven =
        parser.isSet(QStringLiteral("cpu-warn")) || parser.isSet(QStringLiteral("cpu-critical")) ||
        parser.isSet(QStringLiteral("mem-warn")) || parser.isSet(QStringLiteral("mem-critical"));
    return std::nullopt;
}

// --record, --replay and --screenshot-at, which exclude the live sources or need each other.
std::optional<QString> readReplay(const QCommandLineParser &parser, ConsoleOptions &o)
{
    o.record = given(parser, QStringLiteral("record"));
    o.replay = given(parser, QStringLiteral("replay"));
    if (o.record && o.record->isEmpty())
        return QStringLiteral("--record wants a file name");
    if (o.replay && o.replay->isEmpty())
        return QStringLiteral("--replay wants a file name");
    if (o.replay && (o.demo || o.connectTo || o.record))
        return QStringLiteral("--replay plays a recording; drop --demo, --connect and --record");
    if (parser.isSet(QStringLiteral("screenshot-at"))) {
        const QString at = parser.value(QStringLiteral("screenshot-at"));
        if (!o.replay || !parser.isSet(QStringLiteral("screenshot")))
            return QStringLiteral("--screenshot-at goes with --replay and --screenshot");
        o.screenshotAtMs = parsePlaybackTime(at);
        if (!o.screenshotAtMs)
            return QStringLiteral("--screenshot-at wants seconds or m:ss within a week, not "
                                  "\"%1\"")
                .arg(at.left(40));
    }
    return std::nullopt;
}

} // namespace

std::optional<qint64> parsePlaybackTime(const QString &text)
{
    const QStringList parts = text.trimmed().split(QLatin1Char(':'));
    if (parts.size() > 2 || text.size() > 20)
        return std::nullopt;
    bool ok = false;
    const double seconds = parts.last().toDouble(&ok);
    if (!ok || !(seconds >= 0) || (parts.size() == 2 && seconds >= 60))
        return std::nullopt;
    double minutes = 0;
    if (parts.size() == 2) {
        const int m = parts.first().toInt(&ok);
        if (!ok || m < 0)
            return std::nullopt;
        minutes = m;
    }
    const double ms = (minutes * 60 + seconds) * 1000;
    if (!(ms <= 7.0 * 24 * 3600 * 1000))
        return std::nullopt;
    return qint64(ms);
}

void describeConsoleOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Starling operator console. Without options it watches the cluster in the "
                       "run directory (and waits for one to appear)."));
    parser.addHelpOption();
    parser.addVersionOption();
    describeSources(parser);
    describeOutputs(parser);
    describeThresholds(parser);
}

// --tls-ca and --tls-pin, which only mean something with --connect (a state file carries its
// own trust).
std::optional<QString> readTlsTrust(const QCommandLineParser &parser, ConsoleOptions &o)
{
    o.tls.caFile = parser.value(QStringLiteral("tls-ca"));
    o.tls.publicKeyPin = parser.value(QStringLiteral("tls-pin"));
    if (!o.tls.isEnabled())
        return std::nullopt;
    if (!o.connectTo)
        return QStringLiteral("--tls-ca and --tls-pin go with --connect (a state file names its "
                              "own trust)");
    if (!o.tls.publicKeyPin.isEmpty() && !util::isPublicKeyPin(o.tls.publicKeyPin))
        return QStringLiteral("--tls-pin wants \"sha256//\" and the base64 of 32 bytes");
    if (!o.tls.caFile.isEmpty() && !QFileInfo(o.tls.caFile).isReadable())
        return QStringLiteral("--tls-ca %1: cannot read it").arg(o.tls.caFile);
    return std::nullopt;
}

Expected<ConsoleOptions> parseConsoleOptions(const QCommandLineParser &parser)
{
    if (!parser.positionalArguments().isEmpty())
        return Error{
            QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first())};
    ConsoleOptions o;
    o.demo = parser.isSet(QStringLiteral("demo"));
    o.connectTo = given(parser, QStringLiteral("connect"));
    if (o.demo && o.connectTo)
        return Error{QStringLiteral("--demo starts its own cluster; drop --connect")};
    if (const auto problem = readCounts(parser, o))
        return Error{*problem};
    if (const auto problem = readThresholds(parser, o))
        return Error{*problem};
    o.runDir = parser.value(QStringLiteral("run-dir"));
    o.tokenFile = parser.value(QStringLiteral("token-file"));
    if (const auto problem = readTlsTrust(parser, o))
        return Error{*problem};
    o.profile = given(parser, QStringLiteral("profile"));
    o.screenshot = given(parser, QStringLiteral("screenshot"));
    o.latencyLog = given(parser, QStringLiteral("latency-log"));
    o.showTab = given(parser, QStringLiteral("show"));
    o.resetLayout = parser.isSet(QStringLiteral("reset-layout"));
    if (const auto problem = readReplay(parser, o))
        return Error{*problem};
    return o;
}

} // namespace starling::console
