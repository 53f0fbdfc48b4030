#include "jobrunner.h"
#include "runningjob.h"

#include "image/imagebuffer.h"
#include "image/imageop.h"
#include "image/rowsplit.h"
#include "jobs/jobtimeline.h"
#include "jobs/stripmessage.h"
#include "protocol/rankmessages.h"
#include "sched/schedulingerror.h"
#include "sim/strategyrun.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace starling::mpi {

namespace {

constexpr double kUnknownLinkMBps = 1000; // a link nobody measured: fast, so compute decides
constexpr int kNoSlaveGiveUpMs = 30000;   // a queued job waits this long for an ACTIVE slave
constexpr int kEagerMs = 2000;

using PortKind = jobs::JobScheduler::PortWork::Kind;

} // namespace

JobRunner::JobRunner(Transport &transport, jobs::JobBoard &board, double standardMBps,
                     QObject *parent, double estimatorForgetting, double estimatorHalfLifeS,
                     int overlap)
    : QObject(parent), m_transport(transport), m_board(board),
      m_standardMBps(standardMBps > 0 ? standardMBps : 20),
      m_estimator(sched::CostEstimator::Settings{m_standardMBps, estimatorForgetting, 0.15,
                                                 estimatorHalfLifeS}),
      m_prober(transport, m_standardMBps), m_overlap(std::clamp(overlap, 1, 16))
{
    m_clock.start();
    m_portTimer.setSingleShot(true);
    m_portTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_portTimer, &QTimer::timeout, this, &JobRunner::onPortTimer);
    m_wakeTimer.setInterval(500);
    connect(&m_wakeTimer, &QTimer::timeout, this, &JobRunner::wake);
    m_probeTimer.setSingleShot(true);
    m_probeTimer.setInterval(IdleProber::kIdleMs);
    connect(&m_probeTimer, &QTimer::timeout, this, &JobRunner::probeIdleSlaves);
    m_eagerTimer.setInterval(kEagerMs / 2);
    connect(&m_eagerTimer, &QTimer::timeout, this, &JobRunner::keepSlavesEager);
}

JobRunner::~JobRunner() = default;

double JobRunner::now() const
{
    return double(m_clock.nsecsElapsed()) / 1e9;
}

template<typename Event> void JobRunner::publish(const RunningJob &job, Event e)
{
    e.timeMs = QDateTime::currentMSecsSinceEpoch();
    e.job = job.id;
    emit event(e.toJson());
}

RunningJob *JobRunner::findJob(const QString &id)
{
    for (auto &[sequence, job] : m_jobs) {
        if (job->id == id)
            return job.get();
    }
    return nullptr;
}

// A slave that polls MPI slowly (it backs off to 20 ms when idle) would receive each strip
// late; while jobs run, their slaves are told to poll fast, like the master does.
void JobRunner::keepSlavesEager()
{
    if (m_jobs.empty())
        return;
    m_transport.stayEager(kEagerMs);
    for (size_t i = 0; i < m_streamSlaves.size(); ++i) {
        if (!m_lost[i])
            m_transport.send(m_streamSlaves[i].rank, Tag::Wake, protocol::Wake{kEagerMs}.toJson());
    }
}

void JobRunner::setSlaves(std::vector<Slave> slaves)
{
    for (const Slave &old : m_slaves) { // a slave gone or not alive answers no probe strip
        const auto now = std::find_if(slaves.begin(), slaves.end(),
                                      [&old](const Slave &s) { return s.rank == old.rank; });
        if (now == slaves.end() || !now->alive)
            m_prober.forget(old.rank);
    }
    m_slaves = std::move(slaves);
    for (const Slave &s : m_slaves)
        m_estimator.setCalibration(s.rank, s.slowness);
    for (size_t i = 0; i < m_streamSlaves.size() && !m_jobs.empty(); ++i) {
        const int rank = m_streamSlaves[i].rank;
        const auto it = std::find_if(m_slaves.begin(), m_slaves.end(),
                                     [rank](const Slave &s) { return s.rank == rank; });
        if (it == m_slaves.end() || !it->alive)
            loseSlave(int(i), QStringLiteral("stopped answering"));
    }
    wake();
}

