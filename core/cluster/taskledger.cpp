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
    task.owner = rank;
    task.epoch = epoch;
    m_waiting.erase(std::remove(m_waiting.begin(), m_waiting.end(), id), m_waiting.end());
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
    m_tasks.erase(it);
    ++m_completed;
    return task;
}

std::vector<std::int64_t> TaskLedger::reclaim(int rank)
{
    std::vector<std::int64_t> ids;
    for (auto &[id, task] : m_tasks) {
        if (task.owner == rank) {
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
    return int(std::count_if(m_tasks.begin(), m_tasks.end(),
                             [rank](const auto &entry) { return entry.second.owner == rank; }));
}

double TaskLedger::assignedCostMs(int rank) const
{
    double sum = 0;
    for (const auto &[id, task] : m_tasks) {
        if (task.owner == rank)
            sum += task.costMs;
    }
    return sum;
}

} // namespace starling::cluster
