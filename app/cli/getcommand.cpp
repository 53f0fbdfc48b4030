#include "getcommand.h"

#include "bridgelink.h"
#include "client/clustertrust.h"
#include "client/paralleldownload.h"
#include "client/partfilelock.h"
#include "client/planrequest.h"
#include "clienttoken.h"
#include "cliparsing.h"
#include "progressline.h"
#include "sched/distributionstrategy.h"
#include "util/valueformat.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QThread>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <unistd.h>
#include <utility>

namespace starling::cli {

namespace {

using client::DownloadProgress;

constexpr double kMinStallS = 0.2; // below the downloader's 100 ms check period it means little
constexpr double kMaxStallS = 600;
constexpr std::int64_t kBarEveryMs = 200; // ~5 redraws a second
constexpr std::int64_t kJsonEveryMs = 500;

std::atomic<client::ParallelDownload *> g_download{nullptr};

std::atomic<bool> g_interrupted{false};

void onInterrupt(int)
{
    g_interrupted.store(true); // lock-free atomics: safe in a signal handler
    if (client::ParallelDownload *download = g_download.load())
        download->requestStop();
}

int fail(int code, const QString &message)
{
    return commandError("get", code, message);
}

// Where the file is and who plans it, from a URL or from a path and the state file.
struct Target
{
    QUrl master;
    QString path;
};

std::optional<int> resolveTarget(const QString &argument, const QString &runDir, Target &target)
{
    if (argument.contains(QLatin1String("://"))) {
        const auto location = client::parseFilesUrl(argument);
        if (!location)
            return fail(kExitUsage, location.error());
        target = {location->master, location->path};
        client::setClusterTrust(trustForMaster(location->master, runDir));
        return std::nullopt;
    }
    const auto state = findCluster(runDir);
    if (!state)
        return fail(kExitUsage, state.error());
    if (state->masterUrl.isEmpty())
        return fail(kExitUsage, QStringLiteral("the cluster in %1 has no master URL yet (still "
                                               "starting?)")
                                    .arg(state->runDir));
    const auto relative = client::exportRelativePath(argument, state->exportRoot);
    if (!relative)
        return fail(kExitUsage, relative.error());
    target = {QUrl(state->masterUrl), *relative};
    client::setClusterTrust(state->tls);
    return std::nullopt;
}

// -o FILE, -o DIR (the base name inside it) or the base name in the current directory.
std::optional<int> resolveOutput(const QCommandLineParser &parser, const QString &path,
                                 QString &output)
{
    const QString baseName = path.section(u'/', -1);
    if (parser.isSet(QStringLiteral("output"))) {
        const QString value = parser.value(QStringLiteral("output"));
        if (value.isEmpty())
            return fail(kExitUsage, QStringLiteral("-o needs a file name"));
        output = QFileInfo(value).isDir() ? QDir(value).filePath(baseName) : value;
    } else {
        output = QDir::current().filePath(baseName);
    }
    const QFileInfo info(output);
    output = info.absoluteFilePath();
    if (info.isDir())
        return fail(kExitUsage, QStringLiteral("%1 is a directory").arg(output));
    if (!QFileInfo(info.absolutePath()).isDir())
        return fail(kExitUsage,
                    QStringLiteral("the directory %1 does not exist").arg(info.absolutePath()));
    return std::nullopt;
}

// The progress bar on a terminal's stderr, JSON lines on stdout, or nothing.
class ProgressOutput
{
public:
    ProgressOutput(bool json, bool tty) : m_json(json), m_bar(tty && !json) {}

