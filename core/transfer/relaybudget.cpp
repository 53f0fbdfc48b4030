#include "relaybudget.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace starling::transfer {

struct RelayBudget::State
{
    explicit State(qint64 capacityBytes) : capacity(std::max<qint64>(1, capacityBytes)) {}

    const qint64 capacity;
    std::mutex mutex;
    std::condition_variable freed;
    qint64 reserved = 0;
    int waiting = 0;
    bool closed = false;
};

RelayBudget::Lease::Lease(std::shared_ptr<State> state, qint64 bytes)
    : m_state(std::move(state)), m_bytes(bytes)
{}

RelayBudget::Lease::~Lease()
{
    {
        std::lock_guard lock(m_state->mutex);
        m_state->reserved -= m_bytes;
    }
    m_state->freed.notify_all();
}

RelayBudget::RelayBudget(qint64 capacityBytes) : m_state(std::make_shared<State>(capacityBytes)) {}

RelayBudget::~RelayBudget()
{
    close();
}

std::shared_ptr<RelayBudget::Lease> RelayBudget::reserve(qint64 bytes,
                                                         std::chrono::milliseconds wait)
{
    State &s = *m_state;
    const qint64 want = std::clamp<qint64>(bytes, 1, s.capacity);
    std::unique_lock lock(s.mutex);
    ++s.waiting;
    const bool fits =
        s.freed.wait_for(lock, wait, [&] { return s.closed || s.reserved + want <= s.capacity; });
    --s.waiting;
    if (!fits || s.closed)
        return nullptr;
    s.reserved += want;
    return std::make_shared<Lease>(m_state, want);
}

void RelayBudget::close()
{
    {
        std::lock_guard lock(m_state->mutex);
        m_state->closed = true;
    }
    m_state->freed.notify_all();
}

qint64 RelayBudget::capacity() const
{
    return m_state->capacity;
}

qint64 RelayBudget::reserved() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->reserved;
}

int RelayBudget::waiting() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->waiting;
}

} // namespace starling::transfer
