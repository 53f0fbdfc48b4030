#pragma once

#include "image/imagebuffer.h"
#include "image/imageformat.h"
#include "jobs/bytebudget.h"
#include "jobs/fairshare.h"
#include "jobs/jobreservation.h"
#include "jobs/jobscheduler.h"
#include "jobs/jobspec.h"
#include "jobs/jobspool.h"
#include "sched/platform.h"
#include "util/expected.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace starling::jobs {

enum class JobState
{
    Queued,
    Running,
    Done,
    Failed
};
QString toString(JobState state);

// A slave as a job's status names it (index = the scheduler's platform index).
struct JobSlave
{
    QString name;
    int rank = 0;
};

// What the runner hands back when a job is complete.
struct JobOutcome
{
    image::ImageBuffer output;
    std::vector<JobChunk> chunks; // the done ones, in the order they were sent
    std::vector<JobSlave> slaves;
    std::vector<double> plannedShares;
    std::vector<int> sendOrder;
    sched::Platform estimates; // what the master believed when it planned (T_i, B_i, unit size)
    double makespanS = 0;
    int lateResults = 0;
    int reassignedChunks = 0;
};

// The master's jobs: a queue that the runner takes jobs from (up to job_overlap at once, sharing
// the one port), and the finished jobs whose status and result clients fetch. Bounded: a
// full queue refuses submissions, and only the newest `kept` finished jobs (and at most
// kMaxKeptBytes of results) stay.
//
// Fair share (issue 16): every job has a submitter (SubmitterName). startNext() picks among
// submitters by start-time fair queuing on each job's estimated work (FairShare), FIFO within
// a submitter. Admission holds each submitter to `perSubmitterQueue` waiting jobs and, once it
// holds anything, to `submitterByteShare` of the byte budget (code "submitter_quota"), so one
// client's flood leaves room for the others.
//
// Memory: one ByteBudget covers uploads being read, queued inputs, running jobs (input and
// output) and every result kept (decoded and each encoding). A submission that would break it
// is refused ("budget_exceeded") after results already fetched once were dropped, oldest
// first, to make room; a result nobody fetched yet is never dropped for a new job.
//
// Ids are "job-" and 32 hex digits (128 bits from the system's CSPRNG): knowing one job's id
// tells nothing of another's. The order of jobs is a sequence number inside the board (and the
// spool), not the id.
//
// THREADS: every member is safe to call from any thread (HTTP handlers submit and read, the
// MPI thread runs). Encoding a result happens outside the lock.
class JobBoard
{
public:
    static constexpr qint64 kMaxKeptBytes = qint64(4) << 30;

    struct Limits
    {
        int queueLimit = 1024;
        int kept = 32;
        qint64 byteBudget = qint64(1) << 30;
        // Issue 16, fairness: queue slots (waiting and being uploaded) one submitter may hold,
        // and the part of byteBudget it may hold beyond its first job.
        int perSubmitterQueue = 256;
        double submitterByteShare = 0.5;
    };
    // What the runner gets: the input stays shared and unchanged until the job ends.
    struct Running
    {
        QString id;
        JobSpec spec;
        std::shared_ptr<const image::ImageBuffer> input;
    };

    explicit JobBoard(Limits limits);

    // Keeps every accepted job in `spool` until it ends (the board does not own it), so a
    // restarted master can restore() them. Set before the first submission.
    // Setting nullptr when the master stops keeps what is spooled: a job failed by the
    // shutdown runs again after the restart.
    void setSpool(const JobSpool *spool) { m_spool.store(spool); }
    // Puts a spooled job back in the queue under its own id (after those already queued, past
    // the queue limit: it was accepted once). Later ids continue after it.
    void restore(JobSpool::Entry entry);

