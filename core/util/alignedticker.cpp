#include "alignedticker.h"

#include <QDateTime>

namespace starling {

AlignedTicker::AlignedTicker(int periodMs, QObject *parent)
    : QObject(parent), m_periodMs(std::max(1, periodMs))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        emit tick();
        scheduleNext();
    });
}

int AlignedTicker::delayToNextTick(qint64 nowMs, int periodMs)
{
    const qint64 into = ((nowMs % periodMs) + periodMs) % periodMs;
    // A tick that fired a hair early would otherwise be followed by one at once.
    const qint64 delay = periodMs - into;
    return int(delay < periodMs / 10 ? delay + periodMs : delay);
}

void AlignedTicker::start()
{
    scheduleNext();
}

void AlignedTicker::stop()
{
    m_timer.stop();
}

void AlignedTicker::scheduleNext()
{
    m_timer.start(delayToNextTick(QDateTime::currentMSecsSinceEpoch(), m_periodMs));
}

} // namespace starling
