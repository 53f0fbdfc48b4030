#pragma once

#include <functional>
#include <queue>
#include <vector>

namespace starling::sim {

// The timed events of a discrete-event run: the earliest first, and events due at the same
// time in the order they were scheduled, so a run replays exactly (the simulators, and the
// tests that drive the cluster's schedulers the same way).
class EventQueue
{
public:
    struct Event
    {
        double time;
        long long seq;
        std::function<void()> action;
        bool operator>(const Event &o) const
        {
            return time != o.time ? time > o.time : seq > o.seq;
        }
    };

    void at(double time, std::function<void()> action)
    {
        m_events.push({time, m_seq++, std::move(action)});
    }
    bool empty() const { return m_events.empty(); }
    Event pop()
    {
        Event e = m_events.top();
        m_events.pop();
        return e;
    }

private:
    std::priority_queue<Event, std::vector<Event>, std::greater<>> m_events;
    long long m_seq = 0;
};

} // namespace starling::sim
