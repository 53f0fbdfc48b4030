#include "ratefloor.h"

#include <algorithm>

namespace starling::http {

RateFloor::RateFloor(qint64 minBytesPerS, std::int64_t windowMs)
    : m_minBytesPerS(std::max<qint64>(0, minBytesPerS)),
      m_windowMs(std::max<std::int64_t>(1, windowMs))
{}

bool RateFloor::tooSlow(std::int64_t nowMs, qint64 totalBytes)
{
    if (m_samples.empty()) {
        m_samples.emplace_back(nowMs, totalBytes);
        return false;
    }
    m_samples.emplace_back(nowMs, totalBytes);
    // Keep one sample at or before the window's start as its baseline, nothing older.
    while (m_samples.size() > 2 && m_samples[1].first <= nowMs - m_windowMs)
        m_samples.pop_front();
    if (m_minBytesPerS == 0 || m_samples.front().first > nowMs - m_windowMs)
        return false; // no floor, or not one whole window observed yet
    // Integer maths: bytes x 1000 against rate x window, both in byte-milliseconds.
    const std::int64_t span = nowMs - m_samples.front().first;
    return bytesInWindow() * 1000 < m_minBytesPerS * span;
}

void RateFloor::excuse(std::int64_t nowMs, qint64 totalBytes)
{
    m_samples.clear();
    m_samples.emplace_back(nowMs, totalBytes);
}

qint64 RateFloor::bytesInWindow() const
{
    return m_samples.empty() ? 0 : m_samples.back().second - m_samples.front().second;
}

} // namespace starling::http
