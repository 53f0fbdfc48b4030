#pragma once

#include <QtGlobal>

namespace starling::jobs {

// One pool of bytes that the master's image jobs draw from: uploads being read, decoded
// inputs, running jobs' outputs and the encoded results kept for fetching. A plain counter:
// its owner (JobBoard) guards it with its own lock, so that reserving and evicting to make room
// are one step.
class ByteBudget
{
public:
    explicit ByteBudget(qint64 capacity);

    qint64 capacity() const { return m_capacity; }
    qint64 used() const { return m_used; }
    qint64 available() const { return m_capacity - m_used; }
    bool fits(qint64 bytes) const;

    // Takes `bytes` if they fit in what is left; false (and nothing taken) otherwise.
    bool tryReserve(qint64 bytes);
    // Takes `bytes` even past the capacity: for what was accepted before a restart.
    void force(qint64 bytes);
    // Gives back what a reservation took; never below zero.
    void release(qint64 bytes);

private:
    qint64 m_capacity;
    qint64 m_used = 0;
};

} // namespace starling::jobs
