#pragma once

#include <QObject>
#include <QProcess>
#include <QString>

namespace starling::consolemodel {

// A cluster on this machine that the console (or `starling demo`) starts and stops itself,
// through the `starling` CLI like an operator would: `starling up --detach` (asynchronous;
// started() or failed() when it returns) and `starling down`. Only a cluster this object
// started is ever stopped by it.
class LocalCluster final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalCluster)

public:
    struct Options
    {
        QString cli;    // the starling executable
        QString runDir; // its state file goes here
        QString exportRoot;
        QString profile; // empty: no heterogeneity profile
        QString config;  // empty: defaults
        int slaves = 4;
    };

    explicit LocalCluster(Options options, QObject *parent = nullptr);
    ~LocalCluster() override; // stops the cluster if it is still running

    void start();
    // Blocks until `starling down` returns (at most timeoutMs); true if nothing is left running.
    bool stop(int timeoutMs = 30000);
    bool isRunning() const { return m_running; }
    QString stateFilePath() const;
    const Options &options() const { return m_options; }

signals:
    void started();
    void failed(const QString &message);

private:
    Options m_options;
    QProcess m_up;
    bool m_running = false;
};

} // namespace starling::consolemodel
