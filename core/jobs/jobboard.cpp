#include "jobboard.h"

#include "image/imagecodec.h"
#include "jobs/jobtimeline.h"
#include "protocol/jobstatusmessage.h"

#include <QRandomGenerator>
#include <QtGlobal>

#include <algorithm>
#include <array>
#include <utility>

namespace starling::jobs {

QString toString(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return QStringLiteral("queued");
    case JobState::Running:
        return QStringLiteral("running");
    case JobState::Done:
        return QStringLiteral("done");
    case JobState::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("unknown");
}

JobBoard::JobBoard(Limits limits) : m_limits(limits), m_budget(limits.byteBudget)
{
    m_limits.queueLimit = std::max(1, m_limits.queueLimit);
    m_limits.kept = std::max(1, m_limits.kept);
}

bool JobBoard::isValidId(QByteArrayView id)
{
    if (!id.startsWith("job-") || id.size() < 5 || id.size() > 4 + 32)
        return false;
    return std::all_of(id.begin() + 4, id.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

QString JobBoard::newId() const
{
    std::array<quint32, 4> words{};
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    QString id = QStringLiteral("job-");
    for (const quint32 word : words)
        id += QStringLiteral("%1").arg(word, 8, 16, QLatin1Char('0'));
    return id;
}

Expected<JobReservation> JobBoard::reserve(qint64 uploadBytes, const QString &submitter)
{
    std::lock_guard lock(m_mutex);
    if (const auto refused = quotaRefusal(submitter, uploadBytes, 0, true))
        return *refused;
    const int waiting =
        m_reserved + int(std::count_if(m_jobs.begin(), m_jobs.end(),
                                       [](const Job &j) { return j.state == JobState::Queued; }));
    if (waiting >= m_limits.queueLimit)
        return Error{
            QStringLiteral("the job queue is full (%1 jobs waiting); retry later").arg(waiting),
            QStringLiteral("queue_full")};
    if (!makeRoom(uploadBytes) || !m_budget.tryReserve(uploadBytes))
        return Error{QStringLiteral("the upload (%1 bytes) does not fit in what is left of the "
                                    "job memory budget (%2 of %3 bytes); retry later")
                         .arg(uploadBytes)
                         .arg(m_budget.available())
                         .arg(m_budget.capacity()),
                     QStringLiteral("budget_exceeded")};
    ++m_reserved;
    Holding &holding = m_holdings[submitter];
    ++holding.reservations;
    holding.bytes += uploadBytes;
    return JobReservation(this, uploadBytes, submitter);
}

// Issue 16, fairness: a submitter's waiting jobs (queued and being uploaded) and, once it holds
// anything besides the reservation asking (`own` bytes), its share of the budget.
std::optional<Error> JobBoard::quotaRefusal(const QString &submitter, qint64 bytes, qint64 own,
                                            bool newSlot) const
{
    const auto holding = m_holdings.find(submitter);
    const int reserving = holding == m_holdings.end() ? 0 : holding->second.reservations;
    const int queued = int(std::count_if(m_jobs.begin(), m_jobs.end(), [&](const Job &j) {
        return j.state == JobState::Queued && j.submitter == submitter;
    }));
    if (newSlot && reserving + queued >= m_limits.perSubmitterQueue)
        return Error{QStringLiteral("submitter \"%1\" has %2 jobs waiting, its share of the "
                                    "queue; retry when they have started")
                         .arg(submitter)
                         .arg(reserving + queued),
                     QStringLiteral("submitter_quota")};
    const qint64 held = bytesHeldBy(submitter);
    const qint64 share = qint64(double(m_budget.capacity()) * m_limits.submitterByteShare);
    // A share of 1 is the whole budget: its own check says budget_exceeded.
    if (m_limits.submitterByteShare < 1 && held > own && held + bytes > share)
        return Error{QStringLiteral("submitter \"%1\" holds %2 bytes of the job memory budget; "
                                    "%3 more would pass its share (%4 bytes); retry later")
                         .arg(submitter)
                         .arg(held)
                         .arg(bytes)
                         .arg(share),
                     QStringLiteral("submitter_quota")};
    return std::nullopt;
}

qint64 JobBoard::bytesHeldBy(const QString &submitter) const
{
    const auto holding = m_holdings.find(submitter);
    qint64 bytes = holding == m_holdings.end() ? 0 : holding->second.bytes;
    for (const Job &job : m_jobs)
        bytes += job.submitter == submitter ? job.charged : 0;
    return bytes;
}

bool JobBoard::onBoard(const QString &submitter) const
{
    return m_holdings.count(submitter) > 0 ||
           std::any_of(m_jobs.begin(), m_jobs.end(), [&](const Job &j) {
               return j.submitter == submitter &&
                      (j.state == JobState::Queued || j.state == JobState::Running);
           });
}

bool JobBoard::takeBytes(const QString &submitter, qint64 bytes, qint64 own, bool &overQuota)
{
    std::lock_guard lock(m_mutex);
    overQuota = quotaRefusal(submitter, bytes, own, false).has_value(); // its slot is held
    if (overQuota || !makeRoom(bytes) || !m_budget.tryReserve(bytes))
        return false;
    m_holdings[submitter].bytes += bytes;
    return true;
}

void JobBoard::giveBack(const QString &submitter, bool slot, qint64 bytes)
{
    std::lock_guard lock(m_mutex);
    m_budget.release(bytes);
    if (slot)
        --m_reserved;
    const auto holding = m_holdings.find(submitter);
    if (holding == m_holdings.end())
        return;
    holding->second.bytes -= bytes;
    holding->second.reservations -= slot ? 1 : 0;
    if (holding->second.reservations <= 0 && holding->second.bytes <= 0)
        m_holdings.erase(holding);
}

// Drops finished jobs whose result was fetched, oldest first, until `bytes` fit.
bool JobBoard::makeRoom(qint64 bytes)
{
    while (!m_budget.fits(bytes)) {
        auto oldest = m_jobs.end();
        for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
            const bool spare = it->fetched && it->state == JobState::Done;
            if (spare && (oldest == m_jobs.end() || it->finishedAtMs < oldest->finishedAtMs))
                oldest = it;
        }
        if (oldest == m_jobs.end())
            return false;
        erase(oldest);
    }
    return true;
}

void JobBoard::erase(std::deque<Job>::iterator job)
{
    m_budget.release(job->charged);
    m_jobs.erase(job);
}

Expected<QString> JobBoard::submit(JobSpec spec, image::ImageBuffer input, qint64 nowMs,
                                   const QString &submitter)
{
    auto reserved = reserve(0, submitter);
    if (!reserved)
        return Error{reserved.error(), reserved.errorCode()};
    JobReservation reservation = std::move(reserved).value();
    const qint64 charge = imageCharge(input.width, input.height, input.channels,
                                      spec.op.outputChannels(input.channels));
    if (!reservation.reserveImage(charge))
        return Error{QStringLiteral("the image (%1 bytes with its output) does not fit in what is "
                                    "left of the job memory budget%2; retry later")
                         .arg(charge)
                         .arg(reservation.overQuota() ? QStringLiteral(" share of its submitter")
                                                      : QString()),
                     reservation.overQuota() ? QStringLiteral("submitter_quota")
                                             : QStringLiteral("budget_exceeded")};
    return submit(reservation, std::move(spec), std::move(input), nowMs);
}

Expected<QString> JobBoard::submit(JobReservation &reservation, JobSpec spec,
                                   image::ImageBuffer input, qint64 nowMs)
{
    if (reservation.m_board != this || !reservation.m_slot)
        return Error{QStringLiteral("no queue slot was reserved for this job"),
                     QStringLiteral("queue_full")};
    const QString id = newId();
    qint64 sequence = 0;
    {
        std::lock_guard lock(m_mutex);
        sequence = m_nextSequence++;
    }
    // On disk before anyone can run it, so a job that ends never leaves a spool file behind.
    if (const JobSpool *spool = m_spool.load()) {
        if (const auto saved =
                spool->save(id, spec, input, nowMs, sequence, reservation.m_submitter);
            !saved)
            qWarning("starling: job %s is not kept across a restart: %s", qPrintable(id),
                     qPrintable(saved.error()));
    }
    Job job;
    job.id = id;
    job.submitter = reservation.m_submitter;
    job.work = workOf(spec, input);
    job.sequence = sequence;
    job.spec = std::move(spec);
    job.width = input.width;
    job.height = input.height;
    job.channels = input.channels;
    job.unitsTotal = std::min<long long>(job.spec.tasks, input.height);
    job.submittedAtMs = nowMs;
    job.input = std::make_shared<const image::ImageBuffer>(std::move(input));
    job.charged = std::exchange(reservation.m_imageBytes, 0);
    reservation.m_slot = false;
    std::lock_guard lock(m_mutex);
    --m_reserved;
    // The slot and the image bytes are the job's now; the upload's stay with the reservation.
    if (const auto holding = m_holdings.find(job.submitter); holding != m_holdings.end()) {
        --holding->second.reservations;
        holding->second.bytes -= job.charged;
        if (holding->second.reservations <= 0 && holding->second.bytes <= 0)
            m_holdings.erase(holding);
    }
    // Two submissions may reach this point out of order; the queue keeps the sequence's.
    const auto at = std::upper_bound(m_jobs.begin(), m_jobs.end(), sequence,
                                     [](qint64 s, const Job &j) { return s < j.sequence; });
    m_jobs.insert(at, std::move(job));
    return id;
}

void JobBoard::restore(JobSpool::Entry entry)
{
    std::lock_guard lock(m_mutex);
    Job job;
    job.id = entry.id;
    job.submitter = entry.submitter;
    job.work = workOf(entry.spec, entry.input);
    job.sequence = std::max(entry.sequence, m_nextSequence);
    m_nextSequence = job.sequence + 1;
    job.spec = std::move(entry.spec);
    job.width = entry.input.width;
    job.height = entry.input.height;
    job.channels = entry.input.channels;
    job.unitsTotal = std::min<long long>(job.spec.tasks, entry.input.height);
    job.submittedAtMs = entry.submittedAtMs;
    // Accepted once: it is charged even past the budget.
    job.charged =
        imageCharge(job.width, job.height, job.channels, job.spec.op.outputChannels(job.channels));
    m_budget.force(job.charged);
    job.input = std::make_shared<const image::ImageBuffer>(std::move(entry.input));
    m_jobs.push_back(std::move(job));
}

JobBoard::Job *JobBoard::find(const QString &id)
{
    const auto it =
        std::find_if(m_jobs.begin(), m_jobs.end(), [&](const Job &j) { return j.id == id; });
    return it == m_jobs.end() ? nullptr : &*it;
}

const JobBoard::Job *JobBoard::find(const QString &id) const
{
    return const_cast<JobBoard *>(this)->find(id);
}

QJsonObject JobBoard::statusOf(const Job &job) const
{
    protocol::JobStatusMessage status;
    status.spec = job.spec.toJson();
    status.id = job.id;
    status.submitter = job.submitter;
    status.state = toString(job.state);
    status.width = job.width;
    status.height = job.height;
    status.channels = job.channels;
    status.unitsDone = job.unitsDone;
    status.unitsTotal = job.unitsTotal;
    status.submittedAtMs = job.submittedAtMs;
    status.startedAtMs = job.startedAtMs;
    status.finishedAtMs = job.finishedAtMs;
    if (job.state == JobState::Queued) {
        // Ahead: the running jobs, and those the fair order starts before this one.
        for (const Job &other : m_jobs)
            status.jobsAhead += other.state == JobState::Running ? 1 : 0;
        for (const std::size_t next : fairOrder(m_jobs.size())) {
            if (&m_jobs[next] == &job)
                break;
            ++status.jobsAhead;
        }
    }
    status.error = job.error;
    if (job.outcome) {
        status.makespanS = micro(job.outcome->makespanS);
        status.timeline = timelineJson(*job.outcome);
    }
    return status.toJson();
}

std::optional<QJsonObject> JobBoard::status(const QString &id) const
{
    std::lock_guard lock(m_mutex);
    const Job *job = find(id);
    if (!job)
        return std::nullopt;
    return statusOf(*job);
}

QJsonArray JobBoard::list() const
{
    std::lock_guard lock(m_mutex);
    QJsonArray jobs;
    for (auto it = m_jobs.rbegin(); it != m_jobs.rend(); ++it) {
        jobs.append(QJsonObject{{QStringLiteral("id"), it->id},
                                {QStringLiteral("submitter"), it->submitter},
                                {QStringLiteral("state"), toString(it->state)},
                                {QStringLiteral("op"), it->spec.op.name()},
                                {QStringLiteral("units_done"), qint64(it->unitsDone)},
                                {QStringLiteral("units_total"), qint64(it->unitsTotal)},
                                {QStringLiteral("submitted_at_ms"), it->submittedAtMs}});
    }
    return jobs;
}

Expected<QByteArray> JobBoard::result(const QString &id, image::ImageFormat format)
{
    std::shared_ptr<const image::ImageBuffer> output;
    {
        std::lock_guard lock(m_mutex);
        Job *job = find(id);
        if (!job)
            return Error{QStringLiteral("no job %1 (finished jobs are kept until %2 newer ones "
                                        "finish)")
                             .arg(id)
                             .arg(m_limits.kept),
                         QStringLiteral("unknown_job")};
        if (job->state == JobState::Failed)
            return Error{QStringLiteral("job %1 failed: %2").arg(id, job->error),
                         QStringLiteral("failed")};
        if (job->state != JobState::Done)
            return Error{QStringLiteral("job %1 is %2; its result is not ready")
                             .arg(id, toString(job->state)),
                         QStringLiteral("not_done")};
        job->fetched = true;
        if (const auto it = job->encoded.find(format); it != job->encoded.end())
            return it->second;
        output = job->output;
    }
    auto encoded = image::encodeImage(*output, format);
    if (!encoded)
        return Error{encoded.error(), QStringLiteral("encode_failed")};
    std::lock_guard lock(m_mutex);
    // Kept for the next fetch only if the budget holds it; otherwise encoded again then.
    if (Job *job = find(id); job && !job->encoded.count(format)) {
        job->fetched = false; // not a candidate for makeRoom while its own bytes are placed
        const bool room = makeRoom(encoded->size()) && m_budget.tryReserve(encoded->size());
        job = find(id); // makeRoom may have moved it in the deque
        job->fetched = true;
        if (room) {
            job->encoded[format] = *encoded;
            job->charged += encoded->size();
        }
    }
    return *encoded;
}

double JobBoard::workOf(const JobSpec &spec, const image::ImageBuffer &input)
{
    return double(input.pixels.size()) * spec.op.relativeCost();
}

// Positions in m_jobs of the queued jobs in the order FairShare starts them (the first
// `count`); m_mutex held.
std::vector<std::size_t> JobBoard::fairOrder(std::size_t count) const
{
    std::vector<std::size_t> queued;
    std::vector<FairShare::Queued> candidates;
    for (std::size_t i = 0; i < m_jobs.size(); ++i) {
        if (m_jobs[i].state != JobState::Queued)
            continue;
        queued.push_back(i);
        candidates.push_back({m_jobs[i].submitter, m_jobs[i].work});
    }
    std::vector<std::size_t> order;
    for (const std::size_t i : m_fair.order(candidates, count))
        order.push_back(queued[i]);
    return order;
}

std::optional<JobBoard::Running> JobBoard::startNext(qint64 nowMs, int maxRunning)
{
    std::lock_guard lock(m_mutex);
    const auto running = std::count_if(m_jobs.begin(), m_jobs.end(), [](const Job &job) {
        return job.state == JobState::Running;
    });
    if (running >= std::max(1, maxRunning))
        return std::nullopt;
    const std::vector<std::size_t> next = fairOrder(1);
    if (next.empty())
        return std::nullopt;
    Job &job = m_jobs[next.front()];
    job.state = JobState::Running;
    job.startedAtMs = nowMs;
    m_fair.started(job.submitter, job.work);
    m_fair.forgetIdle([this](const QString &submitter) { return onBoard(submitter); });
    return Running{job.id, job.spec, job.input};
}

void JobBoard::progress(const QString &id, long long unitsDone, long long unitsTotal)
{
    std::lock_guard lock(m_mutex);
    if (Job *job = find(id)) {
        job->unitsDone = unitsDone;
        job->unitsTotal = unitsTotal;
    }
}

void JobBoard::finish(const QString &id, JobOutcome outcome, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    Job *job = find(id);
    if (!job || job->state != JobState::Running)
        return;
    job->state = JobState::Done;
    ++m_doneTotal;
    job->finishedAtMs = nowMs;
    job->unitsDone = job->unitsTotal;
    // The input goes; the output stays charged until the job is retired.
    const qint64 outputBytes = outcome.output.pixels.size();
    if (outputBytes <= job->charged)
        m_budget.release(job->charged - outputBytes);
    else
        m_budget.force(outputBytes - job->charged);
    job->charged = outputBytes;
    job->output = std::make_shared<const image::ImageBuffer>(std::move(outcome.output));
    job->outcome = std::make_shared<const JobOutcome>(std::move(outcome));
    job->input.reset();
    if (const JobSpool *spool = m_spool.load())
        spool->remove(id);
    retire();
}

void JobBoard::fail(const QString &id, const QString &error, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    Job *job = find(id);
    if (!job || job->state == JobState::Done || job->state == JobState::Failed)
        return;
    job->state = JobState::Failed;
    ++m_failedTotal;
    job->finishedAtMs = nowMs;
    job->error = error;
    job->input.reset();
    m_budget.release(std::exchange(job->charged, 0));
    if (const JobSpool *spool = m_spool.load())
        spool->remove(id);
    retire();
}

// Drops the oldest finished jobs beyond the count and byte budgets.
void JobBoard::retire()
{
    const auto finished = [](const Job &j) {
        return j.state == JobState::Done || j.state == JobState::Failed;
    };
    for (;;) {
        int count = 0;
        qint64 bytes = 0;
        for (const Job &j : m_jobs) {
            if (!finished(j))
                continue;
            ++count;
            bytes += j.output ? j.output->pixels.size() : 0;
        }
        if (count <= m_limits.kept && bytes <= kMaxKeptBytes)
            return;
        const auto oldest =
            std::min_element(m_jobs.begin(), m_jobs.end(), [&](const Job &a, const Job &b) {
                if (finished(a) != finished(b))
                    return finished(a);
                return a.finishedAtMs < b.finishedAtMs;
            });
        if (oldest == m_jobs.end() || !finished(*oldest) || count <= 1)
            return; // the newest result stays even when it alone is over the budget
        erase(oldest);
    }
}

qint64 JobBoard::budgetUsed() const
{
    std::lock_guard lock(m_mutex);
    return m_budget.used();
}

int JobBoard::queuedCount() const
{
    std::lock_guard lock(m_mutex);
    return int(std::count_if(m_jobs.begin(), m_jobs.end(),
                             [](const Job &j) { return j.state == JobState::Queued; }));
}

JobBoard::Counts JobBoard::counts() const
{
    std::lock_guard lock(m_mutex);
    Counts counts;
    counts.queueLimit = m_limits.queueLimit;
    counts.done = m_doneTotal;
    counts.failed = m_failedTotal;
    for (const Job &j : m_jobs) {
        counts.queued += j.state == JobState::Queued ? 1 : 0;
        counts.running += j.state == JobState::Running ? 1 : 0;
    }
    return counts;
}

} // namespace starling::jobs