std::vector<JobRunner::Slave> JobRunner::availableSlaves() const
{
    std::vector<Slave> available;
    for (const Slave &s : m_slaves) {
        if (s.available)
            available.push_back(s);
    }
    return available;
}

// A job joins running ones only on their platform (JobStream indexes slaves alike for all).
bool JobRunner::canJoin(const std::vector<Slave> &available) const
{
    if (m_jobs.empty())
        return true;
    if (available.size() != m_streamSlaves.size())
        return false;
    for (size_t i = 0; i < available.size(); ++i) {
        if (available[i].rank != m_streamSlaves[i].rank || m_lost[i])
            return false;
    }
    return true;
}

// True while a queued job should wait for an ACTIVE slave (one may resume, recover or start).
bool JobRunner::waitForSlaves(bool anyAvailable, qint64 nowMs)
{
    if (anyAvailable) {
        m_noSlaveSinceMs = 0;
        return false;
    }
    if (m_noSlaveSinceMs == 0)
        m_noSlaveSinceMs = nowMs;
    if (nowMs - m_noSlaveSinceMs < kNoSlaveGiveUpMs) {
        m_wakeTimer.start();
        return true;
    }
    m_noSlaveSinceMs = 0;
    return false;
}

void JobRunner::wake()
{
    m_wakeTimer.stop();
    while (!m_stopped && int(m_jobs.size()) < m_overlap && m_board.queuedCount() > 0) {
        std::vector<Slave> available = availableSlaves();
        if (!canJoin(available))
            return; // the next job starts when the running ones have ended
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        if (waitForSlaves(!available.empty(), nowMs))
            return;
        auto running = m_board.startNext(nowMs, m_overlap);
        if (!running)
            return;
        if (available.empty()) {
            m_board.fail(running->id,
                         QStringLiteral("no slave took image work for %1 s (none is ACTIVE); "
                                        "resume a slave and submit again")
                             .arg(kNoSlaveGiveUpMs / 1000),
                         nowMs);
            continue;
        }
        startJob(std::move(running).value(), std::move(available));
    }
}

// The link as known without this runner's timings: the monitor's estimate, else the
// profile's link, else an unknown (fast) link, so compute decides.
sched::AffineEstimate JobRunner::linkFallback(const Slave &s) const
{
    sched::AffineEstimate link;
    const double mbps = s.linkMBps > 0           ? s.linkMBps
                        : s.emulatedLinkMBps > 0 ? s.emulatedLinkMBps
                                                 : kUnknownLinkMBps;
    link.perMBS = 1 / mbps;
    link.source = s.linkMBps > 0 || s.emulatedLinkMBps > 0 ? sched::EstimateSource::Calibration
                                                           : sched::EstimateSource::Prior;
    return link;
}

// T_i, B_i and the fixed costs for the job's slaves from the estimator. Every strip carries up
// to two halos of rows: sent and computed once per strip, they are part of the fixed costs.
sched::Platform JobRunner::estimatesFor(const RunningJob &job, double unitBytes) const
{
    sched::Platform estimates;
    estimates.unitMB = unitBytes / 1e6;
    estimates.returnRatio = double(job.output.channels) / job.input->channels;
    const double haloMB = 2.0 * job.halo * job.input->rowBytes() / 1e6;
    for (const Slave &s : m_streamSlaves) {
        sched::SlaveSpec spec = sched::CostEstimator::slaveSpec(
            s.name, m_estimator.compute(s.rank, job.opClass),
            m_estimator.link(s.rank, linkFallback(s)), estimates.unitMB, haloMB);
        const double weight = s.weight > 0 ? s.weight : 1.0;
        spec.unitComputeS = std::max(1e-9, spec.unitComputeS / weight);
        spec.fixedComputeS /= weight;
        estimates.slaves.push_back(spec);
    }
    return estimates;
}