    void update(const DownloadProgress &p)
    {
        const auto ms = std::int64_t(p.elapsedS * 1000);
        if (m_bar && (m_lastBar < 0 || ms - m_lastBar >= kBarEveryMs || done(p))) {
            m_lastBar = ms;
            const QString line = formatProgressLine(p, terminalWidth(STDERR_FILENO) - 1);
            std::fprintf(stderr, "\r%s\033[K", qPrintable(line));
            std::fflush(stderr);
            m_barShown = true;
        }
        if (m_json && (m_lastJson < 0 || ms - m_lastJson >= kJsonEveryMs)) {
            m_lastJson = ms;
            printJsonLine(p.toJson());
        }
    }
    // The master is still hashing a (huge) file for the plan.
    void hashing(const protocol::PlanProgressMessage &p)
    {
        const int percent = p.totalBytes > 0 ? int(p.doneBytes * 100 / p.totalBytes) : 0;
        const QString line = QStringLiteral("%1 %2 on the cluster: %3% (%4 of %5)")
                                 .arg(p.state == protocol::PlanProgressMessage::State::Queued
                                          ? QStringLiteral("waiting to hash")
                                          : QStringLiteral("hashing"),
                                      QFileInfo(p.path).fileName())
                                 .arg(percent)
                                 .arg(util::formatBytes(double(p.doneBytes)),
                                      util::formatBytes(double(p.totalBytes)));
        if (m_json) {
            QJsonObject object = p.toJson();
            object.insert(QLatin1String("type"), QStringLiteral("hashing"));
            printJsonLine(object);
        } else if (m_bar) {
            std::fprintf(stderr, "\r%s\033[K", qPrintable(line));
            m_barShown = true;
        } else if (percent / 10 != m_lastHashTenth) { // a log, not a bar: every 10%
            std::fprintf(stderr, "starling get: %s\n", qPrintable(line));
        }
        m_lastHashTenth = percent / 10;
        std::fflush(stderr);
    }
    void warn(const QString &line)
    {
        clearBar();
        std::fprintf(stderr, "starling get: warning: %s\n", qPrintable(line));
    }
    // Ends the bar's line so what follows starts on a fresh one.
    void finish()
    {
        if (m_barShown)
            std::fputc('\n', stderr);
        m_barShown = false;
    }

private:
    static bool done(const DownloadProgress &p) { return p.blocksDone == p.blocksTotal; }
    void clearBar()
    {
        if (m_barShown)
            std::fputs("\r\033[K", stderr);
        m_barShown = false;
        m_lastBar = -1;
    }

