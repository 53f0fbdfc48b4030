#include "taskactivity.h"

#include "util/oneline.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace starling::console {

namespace {

constexpr int kMaxSlaves = 4096;
constexpr qsizetype kMaxName = 64;

// A finite, non-negative number, or `fallback`.
double number(const QJsonObject &o, QStringView key, double fallback = -1)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return fallback;
    const double d = v.toDouble();
    return std::isfinite(d) && d >= 0 ? d : fallback;
}

QString text(const QJsonObject &o, QStringView key, int maxLength = kMaxName)
{
    return util::oneLine(o.value(key).toString(), maxLength);
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
    const QString kind = event.value(u"kind").toString();
    if (kind.startsWith(u"job_") || kind.startsWith(u"strip_"))
        return applyJob(kind, event);
    if (kind.startsWith(u"transfer_"))
        return applyTransfer(kind, event);
    return false;
}

bool TaskActivity::applyJob(const QString &kind, const QJsonObject &e)
{
    const QString job = text(e, u"job");
    const qint64 timeMs = qint64(number(e, u"time_ms", 0));
    if (kind == u"job_started") {
        const QJsonArray names = e.value(u"slaves").toArray();
        const QJsonArray shares = e.value(u"planned_shares").toArray();
        const double units = number(e, u"units");
        if (job.isEmpty() || names.isEmpty() || names.size() > kMaxSlaves || units < 1)
            return false;
        LiveJob j;
        j.id = job;
        j.op = text(e, u"op");
        j.strategy = text(e, u"strategy");
        j.order = text(e, u"order");
        j.units = (long long)units;
        for (const QJsonValue &n : names)
            j.slaves.append(util::oneLine(n.toString(), kMaxName));
        for (const QJsonValue &s : shares)
            j.plannedShares.push_back((long long)std::max(0.0, s.toDouble()));
        j.predictedS = number(e, u"predicted_makespan_s", 0);
        j.startedMs = timeMs;
        m_job = std::move(j);
        return true;
    }
    if (m_job.id.isEmpty() || (!job.isEmpty() && job != m_job.id) ||
        m_job.state != LiveJob::State::Running)
        return false;
    const double nowS = std::max(0.0, double(timeMs - m_job.startedMs) / 1000);
    const auto stripOf = [&](int chunk) -> LiveStrip * {
        const auto it = m_job.stripOfChunk.find(chunk);
        return it == m_job.stripOfChunk.end() ? nullptr : &m_job.strips[it->second];
    };
    const int chunk = int(number(e, u"chunk"));
    if (kind == u"strip_assigned") {
        const int slave = int(m_job.slaves.indexOf(text(e, u"slave")));
        const double first = number(e, u"first_unit"), units = number(e, u"units");
        if (chunk < 0 || slave < 0 || first < 0 || units < 1 || stripOf(chunk) ||
            m_job.strips.size() >= size_t(m_job.units) + size_t(kMaxSlaves) * 4)
            return false;
        LiveStrip s;
        s.chunk = chunk;
        s.slave = slave;
        s.firstUnit = (long long)first;
        s.units = (long long)units;
        s.sendStart = nowS;
        m_job.stripOfChunk[chunk] = m_job.strips.size();
        m_job.strips.push_back(s);
        return true;
    }
    if (kind == u"strip_sent") {
        LiveStrip *s = stripOf(chunk);
        if (!s || s->state != LiveStrip::State::Sending)
            return false;
        s->sendEnd = std::max(s->sendStart, number(e, u"send_end_s", nowS));
        s->state = LiveStrip::State::Computing;
        return true;
    }
    if (kind == u"strip_done") {
        LiveStrip *s = stripOf(chunk);
        if (!s || s->state == LiveStrip::State::Done)
            return false;
        // The master's own record of the phases replaces what the live events suggested.
        s->sendStart = number(e, u"send_start_s", s->sendStart);
        s->sendEnd = number(e, u"send_end_s", std::max(s->sendStart, s->sendEnd));
        s->computeStart = number(e, u"compute_start_s", s->sendEnd);
        s->computeEnd = number(e, u"compute_end_s", nowS);
        s->returnStart = number(e, u"return_start_s", s->computeEnd);
        s->returnEnd = number(e, u"return_end_s", s->returnStart);
        s->state = LiveStrip::State::Done;
        return true;
    }
    if (kind == u"strip_reassigned") {
        const int slave = int(m_job.slaves.indexOf(text(e, u"slave")));
        if (slave < 0)
            return false;
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
    if (kind == u"job_done" || kind == u"job_failed") {
        const bool done = kind == u"job_done";
        m_job.state = done ? LiveJob::State::Done : LiveJob::State::Failed;
        m_job.makespanS = done ? number(e, u"makespan_s", nowS) : 0;
        m_job.endedS = done ? m_job.makespanS : nowS;
        m_job.error = done ? QString() : text(e, u"error", 300);
        for (LiveStrip &s : m_job.strips) {
            if (s.state == LiveStrip::State::Sending || s.state == LiveStrip::State::Computing) {
                s.state = LiveStrip::State::Failed;
                s.endedAt = m_job.endedS;
            }
        }
        if (done) {
            m_finished.push_back({m_job.id, m_job.strategy, m_job.order, m_job.units,
                                  m_job.makespanS, m_job.predictedS, timeMs});
            while (m_finished.size() > size_t(m_keptJobs))
                m_finished.pop_front();
        }
        return true;
    }
    return false;
}

bool TaskActivity::applyTransfer(const QString &kind, const QJsonObject &e)
{
    const QString id = text(e, u"transfer_id");
    const qint64 timeMs = qint64(number(e, u"time_ms", 0));
    if (id.isEmpty())
        return false;
    if (kind == u"transfer_planned") {
        const double blocks = number(e, u"blocks");
        if (blocks < 1 || blocks > LiveTransfer::kMaxBlocks)
            return false;
        LiveTransfer t;
        t.id = id;
        t.path = text(e, u"path", 300);
        t.strategy = text(e, u"strategy");
        t.size = qint64(number(e, u"size", 0));
        t.pieceSize = qint64(number(e, u"piece_size", 0));
        t.plannedOwner.assign(size_t(blocks), -1);
        t.servedBy.assign(size_t(blocks), -1);
        for (const QJsonValue &v : e.value(u"runs").toArray()) {
            const QJsonArray run = v.toArray();
            const double first = run.at(1).toDouble(-1), count = run.at(2).toDouble(-1);
            if (run.size() != 3 || !run.at(0).isString() || first < 0 || count < 1 ||
                first + count > blocks || t.slaves.size() >= kMaxSlaves)
                continue;
            const int owner = t.slaveIndex(util::oneLine(run.at(0).toString(), kMaxName));
            std::fill_n(t.plannedOwner.begin() + qsizetype(first), qsizetype(count), owner);
        }
        t.startedMs = t.lastMs = timeMs;
        m_transfers.erase(std::remove_if(m_transfers.begin(), m_transfers.end(),
                                         [&](const LiveTransfer &o) { return o.id == id; }),
                          m_transfers.end());
        m_transfers.push_back(std::move(t));
        while (m_transfers.size() > size_t(m_keptTransfers))
            m_transfers.pop_front();
        return true;
    }
    if (kind == u"transfer_block") {
        const auto it = std::find_if(m_transfers.begin(), m_transfers.end(),
                                     [&](const LiveTransfer &o) { return o.id == id; });
        const double block = number(e, u"block");
        if (it == m_transfers.end() || block < 0 || block >= double(it->servedBy.size()) ||
            !e.value(u"complete").toBool())
            return false;
        const QString node = text(e, u"node");
        if (node.isEmpty() || (it->slaves.size() >= kMaxSlaves && !it->slaves.contains(node)))
            return false;
        int &servedBy = it->servedBy[size_t(block)];
        if (servedBy < 0)
            ++it->served;
        servedBy = it->slaveIndex(node);
        it->lastMs = std::max(it->lastMs, timeMs);
        return true;
    }
    return false;
}

} // namespace starling::console