// The estimator plans a slave this job leaves out optimistically next time, so that an estimate
// from one size of strip cannot exclude it for good.
void JobRunner::noteLeftOut(const RunningJob &job)
{
    const std::vector<double> &shares = m_stream.job(job.sequence).plannedShares();
    std::vector<int> leftOut;
    for (size_t i = 0; i < shares.size() && i < m_streamSlaves.size(); ++i) {
        if (!(shares[i] > 0))
            leftOut.push_back(m_streamSlaves[i].rank);
    }
    m_estimator.setLeftOut(job.opClass, std::move(leftOut));
}

std::vector<sched::SlaveCostEstimate> JobRunner::costEstimates(std::int64_t nowMs) const
{
    std::vector<sched::SlaveCostEstimate> result;
    for (const Slave &s : m_slaves)
        result.push_back(m_estimator.slave(s.rank, s.name, linkFallback(s), nowMs));
    return result;
}

void JobRunner::publishStarted(const RunningJob &job, double predictedMakespanS)
{
    protocol::JobStartedEvent started;
    started.op = job.spec.op.name();
    started.strategy = sched::toString(job.spec.strategy);
    started.order = sched::toString(job.spec.order);
    started.units = job.units->units();
    const jobs::JobScheduler &scheduler = m_stream.job(job.sequence);
    for (size_t i = 0; i < m_streamSlaves.size(); ++i) {
        started.slaves.append(m_streamSlaves[i].name);
        started.plannedShares.push_back(qint64(scheduler.plannedShares()[i]));
    }
    started.predictedMakespanS = predictedMakespanS;
    publish(job, std::move(started));
}

void JobRunner::startJob(jobs::JobBoard::Running running, std::vector<Slave> available)
{
    if (m_jobs.empty()) { // a new stream: the platform of every job that joins it
        m_streamSlaves = std::move(available);
        m_lost.assign(m_streamSlaves.size(), false);
    }
    const image::ImageBuffer &in = *running.input;
    auto added = std::make_unique<RunningJob>();
    RunningJob &job = *added;
    job.id = running.id;
    job.spec = running.spec;
    job.input = running.input;
    job.halo = job.spec.op.haloRows();
    job.units = std::make_unique<image::UnitRows>(in.height, job.spec.tasks);
    job.output =
        image::ImageBuffer::allocate(in.width, in.height, job.spec.op.outputChannels(in.channels));
    const double unitBytes = double(in.height) / job.units->units() * in.width * in.channels;
    job.opClass = {job.spec.op.name(), in.channels, job.spec.op.relativeCost()};
    job.estimates = estimatesFor(job, unitBytes);
    jobs::JobScheduler::Settings settings;
    settings.strategy = job.spec.strategy;
    settings.pdds = job.spec.pdds;
    settings.order = job.spec.order;
    settings.seed = job.spec.seed;
    settings.units = job.units->units();
    // What the model predicts from the same estimates on idle slaves, so the console can put
    // the measured makespan next to it (the scheduler follows the simulator's rules).
    double predicted = 0;
    std::optional<jobs::JobStream::Work> work;
    job.startS = now();
    try {
        predicted = sim::runStrategy(job.estimates, job.estimates,
                                     {job.spec.strategy, job.spec.order, job.spec.pdds,
                                      job.spec.seed, double(settings.units)})
                        .timeline.makespan;
        job.sequence = m_stream.start(job.estimates, settings, job.startS, &work);
    } catch (const sched::SchedulingError &e) {
        const QString error =
            QStringLiteral("cannot plan the job: %1").arg(QString::fromUtf8(e.what()));
        protocol::JobFailedEvent failed;
        failed.error = error;
        publish(job, std::move(failed));
        m_board.fail(job.id, error, QDateTime::currentMSecsSinceEpoch());
        return;
    }
    noteLeftOut(job);
    m_jobs.emplace(job.sequence, std::move(added));
    publishStarted(job, predicted);
    m_board.progress(job.id, 0, job.units->units());
    keepSlavesEager();
    m_eagerTimer.start();
    perform(work);
}

