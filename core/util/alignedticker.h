#pragma once

#include <QObject>
#include <QTimer>

namespace starling {

// A timer that fires on wall-clock multiples of its period (every 500 ms at .000 and .500).
// Every rank samples at the same instants, so one snapshot carries samples taken together and
// the monitor can publish as soon as a round is in instead of up to a period later.
class AlignedTicker final : public QObject
{
    Q_OBJECT

public:
    explicit AlignedTicker(int periodMs, QObject *parent = nullptr);

    void start();
    void stop();
    int periodMs() const { return m_periodMs; }
    // Milliseconds from `nowMs` (since the epoch) to the next multiple of the period.
    static int delayToNextTick(qint64 nowMs, int periodMs);

signals:
    void tick();

private:
    void scheduleNext();

    int m_periodMs;
    QTimer m_timer;
};

} // namespace starling
