#include "jobrunner.h"

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
#include <cstring>

namespace starling::mpi {

namespace {

constexpr double kUnknownLinkMBps = 1000; // a link nobody measured: fast, so compute decides
constexpr double kSmoothing = 0.5;        // weight of the newest observation
constexpr int kNoSlaveGiveUpMs = 30000;   // a queued job waits this long for an ACTIVE slave
constexpr int kEagerMs = 2000;

using PortKind = jobs::JobScheduler::PortWork::Kind;

double ewma(std::map<int, double> &table, int rank, double sample)
{
    const auto it = table.find(rank);
    const double value =
        it == table.end() ? sample : kSmoothing * sample + (1 - kSmoothing) * it->second;
    table[rank] = value;
    return value;
}

} // namespace

struct JobRunner::Current
{
    QString id;
    jobs::JobSpec spec;
    std::shared_ptr<const image::ImageBuffer> input;
    image::ImageBuffer output;
    int halo = 0;
    std::unique_ptr<image::UnitRows> units;
    std::vector<Slave> slaves; // the scheduler's platform, in this order
    std::unique_ptr<jobs::JobScheduler> scheduler;
    QElapsedTimer clock;
    double unitStandardS = 0;
    sched::Platform estimates;
    // The port's current work: when it ends, and the strip it sends.
    std::optional<jobs::JobScheduler::PortWork> port;
    double portDue = 0;
    QByteArray portMessage;
    qint64 portBytes = 0;         // of the strip being sent
    bool awaitingReceipt = false; // the strip left; the port is free when the slave has it
    std::map<int, jobs::StripResult> results; // chunk -> result waiting for or in its return
    std::map<int, double> standardS;          // chunk -> its standard cost
    std::vector<bool> lost;                   // per slave of the job
    int reassigned = 0;
};

JobRunner::JobRunner(Transport &transport, jobs::JobBoard &board, double standardMBps,
                     QObject *parent)
    : QObject(parent), m_transport(transport), m_board(board),
      m_standardMBps(standardMBps > 0 ? standardMBps : 20)
{
    m_portTimer.setSingleShot(true);
    m_portTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_portTimer, &QTimer::timeout, this, &JobRunner::onPortTimer);
    m_wakeTimer.setInterval(500);
    connect(&m_wakeTimer, &QTimer::timeout, this, &JobRunner::wake);
    m_eagerTimer.setInterval(kEagerMs / 2);
    connect(&m_eagerTimer, &QTimer::timeout, this, &JobRunner::keepSlavesEager);
}

JobRunner::~JobRunner() = default;

double JobRunner::now() const
{
    return m_job ? double(m_job->clock.nsecsElapsed()) / 1e9 : 0;
}

template<typename Event> void JobRunner::publish(Event e)
{
    e.timeMs = QDateTime::currentMSecsSinceEpoch();
    if (m_job)
        e.job = m_job->id;
    emit event(e.toJson());
}

// A slave that polls MPI slowly (it backs off to 20 ms when idle) would receive each strip
// late; while a job runs, its slaves are told to poll fast, like the master does.
void JobRunner::keepSlavesEager()
{
    if (!m_job)
        return;
    m_transport.stayEager(kEagerMs);
    for (size_t i = 0; i < m_job->slaves.size(); ++i) {
        if (!m_job->lost[i])
            m_transport.send(m_job->slaves[i].rank, Tag::Wake, protocol::Wake{kEagerMs}.toJson());
    }
}

void JobRunner::setSlaves(std::vector<Slave> slaves)
{
    m_slaves = std::move(slaves);
    if (m_job) {
        for (size_t i = 0; i < m_job->slaves.size() && m_job; ++i) {
            const int rank = m_job->slaves[i].rank;
            const auto it = std::find_if(m_slaves.begin(), m_slaves.end(),
                                         [rank](const Slave &s) { return s.rank == rank; });
            if (it == m_slaves.end() || !it->alive)
                loseSlave(int(i), QStringLiteral("stopped answering"));
        }
    }
    wake();
}

