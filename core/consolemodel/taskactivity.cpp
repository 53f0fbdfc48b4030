#include "taskactivity.h"

#include "protocol/jobevents.h"
#include "util/oneline.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace starling::consolemodel {

namespace {

constexpr int kMaxSlaves = 4096;
constexpr qsizetype kMaxName = 64;

// A finite, non-negative value if the event had one, or `fallback`.
double nonNegative(const std::optional<double> &value, double fallback)
{
    return value && std::isfinite(*value) && *value >= 0 ? *value : fallback;
}

} // namespace

long long LiveJob::unitsDone() const
{
    long long done = 0;
    for (const LiveStrip &s : strips)
        done += s.state == LiveStrip::State::Done ? s.units : 0;
    return done;
}

double LiveJob::elapsedS(qint64 nowMs) const
{
    if (state != State::Running)
        return endedS;
    return std::max(0.0, double(nowMs - startedMs) / 1000);
}

std::vector<StripBar> LiveJob::bars(qint64 nowMs) const
{
    using Phase = StripBar::Phase;
    const double now = elapsedS(nowMs);
    std::vector<StripBar> out;
    for (const LiveStrip &s : strips) {
        const auto add = [&](double from, double to, Phase phase, bool live) {
            if (to >= from)
                out.push_back({s.slave, from, to, phase, live});
        };
        switch (s.state) {
        case LiveStrip::State::Sending:
            add(s.sendStart, now, Phase::Send, true);
            break;
        case LiveStrip::State::Computing:
            add(s.sendStart, s.sendEnd, Phase::Send, false);
            add(s.sendEnd, now, Phase::Compute, true);
            break;
        case LiveStrip::State::Done:
            add(s.sendStart, s.sendEnd, Phase::Send, false);
            add(s.computeStart, s.computeEnd, Phase::Compute, false);
            if (s.returnEnd > s.returnStart)
                add(s.returnStart, s.returnEnd, Phase::Return, false);
            break;
        case LiveStrip::State::Reassigned:
        case LiveStrip::State::Failed: {
            const Phase phase =
                s.state == LiveStrip::State::Failed ? Phase::Failed : Phase::Reassigned;
            if (s.sendEnd >= 0) {
                add(s.sendStart, s.sendEnd, Phase::Send, false);
                add(s.sendEnd, s.endedAt, phase, false);
            } else {
                add(s.sendStart, s.endedAt, phase, false);
            }
            break;
        }
        }
    }
    return out;
}

int LiveTransfer::slaveIndex(const QString &name)
{
    const qsizetype at = slaves.indexOf(name);
    if (at >= 0)
        return int(at);
    slaves.append(name);
    return int(slaves.size() - 1);
}

TaskActivity::TaskActivity(int keptJobs, int keptTransfers)
    : m_keptJobs(std::max(1, keptJobs)), m_keptTransfers(std::max(1, keptTransfers))
{}

void TaskActivity::clear()
{
    m_job = {};
    m_finished.clear();
    m_transfers.clear();
}

const LiveTransfer *TaskActivity::currentTransfer() const
{
    const LiveTransfer *latest = nullptr;
    for (const LiveTransfer &t : m_transfers) {
        if (!latest || t.lastMs >= latest->lastMs)
            latest = &t;
    }
    return latest;
}

bool TaskActivity::apply(const QJsonObject &event)
{
    using protocol::EventKind;
    const std::optional<EventKind> kind = protocol::kindOf(event);
    if (!kind)
        return false;
    switch (*kind) {
    case EventKind::JobStarted:
        return applyTyped<protocol::JobStartedEvent>(event);
    case EventKind::StripAssigned:
        return applyTyped<protocol::StripAssignedEvent>(event);
    case EventKind::StripSent:
        return applyTyped<protocol::StripSentEvent>(event);
    case EventKind::StripDone:
        return applyTyped<protocol::StripDoneEvent>(event);
    case EventKind::StripReassigned:
        return applyTyped<protocol::StripReassignedEvent>(event);
    case EventKind::JobDone:
        return applyTyped<protocol::JobDoneEvent>(event);
    case EventKind::JobFailed:
        return applyTyped<protocol::JobFailedEvent>(event);
    case EventKind::TransferPlanned:
        return applyTyped<protocol::TransferPlannedEvent>(event);
    case EventKind::TransferBlock:
        return applyTyped<protocol::TransferBlockEvent>(event);
    default:
        return false;
    }
}

