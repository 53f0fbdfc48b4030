#include "tokenbucket.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace starling::transfer {

namespace {

double validRate(double bytesPerSecond)
{
    return std::isfinite(bytesPerSecond) && bytesPerSecond > 0 ? bytesPerSecond : 0.0;
}

} // namespace

TokenBucket::TokenBucket(double bytesPerSecond, qint64 burstBytes, Clock clock)
    : m_rate(validRate(bytesPerSecond)), m_burst(qMax<qint64>(burstBytes, 0)),
      m_clock(clock ? std::move(clock) : steadyClock()), m_tokens(double(m_burst)),
      m_last(m_clock())
{}

std::chrono::nanoseconds TokenBucket::reserve(qint64 bytes)
{
    if (m_rate <= 0 || bytes <= 0)
        return std::chrono::nanoseconds(0);
    std::lock_guard lock(m_mutex);
    const std::chrono::nanoseconds now = m_clock();
    // A clock that steps back (a fake one, or a caller's bug) must not mint tokens.
    if (now > m_last) {
        const double elapsedS = std::chrono::duration<double>(now - m_last).count();
        m_tokens = std::min(double(m_burst), m_tokens + elapsedS * m_rate);
        m_last = now;
    }
    m_tokens -= double(bytes);
    if (m_tokens >= 0)
        return std::chrono::nanoseconds(0);
    const double waitNs = std::ceil(-m_tokens / m_rate * 1e9);
    return std::chrono::nanoseconds(qint64(std::min(waitNs, 9.0e18)));
}

TokenBucket::Clock TokenBucket::steadyClock()
{
    return [] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now().time_since_epoch());
    };
}

} // namespace starling::transfer
