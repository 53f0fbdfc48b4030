#pragma once

#include <QtGlobal>

#include <chrono>
#include <functional>
#include <mutex>

namespace starling::transfer {

// Paces an emulated uplink shared by every connection of one data server. Senders reserve
// bytes before sending them and wait as long as reserve() says: a reservation takes the tokens
// at once (the balance may go negative), so concurrent senders queue behind each other and
// together never exceed the rate, instead of all seeing the same free tokens. Up to
// `burstBytes` may go out without waiting after an idle spell.
//
// THREADS: every member is safe to call from any thread.
class TokenBucket
{
public:
    // Monotonic time since an arbitrary origin; injectable so tests can drive time.
    using Clock = std::function<std::chrono::nanoseconds()>;

    // A rate <= 0 (or not finite) means unpaced: reserve() always answers 0. The bucket
    // starts full.
    TokenBucket(double bytesPerSecond, qint64 burstBytes, Clock clock = steadyClock());

    // How long the caller must wait before sending `bytes` (0 = now). bytes <= 0 reserves
    // nothing.
    std::chrono::nanoseconds reserve(qint64 bytes);

    double bytesPerSecond() const { return m_rate; }
    qint64 burstBytes() const { return m_burst; }
    bool isPaced() const { return m_rate > 0; }

    static Clock steadyClock();

private:
    const double m_rate;
    const qint64 m_burst;
    const Clock m_clock;
    std::mutex m_mutex;
    double m_tokens;                 // may be negative: bytes already promised to waiters
    std::chrono::nanoseconds m_last; // when m_tokens was last brought up to date
};

} // namespace starling::transfer