// The strip of `chunk` (its rows and the halo its op needs), announced as assigned.
QByteArray JobRunner::stripFor(RunningJob &job, const jobs::JobChunk &chunk, qint64 *pixelBytes)
{
    const Slave &slave = m_streamSlaves[size_t(chunk.slave)];
    const jobs::StripAssignment strip = job.strip(chunk, m_standardMBps);
    *pixelBytes = strip.pixels.size();
    job.inputMB[chunk.id] = double(strip.pixels.size()) / 1e6;
    protocol::StripAssignedEvent assigned;
    assigned.chunk = chunk.id;
    assigned.slave = slave.name;
    assigned.rank = slave.rank;
    assigned.firstUnit = qint64(chunk.firstUnit);
    assigned.units = qint64(chunk.units);
    assigned.rowsBegin = strip.begin;
    assigned.rowsEnd = strip.end;
    publish(job, std::move(assigned));
    return strip.encode();
}

void JobRunner::perform(std::optional<jobs::JobStream::Work> work)
{
    if (!work || !m_jobs.count(work->job))
        return;
    RunningJob &job = *m_jobs.at(work->job);
    const jobs::JobChunk &chunk = m_stream.job(work->job).chunk(work->work.chunk);
    const Slave &slave = m_streamSlaves[size_t(chunk.slave)];
    m_port.emplace();
    m_port->job = work->job;
    m_port->work = work->work;
    qint64 bytes = 0;
    if (work->work.kind == PortKind::Send) {
        m_port->message = stripFor(job, chunk, &bytes);
    } else {
        const auto it = job.results.find(chunk.id);
        bytes = it == job.results.end() ? 0 : it->second.pixels.size();
    }
    if (work->work.kind == PortKind::Send && slave.emulatedLinkMBps <= 0 && slave.ownLink) {
        m_port->bytes = m_port->message.size();
        m_port->awaitingReceipt = true;
        m_transport.send(slave.rank, Tag::StripAssign, std::exchange(m_port->message, {}));
        return; // onStripReceived() (or the slave's loss) frees the port
    }
    const double seconds =
        slave.emulatedLinkMBps > 0 ? double(bytes) / (slave.emulatedLinkMBps * 1e6) : 0;
    m_port->due = now() + seconds;
    m_portTimer.start(int(std::floor(seconds * 1000)));
}

void JobRunner::onPortTimer()
{
    if (!m_port || m_port->awaitingReceipt)
        return;
    const double left = m_port->due - now();
    if (left > 0.0002) { // QTimer has millisecond steps; the port's time is exact
        m_portTimer.start(int(std::floor(left * 1000)));
        return;
    }
    m_transport.stayEager(kEagerMs);
    if (m_port->work.kind == PortKind::Send) {
        m_port->bytes = m_port->message.size();
        const jobs::JobChunk &chunk = m_stream.job(m_port->job).chunk(m_port->work.chunk);
        m_transport.send(m_streamSlaves[size_t(chunk.slave)].rank, Tag::StripAssign,
                         std::exchange(m_port->message, {}));
        finishSend();
        return;
    }
    finishReturn(*std::exchange(m_port, std::nullopt));
}

// The result's rows go into place; then the port is free.
void JobRunner::finishReturn(Port port)
{
    RunningJob &job = *m_jobs.at(port.job);
    const int chunkId = port.work.chunk;
    job.place(chunkId);
    perform(m_stream.returnFinished(port.job, chunkId, now()));
    const jobs::JobScheduler &scheduler = m_stream.job(port.job);
    const jobs::JobChunk &done = scheduler.chunk(chunkId);
    const Slave &slave = m_streamSlaves[size_t(done.slave)];
    const sched::ChunkRecord r = job.fromStart(done.record);
    protocol::StripDoneEvent finished;
    finished.chunk = done.id;
    finished.slave = slave.name;
    finished.rank = slave.rank;
    finished.firstUnit = qint64(done.firstUnit);
    finished.units = qint64(done.units);
    finished.sendStartS = jobs::micro(r.sendStart);
    finished.sendEndS = jobs::micro(r.sendEnd);
    finished.computeStartS = jobs::micro(r.computeStart);
    finished.computeEndS = jobs::micro(r.computeEnd);
    finished.returnStartS = jobs::micro(r.returnStart);
    finished.returnEndS = jobs::micro(r.returnEnd);
    publish(job, std::move(finished));
    m_board.progress(job.id, scheduler.unitsDone(), scheduler.units());
    checkFinished(port.job);
}

