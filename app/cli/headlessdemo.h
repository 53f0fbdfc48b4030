#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/bridgeclustersource.h"
#include "consolemodel/demoload.h"
#include "consolemodel/localcluster.h"
#include "consolemodel/taskactivity.h"

#include <QElapsedTimer>
#include <QString>
#include <QTimer>

#include <deque>

namespace starling::cli {

// What `starling demo` was asked for.
struct DemoOptions
{
    int seconds = 60;
    int slaves = 4;
    QString profile; // empty: none found next to the build
    QString runDir;  // resolved
};

// The console's demo in a terminal: a local cluster and the demo load generator, a live status
// view redrawn every second (on a terminal; otherwise every step as a line), then a summary.
class HeadlessDemo
{
public:
    explicit HeadlessDemo(const DemoOptions &options);
    HeadlessDemo(const HeadlessDemo &) = delete;
    HeadlessDemo &operator=(const HeadlessDemo &) = delete;

    // Runs until --seconds have passed, Ctrl-C, or the cluster fails; stops the cluster and
    // returns the exit code (0, or 1 when a step failed or the cluster did not start or stop).
    int run();

private:
    void wireSource();
    void wireLoad();
    void wireCluster();
    void onClusterStarted();
    void onTick();
    void drawView() const;
    void printSummary() const;

    DemoOptions m_options;
    consolemodel::LocalCluster m_cluster;
    consolemodel::DemoLoad m_load;
    consolemodel::BridgeClusterSource m_source;
    consolemodel::TaskActivity m_activity;
    cluster::ClusterSnapshot m_latest;
    bool m_haveSnapshot = false;
    std::deque<QString> m_steps; // the load generator's last few lines, for the view
    int m_failures = 0;
    int m_events = 0;
    int m_exitCode = 0;
    QElapsedTimer m_clock;
    QTimer m_view;
    bool m_tty = false;
};

} // namespace starling::cli
