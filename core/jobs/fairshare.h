#pragma once

#include <QString>

#include <cstddef>
#include <functional>
#include <map>
#include <vector>

namespace starling::jobs {

// Which queued job starts next when several submitters wait (issue 16, "Fairness"): start-time
// fair queuing over submitters, weighed by each job's estimated work, FIFO within a submitter.
//
// Every submitter has a finish tag F_s, the virtual work it has been served up to; the board a
// virtual time V, the start tag of the last job started. The head of a submitter's queue has
// the start tag max(V, F_s); the least starts (ties: the earliest submitted), then V becomes
// that tag and F_s that tag plus the job's work. So ten small jobs weigh what one job of their
// total work weighs, and the max() means a submitter that was idle comes back at V: it banks
// no credit for the time it asked for nothing.
//
// Not thread-safe: the board calls it under its own lock.
class FairShare
{
public:
    // Beyond this many submitters known, those with nothing on the board are forgotten even if
    // they were served ahead of V (a bound on memory; they come back at V, a little early).
    static constexpr std::size_t kMaxTracked = 4096;

    struct Queued
    {
        QString submitter;
        double work = 0;
    };

    // Positions in `queued` (in submission order) in the order they would start if nothing
    // else arrived; at most `count` of them.
    std::vector<std::size_t> order(const std::vector<Queued> &queued, std::size_t count) const;
    void started(const QString &submitter, double work);
    // Drops submitters that `onBoard` says hold nothing and that are not ahead of V (they
    // would come back at V anyway).
    void forgetIdle(const std::function<bool(const QString &)> &onBoard);

    double virtualTime() const { return m_virtualTime; }
    double finishTag(const QString &submitter) const;
    std::size_t tracked() const { return m_finish.size(); }

private:
    double m_virtualTime = 0;
    std::map<QString, double> m_finish;
};

} // namespace starling::jobs