void JobRunner::wake()
{
    if (m_stopped || m_job || m_board.queuedCount() == 0) {
        m_wakeTimer.stop();
        return;
    }
    const bool anyAvailable =
        std::any_of(m_slaves.begin(), m_slaves.end(), [](const Slave &s) { return s.available; });
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (!anyAvailable) {
        if (m_noSlaveSinceMs == 0)
            m_noSlaveSinceMs = nowMs;
        if (nowMs - m_noSlaveSinceMs < kNoSlaveGiveUpMs) {
            m_wakeTimer.start(); // a slave may come back (resume, recovery, start-up)
            return;
        }
    }
    m_noSlaveSinceMs = 0;
    auto running = m_board.startNext(nowMs);
    if (!running)
        return;
    if (!anyAvailable) {
        m_board.fail(running->id,
                     QStringLiteral("no slave took image work for %1 s (none is ACTIVE); "
                                    "resume a slave and submit again")
                         .arg(kNoSlaveGiveUpMs / 1000),
                     nowMs);
        wake();
        return;
    }
    startJob(std::move(running).value());
}

// T_i and B_i for the job's slaves: what this runner observed on earlier jobs, else what the
// monitor measured, else the profile's link, else a standard slave on an unknown link.
sched::Platform JobRunner::estimatesFor(const Current &job, double unitBytes) const
{
    sched::Platform estimates;
    estimates.unitMB = unitBytes / 1e6;
    estimates.returnRatio = double(job.output.channels) / job.input->channels;
    for (const Slave &s : job.slaves) {
        const auto observed = m_observedSlowness.find(s.rank);
        const double slowness = observed != m_observedSlowness.end() ? observed->second
                                : s.slowness > 0                     ? s.slowness
                                                                     : 1.0;
        const auto link = m_observedLinkMBps.find(s.rank);
        const double mbps = link != m_observedLinkMBps.end() ? link->second
                            : s.linkMBps > 0                 ? s.linkMBps
                            : s.emulatedLinkMBps > 0         ? s.emulatedLinkMBps
                                                             : kUnknownLinkMBps;
        const double weight = s.weight > 0 ? s.weight : 1.0;
        estimates.slaves.push_back(
            {s.name, std::max(1e-9, slowness * job.unitStandardS / weight), mbps});
    }
    return estimates;
}

void JobRunner::publishStarted(const Current &job, double predictedMakespanS)
{
    protocol::JobStartedEvent started;
    started.op = job.spec.op.name();
    started.strategy = sched::toString(job.spec.strategy);
    started.order = sched::toString(job.spec.order);
    started.units = job.units->units();
    for (size_t i = 0; i < job.slaves.size(); ++i) {
        started.slaves.append(job.slaves[i].name);
        started.plannedShares.push_back(qint64(job.scheduler->plannedShares()[i]));
    }
    started.predictedMakespanS = predictedMakespanS;
    publish(std::move(started));
}

