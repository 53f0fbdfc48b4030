#pragma once

#include <QtGlobal>

#include <chrono>
#include <memory>

namespace starling::transfer {

// The bytes all of the master's relays may hold at once (their windows of chunks and their
// pipes), so slow readers cannot pin the master's memory however many connect. A relay reserves
// its worst case before it starts and keeps the reservation (a Lease) until it is gone; a
// reservation that does not fit waits, bounded, for others to end. Thread-safe: connections
// reserve on their own threads, the relay service releases on its own.
class RelayBudget
{
    struct State;

public:
    // Returns its bytes to the budget when destroyed, on whatever thread drops the last owner;
    // it may outlive the budget (a connection still open at shutdown).
    class Lease
    {
    public:
        Lease(std::shared_ptr<State> state, qint64 bytes);
        ~Lease();
        Lease(const Lease &) = delete;
        Lease &operator=(const Lease &) = delete;
        qint64 bytes() const { return m_bytes; }

    private:
        std::shared_ptr<State> m_state;
        qint64 m_bytes;
    };

    explicit RelayBudget(qint64 capacityBytes);
    ~RelayBudget();
    RelayBudget(const RelayBudget &) = delete;
    RelayBudget &operator=(const RelayBudget &) = delete;

    // A reservation of `bytes` (clamped to at least 1 and at most the capacity, so one huge
    // relay still runs alone), waiting at most `wait` for room; nullptr when none came.
    std::shared_ptr<Lease> reserve(qint64 bytes, std::chrono::milliseconds wait);
    // Wakes every waiting reserve() and makes them and all later ones fail (shutdown).
    void close();

    qint64 capacity() const;
    qint64 reserved() const;
    // Reservations waiting for room now (so a test can act once a waiter is really waiting).
    int waiting() const;

private:
    std::shared_ptr<State> m_state;
};

} // namespace starling::transfer
