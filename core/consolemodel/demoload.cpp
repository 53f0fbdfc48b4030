#include "demoload.h"

#include "cluster/statefile.h"
#include "protocol/jobstatusmessage.h"
#include "util/oneline.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cmath>

namespace starling::consolemodel {

namespace {

constexpr int kImageWidth = 3072;
constexpr int kImageHeight = 2048;
const char kDownloadName[] = "demo-data.bin";
const char kImageName[] = "demo-pattern.pgm";

// A picture with something for a blur to do: waves over a checkerboard.
QByteArray patternPgm()
{
    QByteArray pgm = QByteArray("P5\n") + QByteArray::number(kImageWidth) + ' ' +
                     QByteArray::number(kImageHeight) + "\n255\n";
    const qsizetype header = pgm.size();
    pgm.resize(header + qsizetype(kImageWidth) * kImageHeight);
    char *p = pgm.data() + header;
    for (int y = 0; y < kImageHeight; ++y) {
        for (int x = 0; x < kImageWidth; ++x) {
            const double v = 128 + 90 * std::sin(x / 37.0) * std::cos(y / 23.0) +
                             37 * (((x / 128) + (y / 128)) % 2);
            *p++ = char(std::clamp(int(v), 0, 255));
        }
    }
    return pgm;
}

} // namespace

DemoLoad::DemoLoad(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    const QString file = QString::fromLatin1(kDownloadName);
    const QString image = QDir(m_options.workDir).filePath(QString::fromLatin1(kImageName));
    const QString out = QDir(m_options.workDir).filePath(QStringLiteral("out"));
    const auto get = [&](const char *strategy) {
        return Step{QStringLiteral("get %1").arg(QLatin1String(strategy)),
                    {QStringLiteral("get"), file, QStringLiteral("-o"),
                     out + QStringLiteral(".bin"), QStringLiteral("--strategy"),
                     QLatin1String(strategy), QStringLiteral("--json")}};
    };
    const auto job = [&](const char *strategy) {
        return Step{QStringLiteral("job %1").arg(QLatin1String(strategy)),
                    {QStringLiteral("job"), QStringLiteral("blur"), image, QStringLiteral("-o"),
                     out + QStringLiteral(".png"), QStringLiteral("--sigma"), QStringLiteral("2"),
                     QStringLiteral("--strategy"), QLatin1String(strategy),
                     QStringLiteral("--json")}};
    };
    const Step load{QStringLiteral("load"),
                    {QStringLiteral("load"), QStringLiteral("--tasks"), QStringLiteral("16"),
                     QStringLiteral("--task-ms"), QStringLiteral("500"), QStringLiteral("--reason"),
                     QStringLiteral("demo load")}};
    const auto op = [](const char *label, QStringList arguments) {
        return Step{QLatin1String(label), std::move(arguments)};
    };
    m_steps = {
        get("bw"),
        job("pdds"),
        load,
        job("equal"),
        op("drain slave-3", {QStringLiteral("drain"), QStringLiteral("slave-3"),
                             QStringLiteral("--reason"), QStringLiteral("demo: maintenance")}),
        get("equal"),
        job("optimal"),
        op("resume slave-3", {QStringLiteral("resume"), QStringLiteral("slave-3")}),
        job("cpu"),
        op("slow slave-4",
           {QStringLiteral("slow"), QStringLiteral("slave-4"), QStringLiteral("2")}),
        job("dynamic"),
        job("pdds"),
        op("unslow slave-4",
           {QStringLiteral("slow"), QStringLiteral("slave-4"), QStringLiteral("1")}),
        load,
        get("optimal")};
    for (Step &s : m_steps)
        s.arguments << QStringLiteral("--run-dir") << m_options.runDir;
    m_gap.setSingleShot(true);
    connect(&m_gap, &QTimer::timeout, this, &DemoLoad::next);
    connect(&m_process, &QProcess::finished, this, &DemoLoad::finished);
}

DemoLoad::~DemoLoad()
{
    stop();
}

bool DemoLoad::prepare()
{
    // The work directory may be inside the run directory: that one is made owner-only first.
    if (!m_options.runDir.isEmpty())
        cluster::ensureRunDirectory(m_options.runDir);
    if (!QDir().mkpath(m_options.workDir) || !QDir().mkpath(m_options.exportRoot)) {
        emit failed(QStringLiteral("cannot create %1").arg(m_options.workDir));
        return false;
    }
    QFile image(QDir(m_options.workDir).filePath(QString::fromLatin1(kImageName)));
    if (!image.open(QIODevice::WriteOnly | QIODevice::Truncate) || image.write(patternPgm()) < 0) {
        emit failed(
            QStringLiteral("cannot write %1: %2").arg(image.fileName(), image.errorString()));
        return false;
    }
    QFile data(QDir(m_options.exportRoot).filePath(QString::fromLatin1(kDownloadName)));
    if (data.size() == m_options.fileBytes)
        return true; // kept from an earlier demo: the master has its hashes cached
    if (!data.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        emit failed(QStringLiteral("cannot write %1: %2").arg(data.fileName(), data.errorString()));
        return false;
    }
    QRandomGenerator rng{42};
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    for (qint64 written = 0; written < m_options.fileBytes; written += chunk.size()) {
        rng.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
        if (data.write(chunk.constData(),
                       std::min<qint64>(chunk.size(), m_options.fileBytes - written)) < 0) {
            emit failed(
                QStringLiteral("cannot write %1: %2").arg(data.fileName(), data.errorString()));
            return false;
        }
    }
    return true;
}

void DemoLoad::start()
{
    if (m_running)
        return;
    m_running = true;
    next();
}

void DemoLoad::stop()
{
    m_running = false;
    m_gap.stop();
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate(); // our own child, by its pid: SIGTERM, then SIGKILL
        if (!m_process.waitForFinished(3000)) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
}

void DemoLoad::next()
{
    if (!m_running || m_steps.empty() || m_process.state() != QProcess::NotRunning)
        return;
    const Step &step = m_steps[m_next % m_steps.size()];
    m_clock.start();
    m_process.start(m_options.cli, step.arguments);
}

void DemoLoad::finished(int exitCode, QProcess::ExitStatus status)
{
    const Step &step = m_steps[m_next % m_steps.size()];
    ++m_next;
    if (!m_running)
        return; // stopped by stop(): cut short, neither a result nor a failure
    const double seconds = double(m_clock.elapsed()) / 1000;
    const bool ok = status == QProcess::NormalExit && exitCode == 0;
    Tally &tally = m_tallies[step.label];
    ++tally.runs;
    tally.totalS += seconds;
    QString summary = QStringLiteral("%1: ").arg(step.label);
    const QByteArray out = m_process.readAllStandardOutput();
    if (ok) {
        // `--json` commands end with their final status as the last line.
        const QByteArray last = out.trimmed().split('\n').last();
        const QJsonObject status = QJsonDocument::fromJson(last).object();
        const auto job = protocol::JobStatusMessage::fromJson(status);
        if (job && job->makespanS >= 0) {
            const double makespan = job->makespanS;
            tally.makespans.push_back(makespan);
            summary += QStringLiteral("done, makespan %1 s").arg(makespan, 0, 'f', 2);
        } else if (status.contains(u"MBps")) {
            summary +=
                QStringLiteral("done, %1 MB/s").arg(status.value(u"MBps").toDouble(), 0, 'f', 1);
        } else {
            summary += QStringLiteral("done in %1 s").arg(seconds, 0, 'f', 1);
        }
    } else {
        ++tally.failures;
        const QString err = QString::fromLocal8Bit(m_process.readAllStandardError()).trimmed();
        summary += QStringLiteral("failed: %1")
                       .arg(err.isEmpty() ? QStringLiteral("exit code %1").arg(exitCode)
                                          : util::oneLine(err.section(u'\n', -1), 300));
    }
    emit stepFinished(summary, ok);
    if (m_running)
        m_gap.start(m_options.gapMs);
}

} // namespace starling::consolemodel
