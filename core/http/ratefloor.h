#pragma once

#include <QtGlobal>

#include <cstdint>
#include <deque>
#include <utility>

namespace starling::http {

// A minimum transfer rate averaged over a sliding window: fed the running total of bytes a
// connection has moved, it says when fewer than minBytesPerS x window moved over the last window.
// A connection younger than one window is never judged, so a slow start is not punished. Pure
// (no clock of its own, no threads).
class RateFloor
{
public:
    RateFloor(qint64 minBytesPerS, std::int64_t windowMs);

    // One observation at nowMs (not decreasing); true when the rate over the last window is
    // below the floor.
    bool tooSlow(std::int64_t nowMs, qint64 totalBytes);
    // Starts the window again from now: time the other side could not be blamed for.
    void excuse(std::int64_t nowMs, qint64 totalBytes);
    // Bytes moved over the window that ends at the last observation.
    qint64 bytesInWindow() const;

private:
    qint64 m_minBytesPerS;
    std::int64_t m_windowMs;
    std::deque<std::pair<std::int64_t, qint64>> m_samples; // (ms, total), oldest first
};

} // namespace starling::http