// The port's strip is with its slave (or the slave is gone): the port is free, and what the
// send took is that link's speed.
void JobRunner::finishSend()
{
    const Port port = *std::exchange(m_port, std::nullopt);
    const RunningJob &job = *m_jobs.at(port.job);
    const jobs::JobChunk &chunk = m_stream.job(port.job).chunk(port.work.chunk);
    const Slave &slave = m_streamSlaves[size_t(chunk.slave)];
    const double portS = now() - chunk.record.sendStart;
    if (portS > 0 && !m_lost[size_t(chunk.slave)])
        m_estimator.addSend(slave.rank, double(port.bytes) / 1e6, portS,
                            QDateTime::currentMSecsSinceEpoch());
    protocol::StripSentEvent sent;
    sent.chunk = chunk.id;
    sent.slave = slave.name;
    sent.rank = slave.rank;
    sent.sendEndS = now() - job.startS;
    publish(job, std::move(sent));
    perform(m_stream.sendFinished(port.job, port.work.chunk, now()));
}

void JobRunner::onStripReceived(int source, const QByteArray &payload)
{
    const auto receipt = jobs::StripReceipt::decode(payload);
    if (!receipt || !m_port || !m_port->awaitingReceipt || m_port->work.chunk != receipt->chunk ||
        m_jobs.at(m_port->job)->id != receipt->jobId)
        return; // late, for another job, or garbage
    const jobs::JobChunk &chunk = m_stream.job(m_port->job).chunk(receipt->chunk);
    if (m_streamSlaves[size_t(chunk.slave)].rank != source)
        return;
    m_transport.stayEager(kEagerMs);
    finishSend();
}

void JobRunner::onStripResult(int source, const QByteArray &payload)
{
    auto decoded = jobs::StripResult::decode(payload);
    if (decoded &&
        m_prober.onResult(source, *decoded, m_estimator, QDateTime::currentMSecsSinceEpoch())) {
        probeIdleSlaves(); // the next round while nothing runs, if one is due
        return;
    }
    RunningJob *found = decoded ? findJob(decoded->jobId) : nullptr;
    if (!found)
        return; // a late answer to a job that ended, or garbage: nothing to do with it
    RunningJob &job = *found;
    const jobs::JobScheduler &scheduler = m_stream.job(job.sequence);
    jobs::StripResult result = std::move(decoded).value();
    const int chunkId = result.chunk;
    if (chunkId < 0 || size_t(chunkId) >= scheduler.chunks().size())
        return;
    const jobs::JobChunk &chunk = scheduler.chunk(chunkId);
    const Slave &slave = m_streamSlaves[size_t(chunk.slave)];
    if (slave.rank != source)
        return;                                          // not the slave this chunk went to
    if (chunk.state != jobs::JobChunk::State::AtSlave) { // counted as late
        perform(m_stream.resultArrived(job.sequence, chunkId, result.computeS, now()));
        return;
    }
    if (const QString error = job.resultError(result, chunk, slave.name); !error.isEmpty()) {
        failJob(job.sequence, error);
        return;
    }
    if (const auto input = job.inputMB.find(chunkId); input != job.inputMB.end())
        m_estimator.addCompute(source, job.opClass, input->second, result.computeS,
                               QDateTime::currentMSecsSinceEpoch());
    const double computeS = result.computeS;
    job.results[chunkId] = std::move(result);
    m_transport.stayEager(kEagerMs);
    perform(m_stream.resultArrived(job.sequence, chunkId, computeS, now()));
}