    // A queue slot and `uploadBytes` of the budget for a submission whose body is about to be
    // read; codes "submitter_quota", "queue_full" and "budget_exceeded".
    Expected<JobReservation> reserve(qint64 uploadBytes, const QString &submitter = {});
    // Queues the job under a new id; the reservation's slot and image bytes go to the job (its
    // upload bytes stay with it until it is destroyed). Code "queue_full" if it holds no slot.
    Expected<QString> submit(JobReservation &reservation, JobSpec spec, image::ImageBuffer input,
                             qint64 nowMs);
    // reserve(0), reserveImage and submit in one: codes "submitter_quota", "queue_full",
    // "budget_exceeded".
    Expected<QString> submit(JobSpec spec, image::ImageBuffer input, qint64 nowMs,
                             const QString &submitter = {});
    // What a job costs the budget from its decoding until it ends: input plus output pixels.
    static constexpr qint64 imageCharge(qint64 width, qint64 height, int inChannels,
                                        int outChannels)
    {
        return width * height * (qint64(inChannels) + outChannels);
    }
    // A well-formed id ("job-" and 1 to 32 lower-case hex digits; older spools' numbers too).
    static bool isValidId(QByteArrayView id);
    std::optional<QJsonObject> status(const QString &id) const;
    QJsonArray list() const; // newest first
    // The encoded result; codes "unknown_job", "not_done" (queued or running), "failed".
    Expected<QByteArray> result(const QString &id, image::ImageFormat format);

    // The one place that picks the next job: the fair choice among submitters. Nothing while
    // `maxRunning` jobs run (issue 16: the runner overlaps up to job_overlap of them).
    std::optional<Running> startNext(qint64 nowMs, int maxRunning = 1);
    void progress(const QString &id, long long unitsDone, long long unitsTotal);
    void finish(const QString &id, JobOutcome outcome, qint64 nowMs);
    void fail(const QString &id, const QString &error, qint64 nowMs);
    int queuedCount() const;
    // Issue 17, Prometheus: what /metrics and the alert rules see of the board.
    struct Counts
    {
        int queued = 0; // waiting for the runner
        int running = 0;
        int queueLimit = 0;
        qint64 done = 0;   // since this master started
        qint64 failed = 0; // since this master started
        bool operator==(const Counts &) const = default;
    };
    Counts counts() const;
    qint64 budgetUsed() const;
    qint64 budgetCapacity() const { return m_budget.capacity(); } // fixed: no lock

private:
    friend class JobReservation;
    struct Job
    {
        QString id;
        QString submitter;
        double work = 0;     // estimated: input bytes x the op's relative cost (fair share)
        qint64 sequence = 0; // submission order, across restarts too
        JobSpec spec;
        JobState state = JobState::Queued;
        std::shared_ptr<const image::ImageBuffer> input;
        int width = 0;
        int height = 0;
        int channels = 0;
        qint64 submittedAtMs = 0;
        qint64 startedAtMs = 0;
        qint64 finishedAtMs = 0;
        long long unitsDone = 0;
        long long unitsTotal = 0;
        QString error;
        std::shared_ptr<const image::ImageBuffer> output;
        std::shared_ptr<const JobOutcome> outcome; // output moved out
        std::map<image::ImageFormat, QByteArray> encoded;
        qint64 charged = 0;   // bytes of the budget this job holds
        bool fetched = false; // a client has had its result: it may make room for new jobs
    };

    QJsonObject statusOf(const Job &job) const;
    void retire();
    void erase(std::deque<Job>::iterator job);
    bool makeRoom(qint64 bytes); // m_mutex held
    // For JobReservation: `own` is what the reservation already holds; `overQuota` says why not.
    bool takeBytes(const QString &submitter, qint64 bytes, qint64 own, bool &overQuota);
    void giveBack(const QString &submitter, bool slot, qint64 bytes);
    // Issue 16, fairness (m_mutex held).
    struct Holding
    {
        int reservations = 0;
        qint64 bytes = 0;
    };
    // `own`: bytes the asking reservation holds already; `newSlot`: it asks for a queue slot.
    std::optional<Error> quotaRefusal(const QString &submitter, qint64 bytes, qint64 own,
                                      bool newSlot) const;
    qint64 bytesHeldBy(const QString &submitter) const;
    bool onBoard(const QString &submitter) const;
    std::vector<std::size_t> fairOrder(std::size_t count) const;
    static double workOf(const JobSpec &spec, const image::ImageBuffer &input);
    QString newId() const;
    Job *find(const QString &id);
    const Job *find(const QString &id) const;

    Limits m_limits;
    mutable std::mutex m_mutex;
    std::deque<Job> m_jobs; // in submission order
    ByteBudget m_budget;
    qint64 m_nextSequence = 1;
    int m_reserved = 0; // submissions being read or written to the spool, counted as waiting
    FairShare m_fair;
    std::map<QString, Holding> m_holdings; // reservations per submitter; none: erased
    qint64 m_doneTotal = 0;                // issue 17: counters for counts()
    qint64 m_failedTotal = 0;
    std::atomic<const JobSpool *> m_spool{nullptr};
};

} // namespace starling::jobs
