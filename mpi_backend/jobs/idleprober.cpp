#include "idleprober.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace starling::mpi {

namespace {

sched::ProbePlanner::Settings sizesFor(double standardMBps)
{
    sched::ProbePlanner::Settings settings;
    settings.standardMBps = standardMBps;
    return settings;
}

} // namespace

IdleProber::IdleProber(Transport &transport, double standardMBps)
    : m_transport(transport), m_standardMBps(standardMBps > 0 ? standardMBps : 20),
      m_planner(sizesFor(m_standardMBps))
{}

void IdleProber::jobDone(const image::ImageOp &op, const sched::OpClass &opClass, int width)
{
    m_target = Target{op, opClass, width};
}

bool IdleProber::busy(int rank) const
{
    return std::any_of(m_pending.begin(), m_pending.end(),
                       [rank](const auto &p) { return p.second.rank == rank; });
}

// Noise, not a flat image: a median or blur costs what it costs on a photograph.
jobs::StripAssignment IdleProber::strip(const image::ImageOp &op, int channels, int width,
                                        double mb, const QString &id, int chunk) const
{
    const qint64 rowBytes = qint64(width) * channels;
    const int rows = int(std::clamp<qint64>(std::llround(mb * 1e6 / double(rowBytes)), 1, 65535));
    jobs::StripAssignment s;
    s.jobId = id;
    s.chunk = chunk;
    s.op = op.toJson();
    s.width = width;
    s.channels = channels;
    s.imageHeight = rows;
    s.begin = 0;
    s.end = rows;
    s.units = 1;
    s.standardS = double(rows) * double(rowBytes) * op.relativeCost() / (m_standardMBps * 1e6);
    // Whole 32-bit words of noise (a strip may be tens of MB, on the MPI thread).
    std::vector<quint32> words(size_t((qint64(rows) * rowBytes + 3) / 4));
    QRandomGenerator(quint32(m_nextId * 2 + chunk))
        .fillRange(words.data(), qsizetype(words.size()));
    s.pixels = QByteArray(reinterpret_cast<const char *>(words.data()), qsizetype(rows) * rowBytes);
    s.sequence = jobs::StripAssignment::kLastSequence; // after every job's strips
    return s;
}

void IdleProber::probe(const std::vector<int> &idle)
{
    if (!m_target)
        return;
    const auto &[op, opClass, width] = *m_target;
    std::vector<int> free;
    std::copy_if(idle.begin(), idle.end(), std::back_inserter(free),
                 [this](int rank) { return !busy(rank); });
    for (const sched::ProbePlanner::Round &due : m_planner.due(opClass, free)) {
        const QString id = QStringLiteral("probe-%1").arg(m_nextId++);
        Pending pending{due.rank, opClass, due, {-1, -1}};
        const double sizes[2] = {due.smallMB, due.largeMB};
        for (int chunk = 0; chunk < 2; ++chunk) {
            const jobs::StripAssignment s =
                strip(op, opClass.channels, width, sizes[chunk], id, chunk);
            // The round is timed at the sizes really sent (whole rows).
            (chunk == 0 ? pending.round.smallMB : pending.round.largeMB) =
                double(s.pixels.size()) / 1e6;
            m_transport.send(due.rank, Tag::StripAssign, s.encode());
        }
        m_pending.emplace(id, pending);
    }
}

bool IdleProber::onResult(int source, const jobs::StripResult &result,
                          sched::CostEstimator &estimator, std::int64_t nowMs)
{
    const auto it = m_pending.find(result.jobId);
    if (it == m_pending.end())
        return false;
    Pending &p = it->second;
    if (p.rank != source || result.chunk < 0 || result.chunk > 1)
        return true; // a probe id, but not from its slave or not its strip: ignored
    if (!result.error.isEmpty() || !(result.computeS >= 0)) {
        m_planner.failed(p.rank, p.op); // this slave cannot run the op: no timing to learn from
        m_pending.erase(it);
        return true;
    }
    p.seconds[result.chunk] = result.computeS;
    if (p.seconds[0] >= 0 && p.seconds[1] >= 0) {
        m_planner.record(estimator, p.op, p.round, p.seconds[0], p.seconds[1], nowMs);
        m_pending.erase(it);
    }
    return true;
}

void IdleProber::forget(int rank)
{
    for (auto it = m_pending.begin(); it != m_pending.end();)
        it = it->second.rank == rank ? m_pending.erase(it) : std::next(it);
}

} // namespace starling::mpi