// The slave is lost to every running job (they share the platform).
void JobRunner::loseSlave(int index, const QString &why)
{
    if (m_jobs.empty() || m_lost[size_t(index)])
        return;
    m_lost[size_t(index)] = true;
    std::map<int, std::pair<int, int>> before; // job -> chunks it held there, chunks in all
    for (const auto &[sequence, job] : m_jobs) {
        int held = 0;
        for (const jobs::JobChunk &c : m_stream.job(sequence).chunks()) {
            // A strip still on its way there is given back too (sendFinished sees the loss).
            held += c.slave == index && (c.state == jobs::JobChunk::State::Queued ||
                                         c.state == jobs::JobChunk::State::Sending ||
                                         c.state == jobs::JobChunk::State::AtSlave)
                        ? 1
                        : 0;
        }
        before[sequence] = {held, int(m_stream.job(sequence).chunks().size())};
    }
    const auto work = m_stream.slaveLost(index, now());
    for (const auto &[sequence, job] : m_jobs) {
        const auto [held, chunks] = before[sequence];
        job->reassigned += held;
        protocol::StripReassignedEvent reassigned;
        reassigned.slave = m_streamSlaves[size_t(index)].name;
        reassigned.rank = m_streamSlaves[size_t(index)].rank;
        reassigned.reason = why;
        reassigned.chunks = held;
        reassigned.newChunks = int(m_stream.job(sequence).chunks().size()) - chunks;
        publish(*job, std::move(reassigned));
    }
    // A strip on its way to the lost slave will never be confirmed: the port is free now.
    if (m_port && m_port->awaitingReceipt &&
        m_stream.job(m_port->job).chunk(m_port->work.chunk).slave == index)
        finishSend();
    else if (!m_port)
        perform(work);
    std::vector<int> running;
    for (const auto &[sequence, job] : m_jobs)
        running.push_back(sequence);
    for (const int sequence : running)
        checkFinished(sequence);
}

void JobRunner::checkFinished(int sequence)
{
    const auto it = m_jobs.find(sequence);
    if (it == m_jobs.end())
        return;
    const jobs::JobScheduler &scheduler = m_stream.job(sequence);
    if (scheduler.isStuck()) {
        failJob(sequence, QStringLiteral("every slave of the job was lost; submit it again"));
        return;
    }
    if (scheduler.isDone())
        finishJob(*it->second);
}

void JobRunner::finishJob(RunningJob &job)
{
    std::vector<jobs::JobSlave> slaves;
    for (const Slave &s : m_streamSlaves)
        slaves.push_back({s.name, s.rank});
    jobs::JobOutcome outcome = job.outcome(m_stream.job(job.sequence), std::move(slaves));
    protocol::JobDoneEvent finished;
    finished.makespanS = outcome.makespanS;
    finished.reassigned = job.reassigned;
    publish(job, std::move(finished));
    const QString id = job.id;
    const int sequence = job.sequence;
    m_prober.jobDone(job.spec.op, job.opClass, job.input->width);
    m_board.finish(id, std::move(outcome), QDateTime::currentMSecsSinceEpoch());
    m_jobs.erase(sequence);
    perform(m_stream.remove(sequence, now()));
    if (m_jobs.empty())
        m_eagerTimer.stop();
    wake();
    if (m_jobs.empty())
        m_probeTimer.start();
}

// Once nothing has run for a while, the slaves that are due a probe round of the op the last
// job ran get one.
void JobRunner::probeIdleSlaves()
{
    if (!m_jobs.empty() || m_stopped)
        return;
    std::vector<int> idle;
    for (const Slave &s : availableSlaves())
        idle.push_back(s.rank);
    m_prober.probe(idle);
}

void JobRunner::failJob(int sequence, const QString &error)
{
    const auto it = m_jobs.find(sequence);
    if (it == m_jobs.end())
        return;
    protocol::JobFailedEvent failed;
    failed.error = error;
    publish(*it->second, std::move(failed));
    m_board.fail(it->second->id, error, QDateTime::currentMSecsSinceEpoch());
    m_jobs.erase(it);
    if (m_port && m_port->job == sequence) { // its transfer is abandoned; the port is free
        m_port.reset();
        m_portTimer.stop();
    }
    perform(m_stream.remove(sequence, now()));
    if (m_jobs.empty())
        m_eagerTimer.stop();
    wake();
}

void JobRunner::stop()
{
    m_stopped = true;
    m_wakeTimer.stop();
    while (!m_jobs.empty())
        failJob(m_jobs.begin()->first,
                QStringLiteral("the cluster shut down during the job; it runs again when the "
                               "cluster is restarted in the same run directory"));
}

} // namespace starling::mpi
