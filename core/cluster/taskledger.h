#pragma once

#include "util/expected.h"

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

namespace starling::cluster {

// One unit of work the master hands out. Synthetic tasks (the demo load generator) carry only
// an emulated cost; later work kinds carry their payload elsewhere, keyed by id.
struct Task
{
    std::int64_t id = 0;
    double costMs = 0;
    int owner = -1;         // slave rank, -1 while waiting at the master
    std::int64_t epoch = 0; // the owner's epoch when it was assigned
    int reassignments = 0;
};

// The master's book of tasks: who holds what under which epoch. A completion must name the
// owner and epoch the task was assigned under; anything else is a late message from a node that
// was declared DOWN (its work went elsewhere) and is refused, so no task completes twice.
class TaskLedger
{
public:
    std::int64_t add(double costMs); // returns the new task's id; it waits at the master
    void assign(std::int64_t id, int rank, std::int64_t epoch);
    Expected<Task> complete(std::int64_t id, int rank, std::int64_t epoch);
    // Everything a node holds goes back to the master's queue (front, so it runs next).
    std::vector<std::int64_t> reclaim(int rank);

    const Task *find(std::int64_t id) const;
    std::vector<std::int64_t> waiting() const { return {m_waiting.begin(), m_waiting.end()}; }
    std::int64_t takeWaiting(); // front of the queue; 0 when empty
    int assignedTo(int rank) const;
    double assignedCostMs(int rank) const;
    std::size_t waitingCount() const { return m_waiting.size(); }
    std::int64_t completed() const { return m_completed; }

private:
    std::map<std::int64_t, Task> m_tasks; // live tasks only
    std::deque<std::int64_t> m_waiting;
    // Per owner, kept up to date so a completion costs O(log n), not a scan of every task.
    std::map<int, int> m_countByOwner;
    std::map<int, double> m_costByOwner;
    void release(const Task &task);
    std::int64_t m_nextId = 1;
    std::int64_t m_completed = 0;
};

} // namespace starling::cluster
