#include "taskledger.h"

#include <QString>

#include <algorithm>

namespace starling::cluster {

std::int64_t TaskLedger::add(double costMs)
{
    const std::int64_t id = m_nextId++;
    m_tasks[id] = Task{id, costMs, -1, 0, 0};
    m_waiting.push_back(id);
    return id;
}

void TaskLedger::assign(std::int64_t id, int rank, std::int64_t epoch)
{
    Task &task = m_tasks.at(id);
    release(task);
    task.owner = rank;
    task.epoch = epoch;
    ++m_countByOwner[rank];
    m_costByOwner[rank] += task.costMs;
    // The master hands out the queue front first; anything else pays a scan.
    if (!m_waiting.empty() && m_waiting.front() == id)
        m_waiting.pop_front();
    else
        m_waiting.erase(std::remove(m_waiting.begin(), m_waiting.end(), id), m_waiting.end());
}

void TaskLedger::release(const Task &task)
{
    if (task.owner < 0)
        return;
    if (--m_countByOwner[task.owner] == 0) {
        m_countByOwner.erase(task.owner);
        m_costByOwner.erase(task.owner);
    } else {
        m_costByOwner[task.owner] -= task.costMs;
    }
}

Expected<Task> TaskLedger::complete(std::int64_t id, int rank, std::int64_t epoch)
{
    const auto it = m_tasks.find(id);
    if (it == m_tasks.end())
        return Error{QStringLiteral("task %1 is not live (already done or never issued)").arg(id)};
    const Task task = it->second;
    if (task.owner != rank || task.epoch != epoch) {
        return Error{QStringLiteral("task %1 from rank %2 epoch %3, but it belongs to rank %4 "
                                    "epoch %5")
                         .arg(id)
                         .arg(rank)
                         .arg(epoch)
                         .arg(task.owner)
                         .arg(task.epoch)};
    }
    release(task);
    m_tasks.erase(it);
    ++m_completed;
    return task;
}

std::vector<std::int64_t> TaskLedger::reclaim(int rank)
{
    std::vector<std::int64_t> ids;
    if (rank < 0)
        return ids; // waiting tasks have no owner to take them from
    for (auto &[id, task] : m_tasks) {
        if (task.owner == rank) {
            release(task);
            task.owner = -1;
            ++task.reassignments;
            ids.push_back(id);
        }
    }
    m_waiting.insert(m_waiting.begin(), ids.begin(), ids.end());
    return ids;
}

const Task *TaskLedger::find(std::int64_t id) const
{
    const auto it = m_tasks.find(id);
    return it == m_tasks.end() ? nullptr : &it->second;
}

std::int64_t TaskLedger::takeWaiting()
{
    return m_waiting.empty() ? 0 : m_waiting.front();
}

int TaskLedger::assignedTo(int rank) const
{
    const auto it = m_countByOwner.find(rank);
    return it == m_countByOwner.end() ? 0 : it->second;
}

double TaskLedger::assignedCostMs(int rank) const
{
    const auto it = m_costByOwner.find(rank);
    return it == m_costByOwner.end() ? 0 : it->second;
}

} // namespace starling::cluster