template<typename Event> bool TaskActivity::applyTyped(const QJsonObject &event)
{
    const Expected<Event> typed = Event::fromJson(event);
    return typed && on(*typed);
}

bool TaskActivity::on(const protocol::JobStartedEvent &e)
{
    if (e.job.isEmpty() || e.slaves.isEmpty() || e.slaves.size() > kMaxSlaves || e.units < 1)
        return false;
    LiveJob j;
    j.id = util::oneLine(e.job, kMaxName);
    j.op = util::oneLine(e.op, kMaxName);
    j.strategy = util::oneLine(e.strategy, kMaxName);
    j.order = util::oneLine(e.order, kMaxName);
    j.units = e.units;
    for (const QString &name : e.slaves)
        j.slaves.append(util::oneLine(name, kMaxName));
    for (const qint64 share : e.plannedShares)
        j.plannedShares.push_back(share);
    j.predictedS = e.predictedMakespanS;
    j.startedMs = e.timeMs;
    m_job = std::move(j);
    return true;
}

// The running job's strip events: for another job, or after the end, they change nothing.
bool TaskActivity::isForRunningJob(const QString &job) const
{
    return !m_job.id.isEmpty() && (job.isEmpty() || util::oneLine(job, kMaxName) == m_job.id) &&
           m_job.state == LiveJob::State::Running;
}

double TaskActivity::secondsIntoJob(qint64 timeMs) const
{
    return std::max(0.0, double(timeMs - m_job.startedMs) / 1000);
}

LiveStrip *TaskActivity::stripOf(int chunk)
{
    const auto it = m_job.stripOfChunk.find(chunk);
    return it == m_job.stripOfChunk.end() ? nullptr : &m_job.strips[it->second];
}

bool TaskActivity::on(const protocol::StripAssignedEvent &e)
{
    if (!isForRunningJob(e.job))
        return false;
    const int slave = int(m_job.slaves.indexOf(util::oneLine(e.slave, kMaxName)));
    if (e.chunk < 0 || slave < 0 || e.firstUnit < 0 || e.units < 1 || stripOf(e.chunk) ||
        m_job.strips.size() >= size_t(m_job.units) + size_t(kMaxSlaves) * 4)
        return false;
    LiveStrip s;
    s.chunk = e.chunk;
    s.slave = slave;
    s.firstUnit = e.firstUnit;
    s.units = e.units;
    s.sendStart = secondsIntoJob(e.timeMs);
    m_job.stripOfChunk[e.chunk] = m_job.strips.size();
    m_job.strips.push_back(s);
    return true;
}

bool TaskActivity::on(const protocol::StripSentEvent &e)
{
    LiveStrip *s = isForRunningJob(e.job) ? stripOf(e.chunk) : nullptr;
    if (!s || s->state != LiveStrip::State::Sending)
        return false;
    s->sendEnd = std::max(s->sendStart, nonNegative(e.sendEndS, secondsIntoJob(e.timeMs)));
    s->state = LiveStrip::State::Computing;
    return true;
}

bool TaskActivity::on(const protocol::StripDoneEvent &e)
{
    LiveStrip *s = isForRunningJob(e.job) ? stripOf(e.chunk) : nullptr;
    if (!s || s->state == LiveStrip::State::Done)
        return false;
    // The master's own record of the phases replaces what the live events suggested.
    s->sendStart = nonNegative(e.sendStartS, s->sendStart);
    s->sendEnd = nonNegative(e.sendEndS, std::max(s->sendStart, s->sendEnd));
    s->computeStart = nonNegative(e.computeStartS, s->sendEnd);
    s->computeEnd = nonNegative(e.computeEndS, secondsIntoJob(e.timeMs));
    s->returnStart = nonNegative(e.returnStartS, s->computeEnd);
    s->returnEnd = nonNegative(e.returnEndS, s->returnStart);
    s->state = LiveStrip::State::Done;
    return true;
}

bool TaskActivity::on(const protocol::StripReassignedEvent &e)
{
    const int slave = int(m_job.slaves.indexOf(util::oneLine(e.slave, kMaxName)));
    if (!isForRunningJob(e.job) || slave < 0)
        return false;
    const double nowS = secondsIntoJob(e.timeMs);
    for (LiveStrip &s : m_job.strips) {
        if (s.slave == slave && s.state != LiveStrip::State::Done &&
            s.state != LiveStrip::State::Reassigned) {
            s.state = LiveStrip::State::Reassigned;
            s.endedAt = nowS;
            ++m_job.reassignedChunks;
        }
    }
    return true;
}

