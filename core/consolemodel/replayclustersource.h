#pragma once

#include "consolemodel/clustersource.h"
#include "consolemodel/recordingreader.h"

#include <QElapsedTimer>
#include <QTimer>

#include <functional>

namespace starling::consolemodel {

// Plays a recording as if it were the cluster: the same signals, at 1x to 60x the recorded
// pace, pausable, seekable. Read-only: every command is answered with the error "replay".
//
// Seeking forward delivers the records in between at once. Seeking back cannot take records
// back out of the views, so it emits rewound(): whoever shows the replay clears its views and
// calls start() again, which delivers everything up to the new position at once, so the views
// end up exactly as if played through (MainWindow::setSource does both).
class ReplayClusterSource final : public ClusterSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayClusterSource)

public:
    static constexpr int kStepMs = 50; // how often the playing replay delivers
    static constexpr double kMinSpeed = 1;
    static constexpr double kMaxSpeed = 60;

    explicit ReplayClusterSource(Recording recording, QObject *parent = nullptr);
    ~ReplayClusterSource() override;

    // Delivers every record up to the position at once, then plays on unless paused.
    void start() override;
    void stop() override;
    LinkState linkState() const override { return m_link; }
    QString sendCommand(const QJsonObject &command) override;
    bool acceptsCommands() const override { return false; }
    bool isLive() const override { return false; }
    qint64 nowMs() const override { return m_recording.header.startMs + m_positionMs; }

    const Recording &recording() const { return m_recording; }
    qint64 durationMs() const { return m_recording.durationMs(); }
    qint64 positionMs() const { return m_positionMs; }
    double speed() const { return m_speed; }
    bool isPaused() const { return m_paused; }
    bool atEnd() const { return m_next >= m_recording.records.size(); }

    void setSpeed(double speed); // clamped to 1-60
    void setPaused(bool paused);
    void seek(qint64 ms); // clamped to the recording
    // Wall-clock milliseconds for playback; a test sets its own and calls advance().
    void setClock(std::function<qint64()> elapsedMs);
    // Moves the position by the wall time since the last step times the speed, and delivers.
    void advance();

signals:
    void positionChanged(qint64 ms);
    void pausedChanged(bool paused);
    void rewound(qint64 ms);
    void finished(); // the last record has played; the replay pauses there

private:
    void deliverUpTo(qint64 ms);
    void deliver(const Record &record);

    Recording m_recording;
    size_t m_next = 0; // the first record not delivered yet
    qint64 m_positionMs = 0;
    double m_speed = 1;
    bool m_paused = false;
    bool m_running = false;
    LinkState m_link = LinkState::Disconnected;
    QTimer m_timer;
    QElapsedTimer m_wall;
    std::function<qint64()> m_clock;
    qint64 m_lastStepMs = 0;
    int m_nextId = 0;
};

} // namespace starling::consolemodel
