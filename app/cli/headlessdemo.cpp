#include "headlessdemo.h"

#include "cliparsing.h"
#include "cluster/statustable.h"

#include <QCoreApplication>
#include <QDir>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace starling::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

consolemodel::LocalCluster::Options clusterOptions(const DemoOptions &demo)
{
    consolemodel::LocalCluster::Options options;
    options.cli = QCoreApplication::applicationFilePath();
    options.runDir = demo.runDir;
    options.exportRoot = QDir(demo.runDir).filePath(QStringLiteral("export"));
    options.profile = demo.profile;
    options.slaves = demo.slaves;
    return options;
}

consolemodel::DemoLoad::Options loadOptions(const DemoOptions &demo)
{
    consolemodel::DemoLoad::Options options;
    options.cli = QCoreApplication::applicationFilePath();
    options.runDir = demo.runDir;
    options.exportRoot = QDir(demo.runDir).filePath(QStringLiteral("export"));
    options.workDir = QDir(demo.runDir).filePath(QStringLiteral("work"));
    return options;
}

} // namespace

HeadlessDemo::HeadlessDemo(const DemoOptions &options)
    : m_options(options), m_cluster(clusterOptions(options)), m_load(loadOptions(options)),
      m_source(consolemodel::endpointFromStateFile(m_cluster.stateFilePath()),
               QStringLiteral("starling-demo")),
      m_tty(isatty(STDOUT_FILENO) == 1)
{
    wireSource();
    wireLoad();
    wireCluster();
}

void HeadlessDemo::wireSource()
{
    QObject::connect(&m_source, &consolemodel::ClusterSource::snapshotReceived, &m_source,
                     [this](const cluster::ClusterSnapshot &s) {
                         m_latest = s;
                         m_haveSnapshot = true;
                     });
    QObject::connect(&m_source, &consolemodel::ClusterSource::eventReceived, &m_source,
                     [this](const QJsonObject &e) {
                         ++m_events;
                         m_activity.apply(e);
                     });
}

void HeadlessDemo::wireLoad()
{
    QObject::connect(&m_load, &consolemodel::DemoLoad::stepFinished, &m_load,
                     [this](const QString &line, bool good) {
                         m_failures += good ? 0 : 1;
                         m_steps.push_back(line);
                         while (m_steps.size() > 6)
                             m_steps.pop_front();
                         if (!m_tty)
                             std::printf("%s\n", qPrintable(line));
                     });
    QObject::connect(&m_load, &consolemodel::DemoLoad::failed, &m_load, [this](const QString &why) {
        std::fprintf(stderr, "starling demo: %s\n", qPrintable(why));
        ++m_failures;
    });
}

void HeadlessDemo::wireCluster()
{
    QObject::connect(&m_view, &QTimer::timeout, &m_view, [this] { onTick(); });
    QObject::connect(&m_cluster, &consolemodel::LocalCluster::started, &m_cluster,
                     [this] { onClusterStarted(); });
    QObject::connect(&m_cluster, &consolemodel::LocalCluster::failed, &m_cluster,
                     [this](const QString &why) {
                         std::fprintf(stderr, "starling demo: %s\n", qPrintable(why));
                         m_exitCode = 1;
                         QCoreApplication::quit();
                     });
}

void HeadlessDemo::onClusterStarted()
{
    std::printf("starling demo: cluster of %d slaves up in %s; running the load for %d s\n",
                m_options.slaves, qPrintable(m_options.runDir), m_options.seconds);
    std::fflush(stdout);
    m_source.start();
    if (!m_load.prepare()) {
        m_exitCode = 1;
        QCoreApplication::quit();
        return;
    }
    m_load.start();
    m_clock.start();
    m_view.start(1000);
}

void HeadlessDemo::onTick()
{
    if (g_interrupted || m_clock.elapsed() >= m_options.seconds * 1000LL) {
        m_view.stop();
        QCoreApplication::quit();
        return;
    }
    if (m_tty && m_haveSnapshot)
        drawView();
}

// The live view: redrawn in place, like `starling status --watch`.
void HeadlessDemo::drawView() const
{
    std::printf("\033[H\033[2J");
    std::printf("starling demo: %lld of %d s (Ctrl-C stops early)\n\n", m_clock.elapsed() / 1000,
                m_options.seconds);
    std::printf("%s\n", qPrintable(cluster::formatStatusTable(m_latest)));
    if (const consolemodel::LiveJob *job = m_activity.currentJob())
        std::printf("latest job: %s %s %s/%s, %lld/%lld units\n", qPrintable(job->id),
                    qPrintable(job->op), qPrintable(job->strategy), qPrintable(job->order),
                    job->unitsDone(), job->units);
    if (const consolemodel::LiveTransfer *t = m_activity.currentTransfer())
        std::printf("latest transfer: %s, %d/%d blocks served\n", qPrintable(t->path), t->served,
                    int(t->servedBy.size()));
    std::printf("\nload generator:\n");
    for (const QString &line : m_steps)
        std::printf("  %s\n", qPrintable(line));
    std::fflush(stdout);
}

void HeadlessDemo::printSummary() const
{
    std::printf("\nstarling demo: summary of %lld s\n",
                m_clock.isValid() ? m_clock.elapsed() / 1000 : 0);
    std::printf("  %-22s %5s %8s %10s %14s\n", "step", "runs", "failed", "mean s",
                "median makespan");
    for (const auto &[label, t] : m_load.tallies()) {
        const QString makespan = t.makespans.empty()
                                     ? QStringLiteral("-")
                                     : QStringLiteral("%1 s").arg(median(t.makespans), 0, 'f', 3);
        std::printf("  %-22s %5d %8d %10.2f %14s\n", qPrintable(label), t.runs, t.failures,
                    t.runs ? t.totalS / t.runs : 0.0, qPrintable(makespan));
    }
    std::printf("  %d bridge events, %zu image jobs finished\n", m_events,
                m_activity.finishedJobs().size());
}

int HeadlessDemo::run()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::printf("starling demo: starting a local cluster of %d slaves in %s ...\n",
                m_options.slaves, qPrintable(m_options.runDir));
    std::fflush(stdout);
    m_cluster.start();
    QCoreApplication::exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    m_load.stop();
    m_source.stop();
    const bool stopped = m_cluster.stop();
    printSummary();
    if (!stopped) {
        std::fprintf(stderr, "starling demo: the cluster in %s did not stop cleanly\n",
                     qPrintable(m_options.runDir));
        m_exitCode = 1;
    } else {
        std::printf("  cluster stopped\n");
    }
    if (m_failures > 0 && m_exitCode == 0)
        m_exitCode = kExitRefused;
    return m_exitCode;
}

} // namespace starling::cli
