#include "jobcommand.h"

#include "bridgelink.h"
#include "client/clustertrust.h"
#include "client/jobclient.h"
#include "clienttoken.h"
#include "cliparsing.h"
#include "image/imagecodec.h"
#include "image/imageop.h"
#include "image/stripkernel.h"
#include "jobs/jobspec.h"
#include "jobs/submittername.h"
#include "progressline.h"

#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QThread>

#include <cmath>
#include <cstdio>
#include <pwd.h>
#include <unistd.h>

namespace starling::cli {

namespace {

constexpr qint64 kMaxInputBytes = qint64(1) << 30;
constexpr qint64 kMaxResultBytes = qint64(4) << 30;

int fail(int code, const QString &message)
{
    return commandError("job", code, message);
}

// The job as this command line asks for it: checked here, before anything is read or sent,
// with the master's own parser (so the CLI and the API accept exactly the same).
struct Request
{
    jobs::JobSpec spec;
    QList<QPair<QByteArray, QByteArray>> params;
    QString input;
    QString output;
    image::ImageFormat format = image::ImageFormat::Png;
};

// Issue 16, fairness: --submitter, else the login name (when it is a valid name; else none is
// sent and the master counts the job as this host's address's).
std::optional<int> readSubmitter(const QCommandLineParser &parser, Request &request)
{
    QByteArray name;
    if (parser.isSet(QStringLiteral("submitter"))) {
        name = parser.value(QStringLiteral("submitter")).toUtf8();
        if (!jobs::SubmitterName::isValid(name))
            return fail(kExitUsage, QStringLiteral("--submitter must be 1 to %1 characters of "
                                                   "A-Z a-z 0-9 . _ @ -")
                                        .arg(jobs::SubmitterName::kMaxLength));
    } else if (const passwd *user = ::getpwuid(::getuid()); user && user->pw_name) {
        name = QByteArray(user->pw_name);
    }
    if (jobs::SubmitterName::isValid(name))
        request.params.append({"submitter", name});
    return std::nullopt;
}

std::optional<int> parseRequest(const QCommandLineParser &parser, Request &request)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return fail(
            kExitUsage,
            QStringLiteral("usage: starling job OP INPUT -o OUTPUT "
                           "[--sigma S] [--radius R] [--strategy S] "
                           "[--order O] [--tasks N] [--submitter NAME] [--local] [--json]"));
    request.input = positional[1];
    request.params.append({"op", positional[0].toUtf8()});
    for (const char *key : {"sigma", "radius", "strategy", "order", "w1", "w2", "tasks", "seed"}) {
        const QString name = QString::fromLatin1(key);
        if (parser.isSet(name))
            request.params.append({key, parser.value(name).toUtf8()});
    }
    // The cluster's default strategy applies when none is given; any valid one parses here.
    auto spec = jobs::JobSpec::fromQuery(request.params, sched::StrategyKind::Pdds, {});
    if (!spec)
        return fail(kExitUsage, spec.error());
    request.spec = *spec;
    if (const auto exit = readSubmitter(parser, request))
        return exit;
    if (!parser.isSet(QStringLiteral("output")) || parser.value(QStringLiteral("output")).isEmpty())
        return fail(kExitUsage, QStringLiteral("-o OUTPUT is required (its extension sets the "
                                               "format: .png, .jpg, .pgm or .ppm)"));
    request.output = QFileInfo(parser.value(QStringLiteral("output"))).absoluteFilePath();
    const auto format = image::formatFromPath(request.output);
    if (!format)
        return fail(kExitUsage, QStringLiteral("%1: unknown image format (use .png, .jpg, .pgm "
                                               "or .ppm)")
                                    .arg(request.output));
    request.format = *format;
    if (QFileInfo(request.output).isDir())
        return fail(kExitUsage, QStringLiteral("%1 is a directory").arg(request.output));
    if (!QFileInfo(QFileInfo(request.output).absolutePath()).isDir())
        return fail(kExitUsage, QStringLiteral("the directory %1 does not exist")
                                    .arg(QFileInfo(request.output).absolutePath()));
    return std::nullopt;
}

std::optional<int> readInput(const QString &path, QByteArray &bytes)
{
    QFile file(path);
    if (!QFileInfo(path).isFile())
        return fail(kExitUsage, QStringLiteral("%1: no such file").arg(path));
    if (file.size() > kMaxInputBytes)
        return fail(kExitUsage,
                    QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(kMaxInputBytes));
    if (!file.open(QIODevice::ReadOnly))
        return fail(kExitUsage, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    bytes = file.readAll();
    if (bytes.isEmpty())
        return fail(kExitUsage, QStringLiteral("%1 is empty").arg(path));
    if (!image::sniffFormat(bytes))
        return fail(kExitUsage,
                    QStringLiteral("%1 is not a PNG, JPEG, PGM or PPM image").arg(path));
    return std::nullopt;
}

std::optional<int> writeOutput(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(kExitRefused,
                    QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return std::nullopt;
}

int runLocal(const Request &request, const QByteArray &input, bool json)
{
    auto decoded = image::decodeImage(input, {});
    if (!decoded)
        return fail(kExitUsage, QStringLiteral("%1: %2").arg(request.input, decoded.error()));
    QElapsedTimer clock;
    clock.start();
    const auto result = image::applyToImage(request.spec.op, *decoded);
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    if (!result)
        return fail(kExitRefused, result.error());
    const auto encoded = image::encodeImage(*result, request.format);
    if (!encoded)
        return fail(kExitRefused, encoded.error());
    if (const auto exit = writeOutput(request.output, *encoded))
        return *exit;
    if (json) {
        QJsonObject status = request.spec.toJson();
        status.insert(QStringLiteral("state"), QStringLiteral("done"));
        status.insert(QStringLiteral("local"), true);
        status.insert(QStringLiteral("width"), decoded->width);
        status.insert(QStringLiteral("height"), decoded->height);
        status.insert(QStringLiteral("channels"), decoded->channels);
        status.insert(QStringLiteral("makespan_s"), seconds);
        status.insert(QStringLiteral("output"), request.output);
        printJsonLine(status);
    } else {
        std::printf("%s: %d x %d %s in %.3f s in this process\n", qPrintable(request.output),
                    decoded->width, decoded->height, qPrintable(request.spec.op.name()), seconds);
    }
    return 0;
}

// "job-3 running  42/100 units  1.2 s" on a terminal's stderr, redrawn in place.
class StatusLine
{
public:
    explicit StatusLine(bool show) : m_show(show) {}
    void update(const client::JobStatus &s, double elapsedS)
    {
        if (!m_show)
            return;
        QString line = QStringLiteral("%1 %2").arg(s.id, s.state);
        if (s.state == u"queued")
            line += QStringLiteral(" (%1 ahead)").arg(s.jobsAhead);
        else
            line += QStringLiteral("  %1/%2 units").arg(s.unitsDone).arg(s.unitsTotal);
        line += QStringLiteral("  %1 s").arg(elapsedS, 0, 'f', 1);
        std::fprintf(stderr, "\r%s\033[K", qPrintable(line.left(terminalWidth(STDERR_FILENO) - 1)));
        std::fflush(stderr);
        m_shown = true;
    }
    ~StatusLine()
    {
        if (m_shown)
            std::fprintf(stderr, "\n");
    }

private:
    bool m_show;
    bool m_shown = false;
};

// No access is bad usage (exit 2), as a wrong argument is: retrying will not help.
int exitFor(const QString &errorCode)
{
    return errorCode == u"unauthorized" ? kExitUsage : kExitRefused;
}

int runOnCluster(const Request &request, const QByteArray &input, client::JobClient &client,
                 bool json, double timeoutS)
{
    const auto id = client.submit(input, request.params);
    if (!id) {
        const bool ours = id.errorCode() == u"bad_request" || id.errorCode() == u"unreachable" ||
                          id.errorCode() == u"unauthorized";
        return fail(ours ? kExitUsage : kExitRefused, id.error());
    }
    QElapsedTimer clock;
    clock.start();
    const QDeadlineTimer deadline(qint64(timeoutS * 1000));
    StatusLine line(!json && ::isatty(STDERR_FILENO));
    int pollMs = 50;
    client::JobStatus status;
    for (;;) {
        const auto polled = client.status(*id);
        if (!polled)
            return fail(exitFor(polled.errorCode()),
                        QStringLiteral("%1: %2").arg(*id, polled.error()));
        status = *polled;
        line.update(status, double(clock.elapsed()) / 1000);
        if (status.finished())
            break;
        if (deadline.hasExpired())
            return fail(kExitRefused, QStringLiteral("%1 is still %2 after %3 s (--timeout-s); it "
                                                     "goes on on the cluster")
                                          .arg(*id, status.state)
                                          .arg(timeoutS));
        QThread::msleep(pollMs); // polling the master's API, not settling a test
        pollMs = std::min(500, pollMs * 2);
    }
    if (status.state == u"failed") {
        if (json)
            printJsonLine(status.raw);
        return fail(kExitRefused, QStringLiteral("%1 failed: %2").arg(*id, status.error));
    }
    const auto bytes = client.result(*id, request.format, kMaxResultBytes);
    if (!bytes)
        return fail(exitFor(bytes.errorCode()), QStringLiteral("%1: %2").arg(*id, bytes.error()));
    if (const auto exit = writeOutput(request.output, *bytes))
        return *exit;
    QJsonObject final = status.raw;
    final.insert(QStringLiteral("output"), request.output);
    if (json) {
        printJsonLine(final);
    } else {
        const int slaves =
            status.raw.value(u"timeline").toObject().value(u"slaves").toArray().size();
        std::printf("%s: %d x %d %s on %d slave%s, makespan %.3f s (%s)\n",
                    qPrintable(request.output), status.raw.value(u"width").toInt(),
                    status.raw.value(u"height").toInt(), qPrintable(request.spec.op.name()), slaves,
                    slaves == 1 ? "" : "s", status.makespanS, qPrintable(*id));
    }
    return 0;
}

void describeJobCommand(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Run an image job on the cluster (or, with --local, in this process).\n"
                       "OP is blur, sobel, median or grey; INPUT a PNG, JPEG, PGM or PPM file."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("op"), QStringLiteral("blur, sobel, median, grey"));
    parser.addPositionalArgument(QStringLiteral("input"), QStringLiteral("The image file."));
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                      QStringLiteral("Where the result goes; .png, .jpg, .pgm or .ppm."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("sigma"),
                      QStringLiteral("blur: Gaussian sigma (0.1-50, "
                                     "default 2)."),
                      QStringLiteral("s")});
    parser.addOption({QStringLiteral("radius"), QStringLiteral("median: radius (1-50, default 2)."),
                      QStringLiteral("r")});
    parser.addOption({QStringLiteral("strategy"),
                      QStringLiteral("equal, cpu, bw, pdds, optimal or dynamic; default: the "
                                     "cluster's."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("order"),
                      QStringLiteral("Send order: dec (default), inc or rand."),
                      QStringLiteral("order")});
    parser.addOption(
        {QStringLiteral("w1"), QStringLiteral("PDDS weight of T_i."), QStringLiteral("x")});
    parser.addOption(
        {QStringLiteral("w2"), QStringLiteral("PDDS weight of B_i."), QStringLiteral("y")});
    parser.addOption({QStringLiteral("tasks"),
                      QStringLiteral("Unit tasks the image is cut into (default 100)."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed of the random send order."),
                      QStringLiteral("k")});
    parser.addOption({QStringLiteral("submitter"),
                      QStringLiteral("Whose job this is, for the master's fair share (1-64 of "
                                     "A-Z a-z 0-9 . _ @ -); default: your login name."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("json"),
                      QStringLiteral("Print the final status (makespan, timeline) as JSON.")});
    parser.addOption({QStringLiteral("local"),
                      QStringLiteral("Run the op in this process, without a cluster.")});
    parser.addOption({QStringLiteral("master"),
                      QStringLiteral("The master's URL; default: from the run directory."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("timeout-s"),
                      QStringLiteral("Give up waiting after this many seconds (default 600)."),
                      QStringLiteral("s")});
    parser.addOption(tokenOption());
    parser.addOption(runDirOption());
}

std::optional<int> readTimeout(const QCommandLineParser &parser, double &timeoutS)
{
    if (!parser.isSet(QStringLiteral("timeout-s")))
        return std::nullopt;
    bool ok = false;
    timeoutS = parser.value(QStringLiteral("timeout-s")).toDouble(&ok);
    if (!ok || !std::isfinite(timeoutS) || timeoutS < 1 || timeoutS > 86400)
        return fail(kExitUsage, QStringLiteral("--timeout-s must be a number of seconds from "
                                               "1 to 86400, got \"%1\"")
                                    .arg(parser.value(QStringLiteral("timeout-s"))));
    return std::nullopt;
}

// --master as given, else the master of the cluster in the run directory.
std::optional<int> findMaster(const QCommandLineParser &parser, QUrl &master)
{
    if (parser.isSet(QStringLiteral("master"))) {
        master = QUrl(parser.value(QStringLiteral("master")), QUrl::StrictMode);
        if (!master.isValid() || master.host().isEmpty() ||
            (master.scheme() != u"http" && master.scheme() != u"https"))
            return fail(kExitUsage, QStringLiteral("--master must be an http(s) URL, got \"%1\"")
                                        .arg(parser.value(QStringLiteral("master")).left(100)));
        client::setClusterTrust(trustForMaster(master, parser.value(QStringLiteral("run-dir"))));
        return std::nullopt;
    }
    const auto state = findCluster(parser.value(QStringLiteral("run-dir")));
    if (!state)
        return fail(kExitUsage, state.error());
    if (state->masterUrl.isEmpty())
        return fail(kExitUsage, QStringLiteral("the cluster in %1 has no master URL yet "
                                               "(still starting?)")
                                    .arg(state->runDir));
    master = QUrl(state->masterUrl);
    client::setClusterTrust(state->tls);
    return std::nullopt;
}

} // namespace

int runJobCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeJobCommand(parser);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;

    Request request;
    if (const auto exit = parseRequest(parser, request))
        return *exit;
    double timeoutS = 600;
    if (const auto exit = readTimeout(parser, timeoutS))
        return *exit;
    QByteArray input;
    if (const auto exit = readInput(request.input, input))
        return *exit;
    const bool json = parser.isSet(QStringLiteral("json"));
    if (parser.isSet(QStringLiteral("local")))
        return runLocal(request, input, json);
    QUrl master;
    if (const auto exit = findMaster(parser, master))
        return *exit;
    const auto token = clientToken(parser, master);
    if (!token)
        return fail(kExitUsage, token.error());
    client::JobClient client(master, *token);
    return runOnCluster(request, input, client, json, timeoutS);
}

} // namespace starling::cli
