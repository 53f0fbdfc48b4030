#pragma once

#include "protocol/jobevents.h"
#include "protocol/transferevents.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace starling::consolemodel {

// One phase of one strip as the task stream draws it; times in seconds from the job's start.
struct StripBar
{
    enum class Phase
    {
        Send,       // the master's port sending it
        Compute,    // the slave computing it (or holding it in its queue)
        Return,     // the port receiving the result
        Reassigned, // its slave was lost; the units went elsewhere
        Failed      // the job failed while it was out
    };
    int row = 0; // the job's slave index
    double from = 0;
    double to = 0;
    Phase phase = Phase::Send;
    bool live = false; // still going on: `to` is "now"
};

struct LiveStrip
{
    enum class State
    {
        Sending,
        Computing,
        Done,
        Reassigned,
        Failed
    };
    int chunk = 0;
    int slave = -1; // index into LiveJob::slaves
    long long firstUnit = 0;
    long long units = 0;
    State state = State::Sending;
    double sendStart = 0, sendEnd = -1, computeStart = -1, computeEnd = -1, returnStart = -1,
           returnEnd = -1, endedAt = -1;
};

// An image job as the bridge's job events tell it (PROTOCOL.md: job_started, strip_assigned,
// strip_sent, strip_done, strip_reassigned, job_done, job_failed).
struct LiveJob
{
    enum class State
    {
        Running,
        Done,
        Failed
    };
    QString id, op, strategy, order;
    long long units = 0;
    QStringList slaves;
    std::vector<long long> plannedShares;
    double predictedS = 0; // the master's simulator prediction, 0 if not given
    qint64 startedMs = 0;  // wall clock of job_started
    State state = State::Running;
    double makespanS = 0;
    double endedS = 0; // seconds from the start when it ended
    QString error;
    int reassignedChunks = 0;
    std::vector<LiveStrip> strips; // by arrival of strip_assigned
    std::map<int, size_t> stripOfChunk;

    long long unitsDone() const;
    double elapsedS(qint64 nowMs) const;
    // What the task stream draws at `nowMs`: finished phases as they were, running ones up to now.
    std::vector<StripBar> bars(qint64 nowMs) const;
};

struct FinishedJob
{
    QString id, strategy, order;
    long long units = 0;
    double makespanS = 0;
    double predictedS = 0;
    qint64 endedMs = 0;
    QString op; // issue 16: the op, for the predicted-against-measured table
    QString label() const { return strategy + u'/' + order; }
    // How far the model was off: (measured - predicted) / predicted, e.g. 0.4 = took 40% longer
    // than predicted; nullopt when the master gave no prediction.
    std::optional<double> predictionError() const;
};

// A transfer's block map: which slave serves each block and which are served.
struct LiveTransfer
{
    static constexpr int kMaxBlocks = 1 << 20;
    QString id, path, strategy;
    qint64 size = 0;
    qint64 pieceSize = 0;
    QStringList slaves;            // in order of first appearance in the plan
    std::vector<int> plannedOwner; // per block: index into slaves
    std::vector<int> servedBy;     // per block: index into slaves, -1 = not yet
    int served = 0;
    qint64 startedMs = 0;
    qint64 lastMs = 0;
    int slaveIndex(const QString &name); // adds unknown names
};

// The console's picture of task activity, built from bridge events alone: the latest image
// job live, the finished ones for the strategy comparison, and the transfers' block maps.
// Every event is checked field by field; an event that does not fit (unknown job, chunk out
// of order, garbage) is ignored, so a hostile or newer monitor cannot corrupt the picture.
class TaskActivity
{
public:
    explicit TaskActivity(int keptJobs = 500, int keptTransfers = 16);

    // True if the event changed the picture (the views redraw).
    bool apply(const QJsonObject &event);
    void clear();

    const LiveJob *currentJob() const { return m_job.id.isEmpty() ? nullptr : &m_job; }
    const std::deque<FinishedJob> &finishedJobs() const { return m_finished; }
    // The transfer with the latest activity, or null.
    const LiveTransfer *currentTransfer() const;

private:
    template<typename Event> bool applyTyped(const QJsonObject &event);
    bool on(const protocol::JobStartedEvent &e);
    bool on(const protocol::StripAssignedEvent &e);
    bool on(const protocol::StripSentEvent &e);
    bool on(const protocol::StripDoneEvent &e);
    bool on(const protocol::StripReassignedEvent &e);
    bool on(const protocol::JobDoneEvent &e);
    bool on(const protocol::JobFailedEvent &e);
    bool isForRunningJob(const QString &job) const;
    double secondsIntoJob(qint64 timeMs) const;
    LiveStrip *stripOf(int chunk);
    void endJob(LiveJob::State state, double endedS);
    bool on(const protocol::TransferPlannedEvent &e);
    bool on(const protocol::TransferBlockEvent &e);

    int m_keptJobs;
    int m_keptTransfers;
    LiveJob m_job;
    std::deque<FinishedJob> m_finished;
    std::deque<LiveTransfer> m_transfers; // oldest first
};

} // namespace starling::consolemodel