void JobRunner::startJob(jobs::JobBoard::Running running)
{
    const image::ImageBuffer &in = *running.input;
    m_job = std::make_unique<Current>();
    Current &job = *m_job;
    job.id = running.id;
    job.spec = running.spec;
    job.input = running.input;
    job.halo = job.spec.op.haloRows();
    job.units = std::make_unique<image::UnitRows>(in.height, job.spec.tasks);
    job.output =
        image::ImageBuffer::allocate(in.width, in.height, job.spec.op.outputChannels(in.channels));
    for (const Slave &s : m_slaves) {
        if (s.available)
            job.slaves.push_back(s);
    }
    job.lost.assign(job.slaves.size(), false);
    const double unitBytes = double(in.height) / job.units->units() * in.width * in.channels;
    job.unitStandardS = unitBytes * job.spec.op.relativeCost() / (m_standardMBps * 1e6);

    const sched::Platform estimates = estimatesFor(job, unitBytes);
    jobs::JobScheduler::Settings settings;
    settings.strategy = job.spec.strategy;
    settings.pdds = job.spec.pdds;
    settings.order = job.spec.order;
    settings.seed = job.spec.seed;
    settings.units = job.units->units();
    job.estimates = estimates;
    // What the model predicts from the same estimates, so the console can put the measured
    // makespan next to it (the scheduler follows the simulator's rules event for event).
    double predicted = 0;
    try {
        job.scheduler = std::make_unique<jobs::JobScheduler>(estimates, settings);
        predicted = sim::runStrategy(estimates, estimates,
                                     {job.spec.strategy, job.spec.order, job.spec.pdds,
                                      job.spec.seed, double(settings.units)})
                        .timeline.makespan;
    } catch (const sched::SchedulingError &e) {
        failJob(QStringLiteral("cannot plan the job: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    publishStarted(job, predicted);
    m_board.progress(job.id, 0, job.units->units());
    keepSlavesEager();
    m_eagerTimer.start();
    job.clock.start();
    perform(job.scheduler->start(0));
}

void JobRunner::perform(std::optional<jobs::JobScheduler::PortWork> work)
{
    if (!m_job || !work)
        return;
    Current &job = *m_job;
    const jobs::JobChunk &chunk = job.scheduler->chunk(work->chunk);
    const Slave &slave = job.slaves[size_t(chunk.slave)];
    qint64 bytes = 0;
    if (work->kind == PortKind::Send) {
        const image::ImageBuffer &in = *job.input;
        const image::RowRange rows = job.units->span(int(chunk.firstUnit), int(chunk.units));
        const image::RowRange halo = image::withHalo(rows, job.halo, in.height);
        jobs::StripAssignment strip;
        strip.jobId = job.id;
        strip.chunk = chunk.id;
        strip.op = job.spec.op.toJson();
        strip.width = in.width;
        strip.channels = in.channels;
        strip.imageHeight = in.height;
        strip.begin = rows.begin;
        strip.end = rows.end;
        strip.haloTop = rows.begin - halo.begin;
        strip.haloBottom = halo.end - rows.end;
        strip.units = double(chunk.units);
        strip.standardS = double(rows.size()) * in.rowBytes() * job.spec.op.relativeCost() /
                          (m_standardMBps * 1e6);
        strip.pixels = in.pixels.mid(qsizetype(halo.begin) * in.rowBytes(),
                                     qsizetype(halo.size()) * in.rowBytes());
        bytes = strip.pixels.size();
        job.standardS[chunk.id] = strip.standardS;
        job.portMessage = strip.encode();
        protocol::StripAssignedEvent assigned;
        assigned.chunk = chunk.id;
        assigned.slave = slave.name;
        assigned.rank = slave.rank;
        assigned.firstUnit = qint64(chunk.firstUnit);
        assigned.units = qint64(chunk.units);
        assigned.rowsBegin = qint64(rows.begin);
        assigned.rowsEnd = qint64(rows.end);
        publish(std::move(assigned));
    } else {
        const auto it = job.results.find(chunk.id);
        bytes = it == job.results.end() ? 0 : it->second.pixels.size();
    }
    job.port = work;
    if (work->kind == PortKind::Send && slave.emulatedLinkMBps <= 0 && slave.ownLink) {
        job.portBytes = job.portMessage.size();
        job.awaitingReceipt = true;
        m_transport.send(slave.rank, Tag::StripAssign, std::exchange(job.portMessage, {}));
        return; // onStripReceived() (or the slave's loss) frees the port
    }
    const double seconds =
        slave.emulatedLinkMBps > 0 ? double(bytes) / (slave.emulatedLinkMBps * 1e6) : 0;
    job.portDue = now() + seconds;
    m_portTimer.start(int(std::floor(seconds * 1000)));
}

void JobRunner::onPortTimer()
{
    if (!m_job || !m_job->port)
        return;
    Current &job = *m_job;
    const double left = job.portDue - now();
    if (left > 0.0002) { // QTimer has millisecond steps; the port's time is exact
        m_portTimer.start(int(std::floor(left * 1000)));
        return;
    }
    m_transport.stayEager(kEagerMs);
    const jobs::JobScheduler::PortWork work = *job.port;
    if (work.kind == PortKind::Send) {
        job.portBytes = job.portMessage.size();
        const jobs::JobChunk &chunk = job.scheduler->chunk(work.chunk);
        m_transport.send(job.slaves[size_t(chunk.slave)].rank, Tag::StripAssign,
                         std::exchange(job.portMessage, {}));
        finishSend();
        return;
    }
    job.port.reset();
    const jobs::JobChunk &chunk = job.scheduler->chunk(work.chunk);
    const Slave &slave = job.slaves[size_t(chunk.slave)];
    // The result's rows go into place; then the port is free.
    const auto it = job.results.find(work.chunk);
    if (it != job.results.end()) {
        const jobs::StripResult &r = it->second;
        const qsizetype rowBytes = job.output.rowBytes();
        std::memcpy(job.output.pixels.data() + qsizetype(r.begin) * rowBytes, r.pixels.constData(),
                    size_t(r.pixels.size()));
        job.results.erase(it);
    }
    perform(job.scheduler->returnFinished(work.chunk, now()));
    if (!m_job)
        return;
    const jobs::JobChunk &done = m_job->scheduler->chunk(work.chunk);
    const sched::ChunkRecord &r = done.record;
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
    publish(std::move(finished));
    m_board.progress(m_job->id, m_job->scheduler->unitsDone(), m_job->scheduler->units());
    checkFinished();
}

// The port's strip is with its slave (or the slave is gone): the port is free, and what the
// send took is that link's speed.
void JobRunner::finishSend()
{
    Current &job = *m_job;
    const jobs::JobScheduler::PortWork work = *job.port;
    job.port.reset();
    job.awaitingReceipt = false;
    const jobs::JobChunk &chunk = job.scheduler->chunk(work.chunk);
    const Slave &slave = job.slaves[size_t(chunk.slave)];
    const double portS = now() - chunk.record.sendStart;
    if (portS > 0 && !job.lost[size_t(chunk.slave)]) {
        ewma(m_observedLinkMBps, slave.rank, double(job.portBytes) / portS / 1e6);
        sched::AffineEstimate &link = m_observed[slave.rank].link;
        link.samples += 1;
        link.lastSampleMs = QDateTime::currentMSecsSinceEpoch();
    }
    protocol::StripSentEvent sent;
    sent.chunk = chunk.id;
    sent.slave = slave.name;
    sent.rank = slave.rank;
    sent.sendEndS = now();
    publish(std::move(sent));
    perform(job.scheduler->sendFinished(work.chunk, now()));
}

void JobRunner::onStripReceived(int source, const QByteArray &payload)
{
    const auto receipt = jobs::StripReceipt::decode(payload);
    if (!m_job || !receipt || receipt->jobId != m_job->id || !m_job->awaitingReceipt ||
        !m_job->port || m_job->port->chunk != receipt->chunk)
        return; // late, for another job, or garbage
    const jobs::JobChunk &chunk = m_job->scheduler->chunk(receipt->chunk);
    if (m_job->slaves[size_t(chunk.slave)].rank != source)
        return;
    m_transport.stayEager(kEagerMs);
    finishSend();
}

void JobRunner::onStripResult(int source, const QByteArray &payload)
{
    auto decoded = jobs::StripResult::decode(payload);
    if (!m_job || !decoded || decoded->jobId != m_job->id)
        return; // a late answer to a job that ended, or garbage: nothing to do with it
    Current &job = *m_job;
    jobs::StripResult result = std::move(decoded).value();
    const int chunkId = result.chunk;
    if (chunkId < 0 || size_t(chunkId) >= job.scheduler->chunks().size())
        return;
    const jobs::JobChunk &chunk = job.scheduler->chunk(chunkId);
    if (job.slaves[size_t(chunk.slave)].rank != source)
        return; // not the slave this chunk went to
    if (chunk.state != jobs::JobChunk::State::AtSlave) {
        job.scheduler->resultArrived(chunkId, result.computeS, now()); // counted as late
        return;
    }
    if (!result.error.isEmpty()) {
        failJob(QStringLiteral("%1 could not compute rows %2-%3: %4")
                    .arg(job.slaves[size_t(chunk.slave)].name)
                    .arg(result.begin)
                    .arg(result.end)
                    .arg(result.error));
        return;
    }
    const image::RowRange rows = job.units->span(int(chunk.firstUnit), int(chunk.units));
    if (result.begin != rows.begin || result.end != rows.end || result.width != job.output.width ||
        result.channels != job.output.channels) {
        failJob(QStringLiteral("%1 answered chunk %2 with rows %3-%4 of %5 channels, expected "
                               "rows %6-%7 of %8")
                    .arg(job.slaves[size_t(chunk.slave)].name)
                    .arg(chunkId)
                    .arg(result.begin)
                    .arg(result.end)
                    .arg(result.channels)
                    .arg(rows.begin)
                    .arg(rows.end)
                    .arg(job.output.channels));
        return;
    }
    if (const auto standard = job.standardS.find(chunkId);
        standard != job.standardS.end() && standard->second > 0) {
        ewma(m_observedSlowness, source, result.computeS / standard->second);
        noteComputeSample(source, job);
    }
    const double computeS = result.computeS;
    job.results[chunkId] = std::move(result);
    m_transport.stayEager(kEagerMs);
    perform(job.scheduler->resultArrived(chunkId, computeS, now()));
}

void JobRunner::noteComputeSample(int rank, const Current &job)
{
    std::vector<sched::OpCostEstimate> &ops = m_observed[rank].ops;
    const QString op = job.spec.op.name();
    auto it = std::find_if(ops.begin(), ops.end(), [&](const sched::OpCostEstimate &o) {
        return o.op == op && o.channels == job.input->channels;
    });
    if (it == ops.end())
        it = ops.insert(ops.end(), sched::OpCostEstimate{op, job.input->channels, {}});
    it->compute.perMBS = job.spec.op.relativeCost() / m_standardMBps;
    it->compute.samples += 1;
    it->compute.lastSampleMs = QDateTime::currentMSecsSinceEpoch();
}

std::vector<sched::SlaveCostEstimate> JobRunner::costEstimates(std::int64_t) const
{
    std::vector<sched::SlaveCostEstimate> out;
    for (auto [rank, seen] : m_observed) {
        seen.rank = rank;
        for (const Slave &s : m_slaves)
            seen.name = s.rank == rank ? s.name : seen.name;
        const auto slowness = m_observedSlowness.find(rank);
        for (sched::OpCostEstimate &op : seen.ops) {
            op.compute.perMBS *= slowness != m_observedSlowness.end() ? slowness->second : 1.0;
            op.compute.confidence = op.compute.samples / (op.compute.samples + 3);
            op.compute.source = sched::EstimateSource::Measured;
        }
        const auto link = m_observedLinkMBps.find(rank);
        seen.link.perMBS = link != m_observedLinkMBps.end() ? 1 / link->second : 0;
        seen.link.confidence = seen.link.samples / (seen.link.samples + 3);
        seen.link.source =
            seen.link.samples > 0 ? sched::EstimateSource::Measured : sched::EstimateSource::Prior;
        out.push_back(std::move(seen));
    }
    return out;
}

void JobRunner::loseSlave(int index, const QString &why)
{
    if (!m_job || m_job->lost[size_t(index)])
        return;
    Current &job = *m_job;
    job.lost[size_t(index)] = true;
    int held = 0;
    for (const jobs::JobChunk &c : job.scheduler->chunks()) {
        held += c.slave == index && (c.state == jobs::JobChunk::State::Queued ||
                                     c.state == jobs::JobChunk::State::AtSlave)
                    ? 1
                    : 0;
    }
    const int before = int(job.scheduler->chunks().size());
    const auto work = job.scheduler->slaveLost(index, now());
    job.reassigned += held;
    protocol::StripReassignedEvent reassigned;
    reassigned.slave = job.slaves[size_t(index)].name;
    reassigned.rank = job.slaves[size_t(index)].rank;
    reassigned.reason = why;
    reassigned.chunks = held;
    reassigned.newChunks = int(job.scheduler->chunks().size()) - before;
    publish(std::move(reassigned));
    // A strip on its way to the lost slave will never be confirmed: the port is free now.
    if (job.port && job.awaitingReceipt && job.scheduler->chunk(job.port->chunk).slave == index)
        finishSend();
    else if (!job.port)
        perform(work);
    if (m_job)
        checkFinished();
}

void JobRunner::checkFinished()
{
    if (!m_job)
        return;
    Current &job = *m_job;
    if (job.scheduler->isStuck()) {
        failJob(QStringLiteral("every slave of the job was lost; submit it again"));
        return;
    }
    if (!job.scheduler->isDone())
        return;
    jobs::JobOutcome outcome;
    const sched::Timeline timeline = job.scheduler->timeline();
    for (const jobs::JobChunk &c : job.scheduler->chunks()) {
        if (c.state == jobs::JobChunk::State::Done)
            outcome.chunks.push_back(c);
    }
    for (const Slave &s : job.slaves)
        outcome.slaves.push_back({s.name, s.rank});
    outcome.plannedShares = job.scheduler->plannedShares();
    outcome.sendOrder = job.scheduler->sendOrder();
    outcome.estimates = job.estimates;
    outcome.makespanS = timeline.makespan;
    outcome.lateResults = job.scheduler->lateResults();
    outcome.reassignedChunks = job.reassigned;
    outcome.output = std::move(job.output);
    const QString id = job.id;
    protocol::JobDoneEvent finished;
    finished.makespanS = timeline.makespan;
    finished.reassigned = job.reassigned;
    publish(std::move(finished));
    m_board.finish(id, std::move(outcome), QDateTime::currentMSecsSinceEpoch());
    m_job.reset();
    m_portTimer.stop();
    m_eagerTimer.stop();
    wake();
}

void JobRunner::failJob(const QString &error)
{
    if (!m_job)
        return;
    protocol::JobFailedEvent failed;
    failed.error = error;
    publish(std::move(failed));
    m_board.fail(m_job->id, error, QDateTime::currentMSecsSinceEpoch());
    m_job.reset();
    m_portTimer.stop();
    m_eagerTimer.stop();
    wake();
}

void JobRunner::stop()
{
    m_stopped = true;
    m_wakeTimer.stop();
    failJob(QStringLiteral("the cluster shut down during the job; it runs again when the "
                           "cluster is restarted in the same run directory"));
}

} // namespace starling::mpi