    bool m_json;
    bool m_bar;
    bool m_barShown = false;
    std::int64_t m_lastBar = -1;
    std::int64_t m_lastJson = -1;
    int m_lastHashTenth = -1;
};

QString describeSuccess(const client::DownloadSummary &summary)
{
    const DownloadProgress &p = summary.progress;
    QString line = QStringLiteral("%1: %2 in %3 s (%4 MB/s) from %5 slave%6, SHA-256 verified")
                       .arg(summary.outputPath, util::formatBytes(double(p.totalBytes)))
                       .arg(p.elapsedS, 0, 'f', 2)
                       .arg(summary.averageBps() / 1e6, 0, 'f', 1)
                       .arg(p.sources.size())
                       .arg(p.sources.size() == 1 ? QString() : QStringLiteral("s"));
    if (p.resumedBytes > 0)
        line += QStringLiteral(", %1 resumed").arg(util::formatBytes(double(p.resumedBytes)));
    if (p.reassignments > 0)
        line += QStringLiteral(", %1 blocks reassigned").arg(p.reassignments);
    return line;
}

// One `starling get`: what to fetch and how long to wait for a cluster that goes away.
struct GetRun
{
    Target target;
    bool fromStateFile = false;      // the master's URL comes from the state file (may change)
    bool tokenFromStateFile = false; // so does the token (a restart draws a new one)
    QString argument;
    QString runDirFlag;
    QString strategy;
    client::DownloadOptions options;
    bool json = false;
    double waitS = 60;
    double planTimeoutS = 3600; // for the master to hash a huge file
    // Set while the master was unreachable or unavailable since the last failed attempt: the
    // cluster went away (a restart), so its slaves failing was no verdict on the file.
    bool sawClusterAway = false;
};

void printFailure(bool json, const QJsonObject &progress, const QString &code, const QString &error)
{
    if (!json)
        return;
    QJsonObject summary = progress;
    summary.insert(QLatin1String("type"), QStringLiteral("summary"));
    summary.insert(QLatin1String("ok"), false);
    summary.insert(QLatin1String("code"), code);
    summary.insert(QLatin1String("error"), error);
    printJsonLine(summary);
}

// While a cluster restarts its master is unreachable, then answers 503 until its slaves are
// known, and a download in flight loses every source: all worth waiting out.
bool clusterIsAway(const QString &code)
{
    return code == QLatin1String("unreachable") || code == QLatin1String("unavailable") ||
           code == QLatin1String("sources_failed");
}

// Waits (up to run.waitS in all) for the cluster to come back: the state file may name a new
// master URL after a restart. False once the time is up or on Ctrl-C.
bool waitForCluster(GetRun &run, QElapsedTimer &away, ProgressOutput &output, const QString &why)
{
    if (run.waitS <= 0 || g_interrupted.load())
        return false;
    if (!away.isValid()) {
        away.start();
        output.warn(QStringLiteral("%1; waiting up to %2 s for the cluster to come back")
                        .arg(why)
                        .arg(run.waitS));
    }
    if (away.elapsed() > qint64(run.waitS * 1000))
        return false;
    QThread::msleep(500);
    if (run.fromStateFile) {
        if (const auto state = cluster::readStateFile(
                cluster::stateFilePath(cluster::resolveRunDir(run.runDirFlag)));
            state && !state->masterUrl.isEmpty()) {
            run.target.master = QUrl(state->masterUrl);
            if (run.tokenFromStateFile)
                run.options.bearerToken = state->token.toLatin1();
            client::setClusterTrust(state->tls);
        }
    }
    return !g_interrupted.load();
}

// One download from `plan`: the exit code, or nothing when the cluster went away and is back
// (the caller asks for a new plan and resumes from the part file).
std::optional<int> runAttempt(GetRun &run, const transfer::TransferPlan &plan, QElapsedTimer &away,
                              ProgressOutput &output)
{
    client::ParallelDownload attempt(plan, run.options);
    g_download = &attempt;
    const auto result = attempt.run();
    g_download = nullptr;
    if (result) {
        output.finish();
        if (run.json)
            printJsonLine(result->toJson());
        else
            std::printf("%s\n", qPrintable(describeSuccess(*result)));
        return 0;
    }
    // What was verified stays in the part file: the next attempt resumes from it. Another
    // attempt is worth it only if this one got somewhere or the cluster had gone away in
    // between; slaves that fail a fresh plan at once will fail the next one too.
    run.options.resume = true;
    const DownloadProgress reached = attempt.progress();
    const bool gotSomewhere = reached.doneBytes > reached.resumedBytes;
    const bool retry = gotSomewhere || std::exchange(run.sawClusterAway, false);
    if (retry && clusterIsAway(result.errorCode()) &&
        waitForCluster(run, away, output, result.error()))
        return std::nullopt;
    output.finish();
    printFailure(run.json, attempt.progress().toJson(), result.errorCode(), result.error());
    // Another get on the same output is a usage problem, like an output that is a directory.
    const bool busy = result.errorCode() == QLatin1String(client::PartFileLock::kBusyCode);
    return fail(busy ? kExitUsage : kExitRefused, result.error());
}

int download(GetRun &run)
{
    ProgressOutput output(run.json, ::isatty(STDERR_FILENO));
    run.options.progressIntervalMs = 100;
    run.options.onProgress = [&output](const DownloadProgress &p) {
        output.update(p);
    };
    run.options.onWarning = [&output](const QString &line) {
        output.warn(line);
    };
    QElapsedTimer away; // running while the cluster is gone
    auto previousInt = std::signal(SIGINT, onInterrupt);
    auto previousTerm = std::signal(SIGTERM, onInterrupt);
    const auto restoreSignals = qScopeGuard([&] {
        std::signal(SIGINT, previousInt);
        std::signal(SIGTERM, previousTerm);
    });
    bool started = false; // a cluster that is not there at the start is an error at once
    while (true) {
        client::PlanWait wait;
        wait.overallTimeoutMs = int(run.planTimeoutS * 1000);
        wait.onProgress = [&output](const protocol::PlanProgressMessage &p) {
            output.hashing(p);
            return !g_interrupted.load();
        };
        const auto plan =
            client::requestPlan(run.target.master, run.target.path, run.strategy, 15000,
                                client::kMaxPlanBytes, run.options.bearerToken, wait);
        if (!plan) {
            if (started && clusterIsAway(plan.errorCode()) &&
                waitForCluster(run, away, output, plan.error())) {
                run.sawClusterAway = true;
                continue;
            }
            output.finish();
            printFailure(run.json, {}, plan.errorCode(), plan.error());
            const bool usage = plan.errorCode() == QLatin1String("unreachable") ||
                               plan.errorCode() == QLatin1String("unauthorized");
            return fail(usage ? kExitUsage : kExitRefused, plan.error());
        }
        away.invalidate();
        started = true;
        if (const auto exit = runAttempt(run, *plan, away, output))
            return *exit;
    }
}

void describeGetCommand(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Download a file of the cluster from its slaves in parallel.\n"
                       "URL-OR-PATH is http://MASTER/files/PATH, or a path under the export "
                       "root of the cluster in the run directory."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("url-or-path"), QStringLiteral("What to fetch."));
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                      QStringLiteral("Write to FILE (or into the directory FILE); default: the "
                                     "file's name in the current directory."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("strategy"),
                      QStringLiteral("How the master splits the file among the slaves (equal, "
                                     "cpu, bw, pdds, optimal, dynamic); default: the cluster's."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("resume"),
                      QStringLiteral("Continue a partial download, keeping its verified blocks.")});
    parser.addOption({QStringLiteral("json"),
                      QStringLiteral("Progress as JSON lines on stdout, then a summary line.")});
    parser.addOption({QStringLiteral("connections"),
                      QStringLiteral("Connections per slave, 1-16 (default 2)."),
                      QStringLiteral("k")});
    parser.addOption({QStringLiteral("stall-timeout"),
                      QStringLiteral("Abandon a slave silent this many seconds (default 2)."),
                      QStringLiteral("seconds")});
    parser.addOption({QStringLiteral("wait-cluster"),
                      QStringLiteral("When the cluster goes away (a restart), wait this many "
                                     "seconds for it to come back, then resume (default 60; 0 = "
                                     "fail at once, keeping the part file for --resume)."),
                      QStringLiteral("seconds")});
    parser.addOption({QStringLiteral("plan-timeout"),
                      QStringLiteral("How long to wait for the cluster to hash a large file "
                                     "before it can plan it (default 3600)."),
                      QStringLiteral("seconds")});
    parser.addOption(tokenOption());
    parser.addOption(runDirOption());
}

// --connections, --stall-timeout and --strategy: how the download runs.
std::optional<int> readTuning(const QCommandLineParser &parser, client::DownloadOptions &options)
{
    if (parser.isSet(QStringLiteral("connections"))) {
        bool ok = false;
        const int k = parser.value(QStringLiteral("connections")).toInt(&ok);
        if (!ok || k < 1 || k > client::DownloadOptions::kMaxConnections)
            return fail(kExitUsage, QStringLiteral("--connections must be a whole number from 1 "
                                                   "to %1, got \"%2\"")
                                        .arg(client::DownloadOptions::kMaxConnections)
                                        .arg(parser.value(QStringLiteral("connections"))));
        options.connectionsPerSource = k;
    }
    if (parser.isSet(QStringLiteral("stall-timeout"))) {
        bool ok = false;
        const double s = parser.value(QStringLiteral("stall-timeout")).toDouble(&ok);
        if (!ok || !std::isfinite(s) || s < kMinStallS || s > kMaxStallS)
            return fail(kExitUsage, QStringLiteral("--stall-timeout must be a number of seconds "
                                                   "from %1 to %2, got \"%3\"")
                                        .arg(kMinStallS)
                                        .arg(kMaxStallS)
                                        .arg(parser.value(QStringLiteral("stall-timeout"))));
        options.stallTimeoutMs = int(std::lround(s * 1000));
    }
    const QString strategy = parser.value(QStringLiteral("strategy"));
    if (parser.isSet(QStringLiteral("strategy")) && !sched::strategyKindFromString(strategy)) {
        QStringList names;
        for (const auto kind : sched::allStrategyKinds())
            names << sched::toString(kind);
        return fail(kExitUsage, QStringLiteral("unknown strategy \"%1\" (one of %2)")
                                    .arg(strategy, names.join(QStringLiteral(", "))));
    }
    return std::nullopt;
}

std::optional<int> readPlanTimeout(const QCommandLineParser &parser, GetRun &run)
{
    if (!parser.isSet(QStringLiteral("plan-timeout")))
        return std::nullopt;
    bool ok = false;
    run.planTimeoutS = parser.value(QStringLiteral("plan-timeout")).toDouble(&ok);
    if (!ok || !std::isfinite(run.planTimeoutS) || run.planTimeoutS < 1 || run.planTimeoutS > 86400)
        return fail(kExitUsage, QStringLiteral("--plan-timeout must be a number of seconds "
                                               "from 1 to 86400, got \"%1\"")
                                    .arg(parser.value(QStringLiteral("plan-timeout"))));
    return std::nullopt;
}

std::optional<int> readWaitCluster(const QCommandLineParser &parser, GetRun &run)
{
    if (!parser.isSet(QStringLiteral("wait-cluster")))
        return std::nullopt;
    bool ok = false;
    run.waitS = parser.value(QStringLiteral("wait-cluster")).toDouble(&ok);
    if (!ok || !std::isfinite(run.waitS) || run.waitS < 0 || run.waitS > 3600)
        return fail(kExitUsage, QStringLiteral("--wait-cluster must be a number of seconds "
                                               "from 0 to 3600, got \"%1\"")
                                    .arg(parser.value(QStringLiteral("wait-cluster"))));
    return std::nullopt;
}

} // namespace

int runGetCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeGetCommand(parser);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(kExitUsage, QStringLiteral("usage: starling get URL-OR-PATH [-o FILE] "
                                               "[--strategy S] [--resume] [--json] "
                                               "[--connections K] [--stall-timeout S]"));
    client::DownloadOptions options;
    if (const auto exit = readTuning(parser, options))
        return *exit;
    Target target;
    if (const auto exit =
            resolveTarget(positional[0], parser.value(QStringLiteral("run-dir")), target))
        return *exit;
    if (const auto exit = resolveOutput(parser, target.path, options.outputPath))
        return *exit;

    GetRun run;
    run.target = target;
    run.fromStateFile = !positional[0].contains(QLatin1String("://"));
    run.argument = positional[0];
    run.runDirFlag = parser.value(QStringLiteral("run-dir"));
    run.strategy = parser.value(QStringLiteral("strategy"));
    run.options = options;
    const auto token = clientToken(parser, target.master);
    if (!token)
        return fail(kExitUsage, token.error());
    run.options.bearerToken = *token;
    run.tokenFromStateFile = run.fromStateFile && !parser.isSet(QStringLiteral("token")) &&
                             !qEnvironmentVariableIsSet("STARLING_TOKEN");
    run.options.resume = parser.isSet(QStringLiteral("resume"));
    run.json = parser.isSet(QStringLiteral("json"));
    if (const auto exit = readWaitCluster(parser, run))
        return *exit;
    if (const auto exit = readPlanTimeout(parser, run))
        return *exit;
    return download(run);
}

} // namespace starling::cli
