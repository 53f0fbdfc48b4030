#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <map>
#include <vector>

namespace starling::consolemodel {

// The demo's load generator: one `starling` command after another, so every view of the
// console moves: parallel downloads (`starling get`, bw and equal splits), image jobs with
// alternating strategies (`starling job blur`), synthetic tasks (`starling load`), and now and
// then an operator's drain and resume or a slowdown. It writes its own inputs (a file in the
// export root, a test image) and runs one command at a time, as an operator's script would.
class DemoLoad final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoLoad)

public:
    struct Options
    {
        QString cli;        // the starling executable
        QString runDir;     // the cluster's
        QString exportRoot; // the cluster's export root: the download file goes here
        QString workDir;    // inputs and outputs of the commands
        int gapMs = 1000;   // between commands
        qint64 fileBytes = qint64(96) << 20;
    };
    struct Tally
    {
        int runs = 0;
        int failures = 0;
        double totalS = 0;
        std::vector<double> makespans; // image jobs: the cluster's makespan per run
    };

    explicit DemoLoad(Options options, QObject *parent = nullptr);
    ~DemoLoad() override;

    // Writes the inputs; false (with failed()) if it cannot.
    bool prepare();
    void start();
    void stop();
    bool isRunning() const { return m_running; }
    // Per step label ("get --strategy bw", "job pdds", ...).
    const std::map<QString, Tally> &tallies() const { return m_tallies; }

signals:
    // One line per command: "job pdds: done, makespan 0.84 s" or "get bw: failed: ...".
    void stepFinished(const QString &summary, bool ok);
    void failed(const QString &message);

private:
    struct Step
    {
        QString label;
        QStringList arguments;
    };
    void next();
    void finished(int exitCode, QProcess::ExitStatus status);

    Options m_options;
    std::vector<Step> m_steps;
    size_t m_next = 0;
    QProcess m_process;
    QTimer m_gap;
    QElapsedTimer m_clock;
    bool m_running = false;
    std::map<QString, Tally> m_tallies;
};

} // namespace starling::consolemodel