std::optional<double> FinishedJob::predictionError() const
{
    if (!(predictedS > 0) || !std::isfinite(predictedS) || !(makespanS >= 0))
        return std::nullopt;
    return (makespanS - predictedS) / predictedS;
}

bool TaskActivity::on(const protocol::JobDoneEvent &e)
{
    if (!isForRunningJob(e.job))
        return false;
    m_job.makespanS = nonNegative(e.makespanS, secondsIntoJob(e.timeMs));
    endJob(LiveJob::State::Done, m_job.makespanS);
    m_finished.push_back({m_job.id, m_job.strategy, m_job.order, m_job.units, m_job.makespanS,
                          m_job.predictedS, e.timeMs, m_job.op});
    while (m_finished.size() > size_t(m_keptJobs))
        m_finished.pop_front();
    return true;
}

bool TaskActivity::on(const protocol::JobFailedEvent &e)
{
    if (!isForRunningJob(e.job))
        return false;
    m_job.makespanS = 0;
    m_job.error = util::oneLine(e.error, 300);
    endJob(LiveJob::State::Failed, secondsIntoJob(e.timeMs));
    return true;
}

// Strips still on their way or computing end with the job, failed.
void TaskActivity::endJob(LiveJob::State state, double endedS)
{
    m_job.state = state;
    m_job.endedS = endedS;
    for (LiveStrip &s : m_job.strips) {
        if (s.state == LiveStrip::State::Sending || s.state == LiveStrip::State::Computing) {
            s.state = LiveStrip::State::Failed;
            s.endedAt = endedS;
        }
    }
}

bool TaskActivity::on(const protocol::TransferPlannedEvent &e)
{
    const QString id = util::oneLine(e.transferId, kMaxName);
    if (id.isEmpty() || e.blocks < 1 || e.blocks > LiveTransfer::kMaxBlocks)
        return false;
    LiveTransfer t;
    t.id = id;
    t.path = util::oneLine(e.path, 300);
    t.strategy = util::oneLine(e.strategy, kMaxName);
    t.size = std::max<qint64>(0, e.size);
    t.pieceSize = std::max<qint64>(0, e.pieceSize);
    t.plannedOwner.assign(size_t(e.blocks), -1);
    t.servedBy.assign(size_t(e.blocks), -1);
    for (const protocol::TransferPlannedEvent::Run &run : e.runs) {
        if (run.firstBlock + run.count > e.blocks || t.slaves.size() >= kMaxSlaves)
            continue;
        const int owner = t.slaveIndex(util::oneLine(run.slave, kMaxName));
        std::fill_n(t.plannedOwner.begin() + qsizetype(run.firstBlock), qsizetype(run.count),
                    owner);
    }
    t.startedMs = t.lastMs = e.timeMs;
    m_transfers.erase(std::remove_if(m_transfers.begin(), m_transfers.end(),
                                     [&](const LiveTransfer &o) { return o.id == id; }),
                      m_transfers.end());
    m_transfers.push_back(std::move(t));
    while (m_transfers.size() > size_t(m_keptTransfers))
        m_transfers.pop_front();
    return true;
}

bool TaskActivity::on(const protocol::TransferBlockEvent &e)
{
    const QString id = util::oneLine(e.transferId, kMaxName);
    const auto it = std::find_if(m_transfers.begin(), m_transfers.end(),
                                 [&](const LiveTransfer &o) { return o.id == id; });
    if (id.isEmpty() || it == m_transfers.end() || e.block < 0 ||
        e.block >= qint64(it->servedBy.size()) || !e.complete)
        return false;
    const QString node = util::oneLine(e.node, kMaxName);
    if (node.isEmpty() || (it->slaves.size() >= kMaxSlaves && !it->slaves.contains(node)))
        return false;
    int &servedBy = it->servedBy[size_t(e.block)];
    if (servedBy < 0)
        ++it->served;
    servedBy = it->slaveIndex(node);
    it->lastMs = std::max(it->lastMs, e.timeMs);
    return true;
}

} // namespace starling::consolemodel
